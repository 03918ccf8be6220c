"""How values read on every page and in every export: one place for labels, money, percentages, empties and
times.

Pages show words, not codes ("Partially paid", not ``partially_paid``); money as dollars; shares as
percentages; an empty cell as "—"; a moment in the organisation's time zone, with the zone named ("2026-03-04
09:15 CST"), whatever the server's zone. Exports keep their data typed (CSV and Excel hold numbers and dates,
not "$1.00"); text meant for a reader (a PDF, a message) uses the same words as the page. A file takes a
frame through :func:`for_export`: a code a reader must understand (a credit type, a relationship) as its
label with the code in a column beside it, every moment in the organisation's zone with the zone in the
column's header ("Received (CST)"), still typed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

EMPTY = "—"

#: Codes as a reader says them. Codes not listed read as themselves with underscores as spaces, capitalised.
LABELS: Mapping[str, str] = {
    # dashboard roles
    "staff": "Staff",
    "education_manager": "Education manager",
    "ce_team": "CE team",
    "employer": "Employer",
    "member": "Member",
    "provider": "Provider",
    "admin": "Administrator",
    "support": "Support",
    # portals
    "patient_portal": "Patient portal",
    "learning_center": "Learning Center",
    "ce_portal": "CE portal",
    "health_plans": "Health plan",
    # claims and coverage
    "paid": "Paid",
    "denied": "Denied",
    "pending": "Pending",
    "partially_paid": "Partially paid",
    "reversed": "Reversed",
    "EMP": "Employee only",
    "ESP": "Employee + spouse",
    "ECH": "Employee + children",
    "FAM": "Family",
    "in": "In-network",
    "out": "Out-of-network",
    # CE attendance claims
    "unknown_phone": "Phone number not on file",
    "ambiguous_phone": "Phone number shared by several accounts",
    "unknown_account": "Account not found",
    "unknown_code": "Attendance code not recognised",
    "outside_window": "Sent outside the attendance window",
    "duplicate": "Already claimed",
    "not_eligible": "Not eligible for this activity",
    "accepted": "Accepted",
    "rejected": "Rejected",
    # learning
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "compliant": "Compliant",
    "not_due_yet": "Not due yet",
    "issued": "Issued",
    "awaiting_evaluation": "Awaiting your evaluation",
    "expired": "No longer downloadable",
    # login security
    "completed_in_time": "Completed in time",
    "completed_after_expiry": "Completed after the link expired",
    "abandoned": "Requested, never used",
    "completed_without_request": "Completed without a request",
    "lockout": "Account locked",
    "lockouts": "Lockouts",
    "failures": "Failed sign-ins",
    "resets": "Password resets",
    "stuffing": "Credential stuffing",
    "sso": "Single sign-on",
    "password": "Password",
    # CE credit types, as the accrediting bodies name their credit (certificates use the same names)
    "AMA_PRA_1": "AMA PRA Category 1 Credit",
    "ANCC": "ANCC contact hours",
    "ACPE": "ACPE contact hours",
    "ABIM_MOC": "ABIM MOC points",
    "AAPA_1": "AAPA Category 1 CME credit",
    "ADA_CERP": "ADA CERP credits",
    "APTA": "APTA contact hours",
    "CDR": "CDR CPEUs",
    "ASWB": "ASWB ACE CE hours",
    "PARTICIPATION": "Hours of participation",
    # CE claim channels ("admin", a claim the CE team entered, reads as the role: "Administrator") and sources
    "sms": "Text message",
    "qr": "QR code",
    "portal": "CE portal",
    "ce": "CE activity",
    "external": "External (uploaded)",
    # how a person's accounts were linked (sources "portal_user:<portal>" read as "Portal user: CE portal")
    "hr": "HR roster",
    "ce_account": "CE account",
    "plan_member": "Plan member",
    "portal_user": "Portal user",
    "person_id": "Person ID",
    "hr_roster": "HR roster",
    "exact_email": "Same e-mail",
    "name_birth_email": "Name, birth date and e-mail",
    "portal_directory": "Portal directory",
    "duplicate_model": "Duplicate model",
    # enrollment changes
    "add": "Added",
    "term": "Ended",
    # a plan member's relationship to the subscriber (hp_members.relationship)
    "self": "Subscriber",
    "spouse": "Spouse",
    "child": "Child",
    "other": "Other dependent",
}


def label(code: Any) -> str:
    """A code as words; an empty value as "—"."""
    if is_empty(code):
        return EMPTY
    text = str(code)
    if text in LABELS:
        return LABELS[text]
    kind, colon, which = text.partition(":")
    if colon and kind in LABELS and which:
        return f"{LABELS[kind]}: {label(which)}"
    return text.replace("_", " ").capitalize() if "_" in text and text.islower() else text


def is_empty(value: Any) -> bool:
    if type(value) is str:  # the common case first: a page's table is mostly text
        return not value.strip()
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value)) if not isinstance(value, Decimal) else value.is_nan()
    except (TypeError, ValueError):
        return False


def text(value: Any) -> str:
    return EMPTY if is_empty(value) else str(value)


CENT = Decimal("0.01")


def money(value: Any) -> str:
    """Dollars with cents and thousands separators; a negative amount with a leading minus: "-$12.50"."""
    if is_empty(value):
        return EMPTY
    amount = (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def percent(share: Any, places: int = 1) -> str:
    """A share (0.4402) as a percentage ("44.0%"); 1 is "100%" and 0 is "0%" exactly."""
    if is_empty(share):
        return EMPTY
    value = float(share) * 100
    if math.isclose(value, round(value), abs_tol=1e-9):  # 0.4 * 100 is 40.00000000000001 in floats
        return f"{int(round(value))}%"
    return f"{value:.{places}f}%"


def name_with_id(name: Any, person_id: Any) -> str:
    """A person as a reader knows them, the id beside the name: "Ana Reyes (P0002)"."""
    if is_empty(name):
        return text(person_id)
    return f"{name} ({person_id})" if not is_empty(person_id) else str(name)


def _org_moment(moment: Any, timezone: str) -> dt.datetime | str:
    """A moment moved into the organisation's zone (a naive moment is taken as UTC, the marts'); an empty
    cell or a calendar day as the text it reads as."""
    if is_empty(moment):
        return EMPTY
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if not isinstance(moment, dt.datetime):
        return org_date(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(timezone))


def org_time(moment: Any, timezone: str) -> str:
    """A moment in the organisation's zone with the zone named; a naive moment is taken as UTC (the
    marts')."""
    local = _org_moment(moment, timezone)
    return local if isinstance(local, str) else f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def org_day(moment: Any, timezone: str) -> str:
    """The organisation's calendar day of a moment ("2026-03-04"); a naive moment is taken as UTC."""
    local = _org_moment(moment, timezone)
    return local if isinstance(local, str) else local.date().isoformat()


