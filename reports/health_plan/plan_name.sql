-- The name of a plan in a plan year.
SELECT name FROM plan_years WHERE plan_id = ? AND plan_year = ?
