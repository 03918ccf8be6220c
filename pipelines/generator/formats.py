"""How values are spelled in landing files: dates, timestamps with offsets, money, booleans, phones, NPIs,
ids.

Every function here is deterministic given its inputs (and the ``random.Random`` passed in), so files are
byte-identical for a seed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

CHICAGO = ZoneInfo("America/Chicago")

#: Offsets the source systems stamp on their timestamps (the same instant, spelled differently).
OFFSETS: dict[str, timezone] = {
    "Z": UTC,
    "-05:00": timezone(timedelta(hours=-5)),
    "-06:00": timezone(timedelta(hours=-6)),
    "-07:00": timezone(timedelta(hours=-7)),
    "+00:00": UTC,
}


def ts(moment: datetime, offset: str) -> str:
    """ISO-8601 with an explicit offset; ``Z`` spelled as such. ``moment`` is timezone-aware."""
    text = moment.astimezone(OFFSETS[offset]).isoformat(timespec="seconds")
    return text[:-6] + "Z" if offset == "Z" else text


def ts_local(moment: datetime) -> str:
    """The organisation's wall-clock time with its real (DST-aware) offset, e.g. -05:00 in summer."""
    return moment.astimezone(CHICAGO).isoformat(timespec="seconds")


def utc(d: date, seconds: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(seconds=seconds)


def local(d: date, minute_of_day: int) -> datetime:
    """A Chicago wall-clock moment on ``d`` (minute_of_day from midnight)."""
    return datetime(d.year, d.month, d.day, minute_of_day // 60, minute_of_day % 60, tzinfo=CHICAGO)


def day(d: date) -> str:
    return d.isoformat()


def opt_day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def rate(per_ten_thousand: int) -> str:
    return f"{per_ten_thousand // 10000}.{per_ten_thousand % 10000:04d}".rstrip("0").rstrip(".") or "0"


#: Each file spells booleans one way: all three are accepted by the contract.
BOOL_STYLES = (("true", "false"), ("1", "0"), ("yes", "no"))


def boolean(value: bool, style: int = 0) -> str:
    yes, no = BOOL_STYLES[style]
    return yes if value else no


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for dd in (d.day, 30, 29, 28):
        try:
            return date(year, month, dd)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


# ---------------------------------------------------------------- identifiers with rules

LC_USER_ID_FORMS = ("spaced", "compact", "slashed")


def lc_user_id(birth: date, ssn4: str, form: str) -> str:
    """``mmddyyyy ssss`` and its two accepted variants."""
    mm, dd, yyyy = f"{birth.month:02d}", f"{birth.day:02d}", f"{birth.year:04d}"
    if form == "compact":
        return f"{mm}{dd}{yyyy}{ssn4}"
    if form == "slashed":
        return f"{mm}/{dd}/{yyyy} {ssn4}"
    return f"{mm}{dd}{yyyy} {ssn4}"


def luhn_check_digit(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:  # rightmost payload digit is doubled (the check digit will sit to its right)
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return (10 - total % 10) % 10


def npi_from_base(base9: int) -> str:
    """A Luhn-valid NPI: the check digit is computed over ``80840`` + the nine payload digits."""
    payload = f"{base9:09d}"
    return payload + str(luhn_check_digit("80840" + payload))


# ---------------------------------------------------------------- phones

AREA_CODES = (
    312,
    773,
    872,
    630,
    708,
    847,
    224,
    815,
    414,
    262,
    608,
    319,
    515,
    563,
    612,
    651,
    317,
    219,
    574,
    260,
    616,
    313,
    248,
    734,
    216,
    614,
    513,
    502,
    314,
    816,
    913,
    402,
    303,
    720,
    602,
    214,
    713,
    404,
    305,
    212,
    646,
    718,
    617,
    415,
    206,
    503,
)


def random_phone(rng: random.Random) -> str:
    """Ten digits with a real area code and a valid exchange (not N11)."""
    while True:
        exchange = rng.randint(200, 999)
        if exchange % 100 != 11:
            return f"{rng.choice(AREA_CODES)}{exchange}{rng.randint(0, 9999):04d}"


PHONE_FORMATS = (
    "({a}) {e}-{l}",
    "{a}-{e}-{l}",
    "{a}.{e}.{l}",
    "{a}{e}{l}",
    "+1 {a} {e} {l}",
    "+1{a}{e}{l}",
    "1-{a}-{e}-{l}",
    "{a} {e} {l}",
    "({a}){e}-{l}",
    "+1 ({a}) {e}-{l}",
)


def phone_as(ten: str, fmt: int) -> str:
    return PHONE_FORMATS[fmt].format(a=ten[:3], e=ten[3:6], l=ten[6:])


@cache
def e164(ten: str) -> str:
    return "+1" + ten