def org_date(day: Any) -> str:
    if is_empty(day):
        return EMPTY
    if isinstance(day, pd.Timestamp):
        day = day.to_pydatetime()
    if isinstance(day, dt.datetime):
        day = day.date()
    return day.isoformat() if isinstance(day, dt.date) else str(day)


_SECOND = dt.timedelta(seconds=1)


def _four_digit_years(column: pd.Series) -> np.ndarray:
    """Where a moment's year has four digits (NumPy writes "0999" where ``strftime`` writes "999"); False for
    an empty cell."""
    years = column.dt.year
    return ((years >= 1000) & (years <= 9999)).to_numpy(dtype=bool, na_value=False)


def org_times(column: pd.Series, timezone: str) -> list[str]:
    """:func:`org_time` of every cell of ``column``, about four times faster for a column of moments.

    Each moment still goes through zoneinfo (``astimezone``: its offset and its zone's name, exactly as
    :func:`org_time`); the text is written for the whole column at once by NumPy from the UTC moments plus
    those offsets, instead of one ``strftime`` per cell.
    """
    one = partial(org_time, timezone=timezone)
    if not pd.api.types.is_datetime64_any_dtype(column):
        return [one(v) for v in _cells(column)]
    utc = column.dt.tz_localize("UTC") if column.dt.tz is None else column.dt.tz_convert("UTC")
    plain = _four_digit_years(utc)
    moments = utc if plain.all() else utc[plain]
    zone = ZoneInfo(timezone)
    local = [m.astimezone(zone) for m in moments.dt.to_pydatetime()]
    offsets = np.fromiter((m.utcoffset() // _SECOND for m in local), dtype=np.int64, count=len(local))
    wall = moments.dt.tz_localize(None).to_numpy() + offsets.astype("timedelta64[s]")
    minutes = np.datetime_as_string(wall.astype("datetime64[m]")).tolist()  # "2026-03-04T09:30"
    texts = np.full(len(column), EMPTY, dtype=object)
    texts[plain] = [f"{m[:10]} {m[11:]} {moment.tzname()}" for m, moment in zip(minutes, local, strict=True)]
    for i in np.flatnonzero(~plain & column.notna().to_numpy()):
        texts[i] = one(column.iloc[i])
    return texts.tolist()


def org_dates(column: pd.Series) -> list[str]:
    """:func:`org_date` of every cell of ``column``; a column of zone-less moments (a DATE column as DuckDB
    hands it to pandas) written at once by NumPy."""
    if not pd.api.types.is_datetime64_any_dtype(column) or column.dt.tz is not None:
        return [org_date(v) for v in _cells(column)]
    plain = _four_digit_years(column)
    texts = np.full(len(column), EMPTY, dtype=object)
    texts[plain] = np.datetime_as_string(column[plain].to_numpy().astype("datetime64[D]")).tolist()
    for i in np.flatnonzero(~plain & column.notna().to_numpy()):
        texts[i] = org_date(column.iloc[i])
    return texts.tolist()


def _cells(column: pd.Series) -> np.ndarray:
    """The cells as Python values, to go through one by one (an array of objects goes through many times
    faster than an Arrow-backed column: 15 ms against 1 ms for 4,000 strings)."""
    return column.to_numpy(dtype=object)


def _each(fmt: Callable[[Any], str]) -> Callable[[pd.Series], list[str]]:
    return lambda column: [fmt(v) for v in _cells(column)]


def _calendar_days(column: pd.Series) -> bool:
    if getattr(column.dt, "tz", None) is not None:
        return False
    moments = column.dropna()
    return bool(len(moments)) and bool((moments == moments.dt.normalize()).all())


def _as_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return org_date(value)
    return str(value) if isinstance(value, Decimal | int | float) else value


def for_display(
    frame: pd.DataFrame,
    *,
    timezone: str,
    codes: Iterable[str] = (),
    money_columns: Iterable[str] = (),
    percent_columns: Iterable[str] = (),
    time_columns: Iterable[str] = (),
    date_columns: Iterable[str] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` as the page shows it: the named columns formatted, and "—" in every other empty
    cell.

    Numbers not named stay numbers (so a column of counts still sorts as numbers); exports take the original
    frame.
    """
    shown = frame.copy()
    time_columns, date_columns = [*time_columns], [*date_columns]
    # every moment in the organisation's zone, named; a column of calendar days (DuckDB hands a DATE to pandas
    # as midnight) stays a day: moving it into another zone would show the day before
    for c in shown.columns:
        if not pd.api.types.is_datetime64_any_dtype(shown[c]) or c in date_columns or c in time_columns:
            continue
        (date_columns if _calendar_days(shown[c]) else time_columns).append(c)
    formatted = set()
    for column, fmt in (
        *((c, _each(label)) for c in codes),
        *((c, _each(money)) for c in money_columns),
        *((c, _each(percent)) for c in percent_columns),
        *((c, lambda col: org_times(col, timezone)) for c in time_columns),
        *((c, org_dates) for c in date_columns),
    ):
        if column in shown.columns:
            shown[column] = fmt(shown[column])
            formatted.add(column)
    # A formatted column already says "—" for its empty cells (every formatter does).
    for column in shown.columns:
        if column in formatted or pd.api.types.is_numeric_dtype(shown[column]):
            continue
        cells = _cells(shown[column])
        empty = [is_empty(v) for v in cells]
        if any(empty):
            # dates or Decimals beside "—" would be a column of mixed types the grid cannot hold: they become
            # text
            shown[column] = [EMPTY if e else _as_text(v) for v, e in zip(cells, empty, strict=True)]
    return shown


#: The suffix a header carried when its moments were UTC; an export replaces it with the organisation's zone.
UTC_SUFFIX = " (UTC)"
CODE_SUFFIX = " code"


def zone_names(moments: pd.Series, timezone: str) -> str:
    """The zone abbreviations the org-time ``moments`` (naive, local) fall in, in order of first use
    ("CST/CDT"); with no moment, the zone's current one."""
    zone = ZoneInfo(timezone)
    names: list[str] = []
    for moment in moments.dropna():
        name = moment.to_pydatetime().replace(tzinfo=zone).tzname()
        if name not in names:
            names.append(name)
    return "/".join(names) or dt.datetime.now(zone).tzname() or timezone


def _moments(column: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(column) and not _calendar_days(column)


def for_export(
    frame: pd.DataFrame, *, timezone: str, labelled: Iterable[str] = (), time_columns: Iterable[str] = ()
) -> pd.DataFrame:
    """A copy of ``frame`` as a CSV or Excel file carries it, values still typed.

    - Each ``labelled`` column holds the label a reader sees on the page ("Subscriber"), and the code
      (``self``) follows in a column "<column> code", so a program reading the file still has the code.
    - Each column of moments (naive = UTC, as the marts hold them) is moved into the organisation's zone, the
      way the page shows it, and its header names the zone: "Received (CST)" (a header that said "(UTC)"
      loses it). The cells stay date-times; columns of calendar days stay days. A column of moments that all
      fall on midnight UTC looks like days: name it in ``time_columns``, as for :func:`for_display`.
    """
    out = frame.copy()
    for column in labelled:
        if column not in out.columns:
            continue
        codes = out[column]
        out[column] = [None if is_empty(v) else label(v) for v in codes]
        out.insert(out.columns.get_loc(column) + 1, f"{column}{CODE_SUFFIX}", codes)
    renames = {}
    times = set(time_columns)
    for column in out.columns:
        if not (
            _moments(out[column]) or (column in times and pd.api.types.is_datetime64_any_dtype(out[column]))
        ):
            continue
        moments = out[column]
        if getattr(moments.dt, "tz", None) is None:
            moments = moments.dt.tz_localize("UTC")
        local = moments.dt.tz_convert(timezone).dt.tz_localize(None)
        out[column] = local
        renames[column] = f"{str(column).removesuffix(UTC_SUFFIX)} ({zone_names(local, timezone)})"
    return out.rename(columns=renames)


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str | Decimal | dt.date) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value  # numpy scalars; Decimals and dates pass


def export_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """A frame's rows as the exporters take them: None for a missing value, Python dates and date-times,
    Decimals untouched."""
    return [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
