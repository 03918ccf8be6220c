-- A member matched by member id AND birth date (a provider's eligibility check), with their name.
SELECT member_id, subscriber_id, concat_ws(' ', first_name, last_name) AS name
FROM plan_members WHERE member_id = $member_id AND birth_date = $birth_date
