-- How many files of $source were loaded into staging.
SELECT count(*) FROM ingest.ledger WHERE source = $source AND status = 'loaded'
