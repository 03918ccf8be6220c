"""CE certificates as PDF: one page per earned certificate, downloadable while the rules allow it.

A certificate (``marts.ce_certificates``) can be downloaded when its status is ``issued`` (the evaluation is
done, or none is required, and the download window has not passed). Otherwise :func:`unavailable_reason` says
why not. The page shows the activity, the date attended, the credits by type (``marts.ce_credit_items``, after
merges), the learner (``marts.ce_accounts``), the accreditation statement and a verification code that the CE
team can recompute from the certificate's ids (it is a checksum of the record, not a signature).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from domain.ce.certificates import AWAITING_EVALUATION, EXPIRED, ISSUED
from domain.settings import Settings
from reports import audit
from reports.ce.reads import CERTIFICATES, _scoped
from reports.exports.pdf import FONT, FONT_DIR, FONT_FILES
from reports.learning.access import MARTS, marts
from reports.principal import NotPermitted, Principal
from reports.snapshot import open_snapshot

PDF_MIME = "application/pdf"
ACCREDITATION_STATEMENT = (
    "In support of improving patient care, this activity has been planned and implemented by the "
    "organisation's "
    "continuing education office, which is jointly accredited to provide continuing education for the "
    "healthcare "
    "team. The credits shown were awarded for attending this activity in full."
)
#: Readable names of the credit types on a certificate.
CREDIT_NAMES = {
    "AMA_PRA_1": "AMA PRA Category 1 Credits™",
    "ANCC": "ANCC contact hours",
    "ACPE": "ACPE contact hours",
    "PARTICIPATION": "hours of participation",
}


class CertificateUnavailable(ValueError):
    """The certificate exists but may not be downloaded now (the reason is the message)."""


@dataclass(frozen=True)
class Certificate:
    event_id: str
    account_id: str
    person_id: str | None
    learner: str
    activity_id: str
    title: str
    attended_on: dt.date | None
    credits: tuple[tuple[str, Decimal], ...]
    available_until: dt.date

    @property
    def verification_code(self) -> str:
        return verification_code(self.event_id, self.account_id, self.activity_id)


def verification_code(event_id: str, account_id: str, activity_id: str) -> str:
    """16 hex digits of SHA-256 over the ids, in groups of four (e.g. ``3F2A-9C01-…``)."""
    digest = hashlib.sha256(f"{event_id}|{account_id}|{activity_id}".encode()).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def unavailable_reason(status: str, available_until: dt.date) -> str | None:
    """Why a certificate cannot be downloaded now (None when it can)."""
    if status == ISSUED:
        return None
    if status == AWAITING_EVALUATION:
        return f"Complete the activity's evaluation first (by {available_until.isoformat()})."
    if status == EXPIRED:
        return (
            "No longer downloadable: certificates can be downloaded until a set number of days after the "
            "activity, "
            f"for this one until {available_until.isoformat()}."
        )
    return f"Not downloadable ({status})."


def _learner(conn, account_id: str, person_id: str | None) -> str:
    con = marts(conn)
    tables = {
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [MARTS]
        ).fetchall()
    }
    for table, key, value in (
        ("ce_accounts", "account_id", account_id),
        ("learning_people", "person_id", person_id),
    ):
        if value is None or table not in tables:
            continue
        t = con.table(table, database=MARTS)
        rows = t.filter(t[key] == value).select("first_name", "last_name").to_pyarrow().to_pylist()
        if rows:
            return f"{rows[0]['first_name']} {rows[0]['last_name']}"
    return account_id


def load_certificate(principal: Principal, conn, event_id: str) -> Certificate:
    """The principal's certificate ``event_id`` if it may be downloaded now; NotPermitted /
    CertificateUnavailable."""
    t = _scoped(principal, conn, CERTIFICATES)
    rows = t.filter(t.event_id == event_id).to_pyarrow().to_pylist()
    if not rows:
        raise NotPermitted("this certificate is not yours to download")
    row = rows[0]
    reason = unavailable_reason(row["status"], row["available_until"])
    if reason:
        raise CertificateUnavailable(reason)
    items = marts(conn).table("ce_credit_items", database=MARTS)
    credit_rows = (
        items.filter((items.item_id == event_id) & (items.source == "ce"))
        .select("credit_type", "credits", "completed_on")
        .order_by("credit_type")
        .to_pyarrow()
        .to_pylist()
    )
    return Certificate(
        event_id=row["event_id"],
        account_id=row["account_id"],
        person_id=row["person_id"],
        learner=_learner(conn, row["account_id"], row["person_id"]),
        activity_id=row["activity_id"],
        title=row["title"],
        attended_on=min((r["completed_on"] for r in credit_rows), default=None),
        credits=tuple((r["credit_type"], r["credits"]) for r in credit_rows),
        available_until=row["available_until"],
    )


def certificate_pdf(cert: Certificate) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    for style, file in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / file))
    pdf.set_title(f"Certificate: {cert.title}")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_line_width(0.8)
    pdf.rect(10, 10, 277, 190)

    def line(text: str, size: float, style: str = "", height: float = 10) -> None:
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(0, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_y(28)
    line("Certificate of Attendance", 28, "B", 14)
    pdf.ln(4)
    line("This certifies that", 12)
    line(cert.learner, 22, "B", 12)
    line("attended", 12)
    line(cert.title, 18, "B", 10)
    line(f"on {cert.attended_on.isoformat() if cert.attended_on else 'the activity date'}", 12)
    pdf.ln(3)
    for credit_type, credits in cert.credits:
        line(f"{credits:.2f} {CREDIT_NAMES.get(credit_type, credit_type)}", 12, "", 7)
    pdf.ln(4)
    pdf.set_x(30)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(237, 5, ACCREDITATION_STATEMENT, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(180)
    pdf.set_font(FONT, "", 9)
    pdf.cell(
        0,
        5,
        f"Activity {cert.activity_id} · certificate {cert.event_id} · verification code "
        f"{cert.verification_code}",
        align="C",
    )
    return bytes(pdf.output())


def certificate_download(principal: Principal, settings: Settings, event_id: str) -> bytes:
    """The certificate as PDF from the current snapshot, with its export audited (refused as
    :func:`load_certificate` says). Opens its own connection: the page hands it to a deferred download."""
    with open_snapshot(settings) as conn:
        cert = load_certificate(principal, conn, event_id)
    data = certificate_pdf(cert)
    audit.record(principal, "export", f"certificate {event_id} pdf", row_count=1, settings=settings)
    return data


def certificate_file_name(event_id: str) -> str:
    return f"certificate_{event_id}.pdf"
