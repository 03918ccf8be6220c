-- marts.plan_years: plan designs with the last day of each plan year, as the engine decides it
-- (temp table _hp_plan_year_ends: plan_id, plan_year, plan_year_end).
SELECT plan_id, plan_year, plan_year_start, plan_year_end, name, family_deductible_type, ded_ind_in, ded_fam_in,
       oop_ind_in, oop_fam_in, ded_ind_out, ded_fam_out, oop_ind_out, oop_fam_out, coins_in, coins_out,
       copay_office_visit, copay_specialist, copay_emergency, copay_rx_generic, copay_rx_brand
FROM staging.hp_plans p JOIN _hp_plan_year_ends USING (plan_id, plan_year)
ORDER BY plan_id, plan_year
