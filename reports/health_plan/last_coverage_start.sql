-- The latest coverage start in the data (the data's last day when there are no claims).
SELECT max(coverage_start) AS d FROM employer_enrollment
