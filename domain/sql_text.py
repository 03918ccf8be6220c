"""Quoting names and values into DuckDB SQL text, for the few statements that cannot take parameters
(identifiers, ATTACH paths, lists built from contracts)."""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
