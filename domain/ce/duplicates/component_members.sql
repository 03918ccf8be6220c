-- dup_members: each account's connected component from Splink's clustering (registered as dup_components).
CREATE OR REPLACE TABLE dup_members AS SELECT cluster_id AS component_id, account_id FROM dup_components
