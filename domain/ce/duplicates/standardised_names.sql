-- Every distinct standardised first name and surname of dup_std, for their phonetic codes.
SELECT DISTINCT n
FROM (SELECT first_name_std AS n FROM dup_std UNION SELECT last_name_std FROM dup_std)
WHERE n IS NOT NULL
ORDER BY n
