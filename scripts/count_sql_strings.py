"""Count SQL statements written as Python strings, and SQL files, per package (issue 17's SQL convention).

A string literal (or an f-string's first literal part) counts as a statement when, after leading whitespace
and an opening parenthesis, it starts with an upper-case SQL verb (SELECT, WITH, CREATE, INSERT, ...). Strings
inside docstrings do not count. Run from the repository root: ``python scripts/count_sql_strings.py``.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

PACKAGES = ("domain", "assets", "checks", "pipelines", "reports", "dashboard")
VERB = re.compile(
    r"^\s*\(?\s*(SELECT|WITH|CREATE|INSERT|UPDATE|DELETE|DROP|ALTER|ATTACH|DETACH|COPY|MERGE|PRAGMA|SET|USE|"
    r"DESCRIBE|EXPORT|INSTALL|LOAD|CHECKPOINT|TRUNCATE|SUMMARIZE|FROM)\s"
)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def sql_strings(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            head = node.values[0] if node.values else None
            text = head.value if isinstance(head, ast.Constant) and isinstance(head.value, str) else ""
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in skip or id(node) in inner:
                continue
            text = node.value
        else:
            continue
        count += bool(VERB.match(text))
    return count


def main(root: Path) -> None:
    strings: Counter[str] = Counter()
    files: Counter[str] = Counter()
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).parts
            family = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
            strings[family] += sql_strings(path)
        for path in sorted((root / package).rglob("*.sql")):
            parts = path.relative_to(root).parts
            files["/".join(parts[:2]) if len(parts) > 2 else parts[0]] += 1
    for family in sorted(set(strings) | set(files)):
        if strings[family] or files[family]:
            print(f"{family:40} {strings[family]:5} SQL strings {files[family]:4} .sql files")
    print(f"{'total':40} {sum(strings.values()):5} SQL strings {sum(files.values()):4} .sql files")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
