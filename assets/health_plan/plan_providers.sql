-- marts.plan_providers: providers by NPI with their names.
SELECT npi, name, specialty, network_status FROM staging.hp_providers ORDER BY npi
