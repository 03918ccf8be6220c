-- The latest claim processing in the data.
SELECT max(processed_at) AS at FROM claim_status
