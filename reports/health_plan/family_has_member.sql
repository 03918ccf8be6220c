-- Is $member_id the member $me, or a member of the family $me subscribes?
SELECT 1 FROM employer_enrollment
WHERE member_id = $member_id AND (member_id = $me OR subscriber_id = $me) LIMIT 1
