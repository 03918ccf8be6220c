-- Names of the members a member sees labelled: themselves and, as subscriber, their family.
-- Scope: $me is the member's own id; NULL only for an admin.
SELECT DISTINCT member_id, first_name, last_name
FROM employer_enrollment
WHERE $me IS NULL OR member_id = $me OR subscriber_id = $me
