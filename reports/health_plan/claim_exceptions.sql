-- Claim lines that could not be priced (admin only).
SELECT * FROM claim_exceptions ORDER BY reason, claim_id, line_number
