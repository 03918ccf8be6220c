"""Every Markdown document the code or the docs cite is in the repository, and a cited section is a heading of
it.

A citation is a name ending in ``.md`` (``domain-rules.md``, ``docs/operations.md``) in a module, test or
document. It resolves from the repository root or from the citing file, else (a bare name) to the one file of
that name in the repository (the specification is copied into ``docs/spec/``). A section quoted right
after the name (``domain-rules.md "Login security"``), on the same line or at the start of the next one (a
wrapped docstring or ``#`` comment), must begin a heading of that document.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
SCANNED = ("domain", "assets", "checks", "pipelines", "reports", "dashboard", "tests", "docs")
# A name ending in .md, not a method call (``dg.MetadataValue.md(...)``), optionally followed by a quoted
# section, which a wrapped line may carry to the start of the next line (after a comment's ``#``).
CITATION = re.compile(
    r"(?<![\w.])([\w./-]*[\w-]\.md)\b(?!\()"  # the name
    r'(?:,?(?: |[ \t]*\n[ \t]*(?:#[ \t]*)?)"([^"\n]+)")?'  # the section, here or at the next line's start
)
HEADING = re.compile(r"^#+\s+(.*)$", re.MULTILINE)


def _files() -> list[Path]:
    found = [ROOT / "README.md"]
    for top in SCANNED:
        found += [
            p for p in (ROOT / top).rglob("*") if p.suffix in (".py", ".md") and "__pycache__" not in p.parts
        ]
    return found


def _resolve(name: str, citing: Path, by_name: dict[str, list[Path]]) -> Path | None:
    for base in (ROOT, citing.parent):
        if (base / name).is_file():
            return base / name
    if "/" in name:
        return None
    candidates = by_name.get(name, [])
    return candidates[0] if len(candidates) == 1 else None


def test_every_cited_markdown_document_and_section_is_in_the_repository():
    files = _files()
    by_name: dict[str, list[Path]] = {}
    for p in files:
        if p.suffix == ".md":
            by_name.setdefault(p.name, []).append(p)

    cited, unresolved, missing_sections = set(), [], []
    for citing in files:
        text = citing.read_text(encoding="utf-8")
        for match in CITATION.finditer(text):
            name, section = match.groups()
            where = f"{citing.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            target = _resolve(name, citing, by_name)
            if target is None:
                unresolved.append(f"{where} cites {name}")
                continue
            cited.add(target.relative_to(ROOT).as_posix())
            headings = HEADING.findall(target.read_text(encoding="utf-8"))
            if section and not any(h.startswith(section) for h in headings):
                missing_sections.append(f'{where} cites {name} "{section}"')

    assert unresolved == []
    assert missing_sections == []
    # The specification the modules cite is among what was checked.
    assert {
        "docs/spec/domain-rules.md",
        "docs/spec/quality-bars.md",
        "docs/spec/landing-contracts.md",
    } <= cited
