"""CE rules that read the built CE marts rather than staging: reporting completions out to ACCME and CE
Broker."""
