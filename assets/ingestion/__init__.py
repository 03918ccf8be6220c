"""Landing files into typed staging tables: reading, set-based validation generated from the contracts, the
ledger.

The Dagster side is ``assets/ingestion/staging_assets.py``; these modules know nothing of Dagster and take a
DuckDB connection.
"""
