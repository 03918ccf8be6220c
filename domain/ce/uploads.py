"""Which CE completions go to ACCME PARS and to CE Broker, and how each field is written.

Both uploads start from the accepted credits (``marts.ce_credits_awarded``: one row per accepted attendance
claim × credit type awarded, already credited to the surviving account after CE merges) and the learner's
profile (``marts.ce_accounts``). The column choices and their sources are in ``docs/data-contracts.md``
("Reporting out: ACCME PARS and CE Broker").

Rules:

1. Only accredited credit: ``PARTICIPATION`` (a certificate of attendance, no accredited credit) is never
   reported. An activity that offers nothing else is therefore not in either file.
2. After merges, one learner is the surviving account. A field the survivor's profile lacks is taken from the
   accounts merged into it (smallest account_id first): the same person typed their licence on the other
   account.
3. PARS: one row per learner × activity × credit type completed in the year (the credit's date, the day the
   learner attended, never after the activity ended). PARS refuses a learner without first and last name,
   birth month and day, and either a licence (state + number) or an NPI; such rows go to the error list with
   every missing field named. Certifying-board MOC credit (``ABIM_MOC``) also needs the board's diplomate id,
   which the CE portal does not collect, so it is listed as an error rather than sent to be rejected.
4. CE Broker: licensed learners only (a licence number after merges); one row per learner × activity, with the
   hours of the credit type the learner's profession reports (nurses ANCC contact hours, pharmacists ACPE,
   ...). A licensed learner without a licence state, without a profession CE Broker knows, or without credit
   of the profession's type for the activity goes to the error list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

PARTICIPATION = "PARTICIPATION"
#: Credit types that need a certifying-board id PARS matches diplomates by.
BOARD_ID_CREDIT_TYPES = frozenset({"ABIM_MOC"})
#: How PARS / JA-PARS name our credit types (anything else is written as our code).
PARS_CREDIT_NAMES: Mapping[str, str] = {
    "AMA_PRA_1": "AMA PRA Category 1 Credit",
    "ABIM_MOC": "ABIM MOC Points",
    "ANCC": "ANCC Contact Hours",
    "ACPE": "ACPE Contact Hours",
    "AAPA_1": "AAPA Category 1 CME Credit",
}
PARS_HEADER: tuple[str, ...] = (
    "Activity ID",
    "First Name",
    "Last Name",
    "DOB Month",
    "DOB Day",
    "License State",
    "License Number",
    "NPI",
    "Date Completed",
    "Credit Type",
    "Credits",
)
#: CE Broker's Excel roster, columns A–J (no header row: CE Broker reads the columns by position).
CE_BROKER_COLUMNS: tuple[str, ...] = (
    "A provider tracking number",
    "B CE Broker course number",
    "C provider course id",
    "D publishing number",
    "E license number",
    "F date completed",
    "G licensee state",
    "H profession",
    "I subject area code",
    "J hours",
)
ERROR_HEADER: tuple[str, ...] = ("account_id", "activity_id", "credit_type", "completed_on", "reason")
_US_STATE = re.compile(r"^[A-Z]{2}$")


class Reason:
    """Why a row would be rejected (the error file's ``reason``; several are joined with ``; ``)."""

    MISSING_FIRST_NAME = "missing first name"
    MISSING_LAST_NAME = "missing last name"
    MISSING_BIRTH_DATE = "missing birth month and day"
    MISSING_LICENSE_OR_NPI = "missing licence (state and number) or NPI"
    MISSING_LICENSE_STATE = "missing licence state"
    BAD_LICENSE_STATE = "licence state is not a two-letter US state code"
    MISSING_BOARD_ID = (
        "MOC credit needs the certifying board's diplomate id, which the CE portal does not collect"
    )
    NO_PROFESSION = "degree has no CE Broker profession code"
    NO_PROFESSION_CREDIT = "no credit of the profession's type for this activity"


@dataclass(frozen=True)
class Learner:
    account_id: str
    first_name: str | None = None
    last_name: str | None = None
    degree: str | None = None
    birth_date: dt.date | None = None
    license_state: str | None = None
    license_number: str | None = None
    npi: str | None = None


@dataclass(frozen=True)
class Completion:
    """One accepted credit: the claim's (surviving) account, activity, day and credit."""

    account_id: str
    activity_id: str
    completed_on: dt.date
    credit_type: str
    credits: Decimal


@dataclass(frozen=True)
class UploadError:
    account_id: str
    activity_id: str
    credit_type: str
    completed_on: dt.date
    reason: str

    def row(self) -> tuple:
        return (
            self.account_id,
            self.activity_id,
            self.credit_type,
            self.completed_on.isoformat(),
            self.reason,
        )


@dataclass(frozen=True)
class Upload:
    #: PARS: text cells; CE Broker: text, with the completion date a ``date`` and the hours a ``Decimal``.
    rows: tuple[tuple, ...]
    errors: tuple[UploadError, ...]


@dataclass(frozen=True)
class Profession:
    code: str
    #: The credit type whose amount is reported as the profession's hours.
    credit_type: str


def _default_professions() -> dict[str, Profession]:
    return {
        "RN": Profession("RN", "ANCC"),
        "NP": Profession("APRN", "ANCC"),
        "PHARMD": Profession("RPH", "ACPE"),
        "PA": Profession("PA", "AAPA_1"),
        "MD": Profession("MD", "AMA_PRA_1"),
        "DO": Profession("DO", "AMA_PRA_1"),
    }


@dataclass(frozen=True)
class CeBrokerPolicy:
    #: The provider's CE Broker tracking number without the ``50-`` prefix (column A).
    provider_number: str = ""
    #: Degree (upper case) → CE Broker profession code and the credit type reported as hours.
    professions: Mapping[str, Profession] = field(default_factory=_default_professions)


def _clean(value: str | None) -> str | None:
    """Trimmed text, ``None`` when empty; tabs and line breaks become spaces (they would split a record)."""
    if value is None:
        return None
    text = re.sub(r"[\t\r\n]+", " ", str(value)).strip()
    return text or None


def merged_learner(survivor: Learner, merged: Sequence[Learner] = ()) -> Learner:
    """The survivor's profile with each missing field filled from the merged accounts (smallest id first)."""
    fields = ("first_name", "last_name", "degree", "birth_date", "license_state", "license_number", "npi")
    filled = {}
    for name in fields:
        value = getattr(survivor, name)
        if value in (None, ""):
            value = next(
                (getattr(m, name) for m in sorted(merged, key=lambda m: m.account_id) if getattr(m, name)),
                None,
            )
        filled[name] = value
    return replace(survivor, **filled)


def us_date(day: dt.date) -> str:
    """``MM/DD/YYYY``, the date form of ACCME's templates."""
    return day.strftime("%m/%d/%Y")


def short_us_date(day: dt.date) -> str:
    """``M/D/YYYY``, the form of CE Broker's examples (``12/3/2008``)."""
    return f"{day.month}/{day.day}/{day.year}"


def credits_text(amount: Decimal) -> str:
    """Two decimals, never scientific notation (``1.50``)."""
    return format(amount.quantize(Decimal("0.01")), "f")


def _reportable(c: Completion) -> bool:
    return c.credit_type.strip().upper() != PARTICIPATION


def _order(c: Completion, learner: Learner | None) -> tuple:
    last = (learner.last_name or "") if learner else ""
    first = (learner.first_name or "") if learner else ""
    return (c.activity_id, last.casefold(), first.casefold(), c.account_id, c.credit_type)


def _licence(learner: Learner) -> tuple[str | None, str | None, list[str]]:
    state = _clean(learner.license_state)
    number = _clean(learner.license_number)
    problems = []
    if state is not None:
        state = state.upper()
        if not _US_STATE.match(state):
            problems.append(Reason.BAD_LICENSE_STATE)
    if number and not state:
        problems.append(Reason.MISSING_LICENSE_STATE)
    return state, number, problems


def pars_upload(completions: Iterable[Completion], learners: Mapping[str, Learner], year: int) -> Upload:
    """ACCME PARS learner rows (:data:`PARS_HEADER`) for the credits completed in ``year``, and the errors."""
    rows: list[tuple[str, ...]] = []
    errors: list[UploadError] = []
    chosen = [c for c in completions if c.completed_on.year == year and _reportable(c)]
    for c in sorted(chosen, key=lambda c: _order(c, learners.get(c.account_id))):
        learner = learners.get(c.account_id) or Learner(c.account_id)
        first, last, npi = _clean(learner.first_name), _clean(learner.last_name), _clean(learner.npi)
        state, number, problems = _licence(learner)
        missing = []
        if first is None:
            missing.append(Reason.MISSING_FIRST_NAME)
        if last is None:
            missing.append(Reason.MISSING_LAST_NAME)
        if learner.birth_date is None:
            missing.append(Reason.MISSING_BIRTH_DATE)
        has_licence = bool(number and state) and not problems
        if not has_licence and npi is None:
            missing.append(Reason.MISSING_LICENSE_OR_NPI)
            missing.extend(problems)
        if c.credit_type in BOARD_ID_CREDIT_TYPES:
            missing.append(Reason.MISSING_BOARD_ID)
        if missing:
            errors.append(
                UploadError(c.account_id, c.activity_id, c.credit_type, c.completed_on, "; ".join(missing))
            )
            continue
        birth = learner.birth_date
        assert birth is not None
        rows.append(
            (
                c.activity_id,
                first or "",
                last or "",
                f"{birth.month:02d}",
                f"{birth.day:02d}",
                state if has_licence else "",
                number if has_licence else "",
                npi or "",
                us_date(c.completed_on),
                PARS_CREDIT_NAMES.get(c.credit_type, c.credit_type),
                credits_text(c.credits),
            )
        )
    return Upload(tuple(rows), tuple(errors))


def ce_broker_upload(
    completions: Iterable[Completion],
    learners: Mapping[str, Learner],
    date_from: dt.date,
    date_to: dt.date,
    policy: CeBrokerPolicy | None = None,
) -> Upload:
    """CE Broker roster rows (:data:`CE_BROKER_COLUMNS`) for licensed learners' completions from
    ``date_from`` to ``date_to`` (both included), and the errors."""
    if date_from > date_to:
        raise ValueError(f"date range: from {date_from} is after to {date_to}")
    policy = policy or CeBrokerPolicy()
    # learner × activity → {credit_type: credits}, and the day (the same for every credit type of one claim)
    claims: dict[tuple[str, str], dict[str, Decimal]] = {}
    days: dict[tuple[str, str], dt.date] = {}
    for c in completions:
        if not (date_from <= c.completed_on <= date_to) or not _reportable(c):
            continue
        key = (c.account_id, c.activity_id)
        claims.setdefault(key, {})[c.credit_type] = c.credits
        days[key] = min(days.get(key, c.completed_on), c.completed_on)
    rows: list[tuple] = []
    errors: list[UploadError] = []
    learner_of = {key: learners.get(key[0]) or Learner(key[0]) for key in claims}
    ordered = sorted(claims, key=lambda k: (k[1], (learner_of[k].license_number or ""), k[0]))
    for key in ordered:
        account_id, activity_id = key
        learner, credits, day = learner_of[key], claims[key], days[key]
        state, number, problems = _licence(learner)
        if number is None:
            continue  # not licensed: CE Broker has nobody to credit
        profession = policy.professions.get((learner.degree or "").strip().upper())
        if profession is None:
            problems.append(Reason.NO_PROFESSION)
        elif profession.credit_type not in credits:
            problems.append(Reason.NO_PROFESSION_CREDIT)
        credit_type = profession.credit_type if profession else ""
        if problems:
            errors.append(UploadError(account_id, activity_id, credit_type, day, "; ".join(problems)))
            continue
        assert profession is not None and state is not None
        rows.append(
            (
                policy.provider_number,
                "",
                activity_id,
                "",
                number,
                day,
                f"State={state}",
                f"Profession={profession.code}",
                "",
                credits[profession.credit_type],
            )
        )
    return Upload(tuple(rows), tuple(errors))
