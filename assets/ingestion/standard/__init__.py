"""Standard-format landing folders (X12 834, FHIR ExplanationOfBenefit NDJSON, xAPI statements) feeding the
existing staging tables. Parsing is the maintained libraries' (pyx12, fhir.resources, ralph's xAPI models);
these modules only map what they parse onto contract rows, and :mod:`.load` validates and commits them per
file.
"""
