-- The plan year of a plan in force on a day.
SELECT * FROM plan_years WHERE plan_id = $plan_id AND plan_year_start <= $on AND $on <= plan_year_end
