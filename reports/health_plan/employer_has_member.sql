-- Is $member_id on the roster of employer $employer_id?
SELECT 1 FROM employer_enrollment WHERE member_id = $member_id AND employer_id = $employer_id LIMIT 1
