-- A member's subscriber, the subscriber's name and the member's own birth date.
SELECT m.subscriber_id, concat_ws(' ', s.first_name, s.last_name), m.birth_date
FROM plan_members m LEFT JOIN plan_members s ON s.member_id = m.subscriber_id
WHERE m.member_id = ?
