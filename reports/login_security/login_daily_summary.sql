-- Per portal and org day (the mart counts the organisation's calendar days), oldest day first (for charts).
-- Filters, NULL for any: $portal, $start/$end (org days, inclusive).
SELECT *
FROM login_daily_summary
WHERE ($portal IS NULL OR portal = $portal)
  AND ($start IS NULL OR day >= $start)
  AND ($end IS NULL OR day <= $end)
ORDER BY day, portal
