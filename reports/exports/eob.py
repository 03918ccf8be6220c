"""An Explanation of Benefits as PDF (fpdf2, the fonts of :mod:`reports.exports.pdf`): who, which claim, one
row per service line with what the plan allowed, what went to the deductible, coinsurance and copay, what the
plan paid and what the member owes, then why, line by line, in the cost-share engine's own words."""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from domain.settings import DEFAULT_ORG_TIMEZONE
from reports.exports.pdf import FONT, FONT_DIR, FONT_FILES, LINE_HEIGHT, PdfColumn, text_of, wrapped_row
from reports.formatting import org_time
from reports.health_plan.eob import Eob

NETWORK_WORDS = {"in": "in", "out": "out"}
COLUMNS = (
    PdfColumn("Line", 9),
    PdfColumn("Service", 33),
    PdfColumn("Network", 13),
    PdfColumn("Billed", 17, "R"),
    PdfColumn("Allowed", 17, "R"),
    PdfColumn("Deductible", 19, "R"),
    PdfColumn("Coinsurance", 22, "R"),
    PdfColumn("Copay", 15, "R"),
    PdfColumn("Plan paid", 18, "R"),
    PdfColumn("You owe", 18, "R"),
)
MONEY_FIELDS = ("billed", "allowed", "deductible", "coinsurance", "copay", "plan_paid", "you_owe")


def _money(value) -> str:
    return f"${text_of(value)}"


def eob_pdf(eob: Eob, generated_at: dt.datetime, org_timezone: str = DEFAULT_ORG_TIMEZONE) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    for style, file in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / file))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"Explanation of benefits, claim {eob.claim_id}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 9, "Explanation of benefits", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, LINE_HEIGHT, "This is not a bill.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    provider = (
        f"{eob.provider_name} (NPI {eob.provider_npi})" if eob.provider_name else f"NPI {eob.provider_npi}"
    )
    claim = (
        eob.claim_id if eob.version_id == eob.claim_id else f"{eob.claim_id} (as adjusted: {eob.version_id})"
    )
    header = [
        ("Member", f"{eob.member_name} (member ID {eob.member_id})"),
        ("Plan", eob.plan or ""),
        ("Claim", claim),
        ("Provider", provider),
        ("Service date", text_of(eob.service_date)),
        ("Processed", f"{eob.processed_at:%Y-%m-%d}"),
        ("Status", eob.status.replace("_", " ")),
        *([("Reason", eob.reason)] if eob.reason else []),
        ("Generated", org_time(generated_at, org_timezone)),  # the same zone as every page
    ]
    for label, value in header:
        pdf.cell(30, LINE_HEIGHT, f"{label}:")
        pdf.multi_cell(0, LINE_HEIGHT, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)

    pdf.set_font(FONT, "B", 8)
    for col in COLUMNS:
        pdf.cell(col.width, LINE_HEIGHT + 1, col.title, border="B", align=col.align)
    pdf.ln(LINE_HEIGHT + 1)
    pdf.set_font(FONT, "", 8)
    for line in eob.lines:
        values = (
            str(line.line_number),
            line.service,
            NETWORK_WORDS.get(line.network, line.network),
            *(_money(getattr(line, f)) for f in MONEY_FIELDS),
        )
        wrapped_row(pdf, COLUMNS, values)  # a long service name wraps, never runs into the next column
    pdf.set_font(FONT, "B", 8)
    totals = ("", "Total", "", *(_money(eob.total(f)) for f in MONEY_FIELDS))
    for col, value in zip(COLUMNS, totals, strict=True):
        pdf.cell(col.width, LINE_HEIGHT + 1, value, border="T", align=col.align)
    pdf.ln(LINE_HEIGHT + 4)

    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, f"What you owe: {_money(eob.total('you_owe'))}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.cell(
        0,
        LINE_HEIGHT,
        f"The plan paid {_money(eob.total('plan_paid'))}.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 7, "Why", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    if not eob.lines:
        pdf.multi_cell(0, LINE_HEIGHT, eob.reason or "No line of this claim is in force.")
    for line in eob.lines:
        pdf.multi_cell(
            0,
            LINE_HEIGHT,
            f"Line {line.line_number} ({line.service}): {line.why}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(pdf.output())
