"""Tests of the CE portal rules, marts and reports."""
