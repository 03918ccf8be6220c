"""The PDF table wraps a long cell onto more lines instead of cutting it."""

from __future__ import annotations

import io

import pypdf

from reports.exports.pdf import PdfColumn, table_pdf

LONG_ID = "ATT00008-PARTICIPATION-CERTIFICATE-2026"
LONG_TITLE = "Participation in the annual infection prevention and control update for clinical staff"


def _text(rows) -> str:
    columns = [PdfColumn("Item", 25), PdfColumn("Title", 40), PdfColumn("Credits", 20, "R")]
    data = table_pdf("Transcript", [("Name", "Ana Reyes")], columns, rows, "Totals", [("Credits", 1)])
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_long_id_and_title_are_printed_whole_across_lines():
    text = _text([[LONG_ID, LONG_TITLE, 1]])
    joined = "".join(text.split())
    assert (
        LONG_ID in joined
    )  # a 25 mm column holds about 14 characters: the id wraps, every character printed
    assert "".join(LONG_TITLE.split()) in joined
    assert "…" not in text


def test_many_wrapped_rows_flow_onto_further_pages_with_the_header_repeated():
    text = _text([[f"{LONG_ID}-{n:03d}", LONG_TITLE, 1] for n in range(60)])
    joined = "".join(text.split())
    assert all(f"{LONG_ID}-{n:03d}" in joined for n in range(60))
    assert text.count("Item") >= 2  # the column titles again on the next page
