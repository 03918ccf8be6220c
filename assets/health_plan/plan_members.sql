-- marts.plan_members: one row per member with the birth date.
SELECT member_id, subscriber_id, relationship, first_name, last_name, birth_date, employer_id
FROM staging.hp_members ORDER BY subscriber_id, member_id
