"""Synthetic, deliberately messy landing data for every portal source."""
