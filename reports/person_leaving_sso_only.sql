-- Finding: the person ($person) is leaving and their CE accounts have no personal e-mail.
SELECT 'leaving, CE by SSO only' AS finding, termination_date AS at,
       'CE account(s) ' || account_ids || ' have no personal e-mail' AS detail
FROM leaving_sso_only WHERE person_key = $person
