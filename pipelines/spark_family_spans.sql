-- Spark SQL: every enrollment span with its family's bucket (as spark_family_lines.sql, :buckets groups) and
-- its order in staging (_span_order, spark_cost_share.SPAN_ORDER).
SELECT pmod(hash(m.subscriber_id), :buckets) AS bucket, e.member_id, e.plan_id, e.coverage_tier,
       datediff(e.coverage_start, DATE '1970-01-01') AS start_day,
       datediff(e.coverage_end, DATE '1970-01-01') AS end_day, e._span_order
FROM portalytics_hp_enrollment e JOIN portalytics_hp_members m ON m.member_id = e.member_id
