"""Exporters shared by every view: PDF, Excel, CSV, and the formula-injection guard every text cell passes."""
