"""CE portal accounts, with planted duplicate accounts and their ground truth.

Employees sign in with SSO (person_id, organisation e-mail); outside clinicians register with a password.
Duplicates are the real-world kinds: an old personal-e-mail account beside the SSO one, a nickname, a typo,
swapped first/last names, a new phone with a new e-mail, a few people with a third account, and from the small
scale on also a surname changed at marriage (new or hyphenated), a middle initial typed into the first-name
field, accents dropped or added, birth day and month swapped, and the same e-mail name at another provider.
Every variant writes its phone in a format of its own.

Hard non-duplicates are planted with their truth (``truth/duplicate_hard_negatives.csv``): twins (same
surname, birth date and address, different first names), father and son (same name and address, birth dates
decades apart, or both in practice with their own NPIs when a birth date is missing, sometimes with Jr on the
son's surname) and spouses (same address, surname and home phone, different first names). They are made from
self-registered accounts (never SSO ones, whose names come from HR), so no account is added.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import jellyfish

from domain.ce.duplicates.nicknames import name_forms

from . import formats, names
from .context import GenContext
from .people import Person
from .scales import END_DATE

DUPLICATE_KINDS = (
    "personal_vs_org",
    "nickname",
    "typo",
    "swapped_names",
    "changed_phone",
    "third_account",
    "married_name",
    "middle_initial",
    "accents",
    "day_month_swap",
    "email_domain",
)
#: Clusters at the smallest scales: one of each of the first six kinds (the tiny scale's 40 accounts).
MIN_DUPLICATE_CLUSTERS = 6
HARD_NEGATIVE_KINDS = ("twins", "father_son", "spouses")
#: Pairs of each hard-negative kind per account (none at the tiny scale).
HARD_NEGATIVE_SHARE = 0.004
EXTERNAL_DEGREES = (
    ("RN", 40),
    ("MD", 18),
    ("NP", 9),
    ("PA", 5),
    ("PharmD", 8),
    ("DO", 4),
    ("PT", 3),
    ("RD", 2),
    ("MSW", 3),
    ("LPN", 3),
    ("CRNA", 1),
    ("DDS", 1),
    ("PhD", 2),
    ("Other", 1),
)
LICENSED = frozenset({"MD", "DO", "RN", "NP", "PA", "PharmD", "LPN", "CRNA", "PT", "RD", "MSW", "DDS"})
PRESCRIBERS = frozenset({"MD", "DO", "NP", "PA", "PharmD", "CRNA", "DDS"})
CITIES = (
    ("Chicago", "IL", "606"),
    ("Evanston", "IL", "602"),
    ("Oak Park", "IL", "603"),
    ("Naperville", "IL", "605"),
    ("Milwaukee", "WI", "532"),
    ("Gary", "IN", "464"),
    ("Joliet", "IL", "604"),
    ("Skokie", "IL", "600"),
    ("Kenosha", "WI", "531"),
    ("Aurora", "IL", "605"),
)
STREETS = (
    "Oak",
    "Maple",
    "Lake Shore",
    "Cedar",
    "Elm",
    "Washington",
    "Lincoln",
    "Sheridan",
    "Halsted",
    "Clark",
    "Ashland",
    "Western",
    "Green Bay",
    "Ridge",
    "Central",
)
SUFFIXES = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct")


@dataclass(slots=True)
class Account:
    account_id: str
    email: str
    first_name: str
    last_name: str
    degree: str
    phone: str | None  # ten digits; spelled in phone_format
    phone_format: int
    birth_date: date | None
    license_state: str | None
    license_number: str | None
    npi: str | None
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    login_method: str
    person_id: str | None
    created_at: datetime
    cluster: str | None = None


class Uniques:
    """Phones, NPIs and licence numbers are unique per real person (duplicates copy them on purpose)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.phones: set[str] = set()
        self.npis: set[str] = set()
        self.licenses: set[str] = set()

    def phone(self) -> str:
        while (p := formats.random_phone(self.rng)) in self.phones:
            pass
        self.phones.add(p)
        return p

    def npi(self) -> str:
        while (n := formats.npi_from_base(self.rng.randint(100_000_000, 298_999_999))) in self.npis:
            pass
        self.npis.add(n)
        return n

    def license(self, degree: str) -> str:
        prefix = {
            "RN": "041",
            "LPN": "043",
            "NP": "209",
            "MD": "036",
            "DO": "036",
            "PA": "085",
            "PharmD": "051",
        }
        while (lic := f"{prefix.get(degree, '099')}.{self.rng.randint(0, 999_999):06d}") in self.licenses:
            pass
        self.licenses.add(lic)
        return lic


def build_accounts(ctx: GenContext, people: list[Person], uniques: Uniques) -> list[Account]:
    rng = ctx.rng("ce_accounts")
    target = ctx.spec.ce_accounts
    n_clusters = max(MIN_DUPLICATE_CLUSTERS, round(target * 0.025))
    kinds = [DUPLICATE_KINDS[i % len(DUPLICATE_KINDS)] for i in range(n_clusters)]
    n_extra = n_clusters + kinds.count("third_account")
    n_base = target - n_extra
    clinicians = [p for p in people if p.degree and not p.is_student]
    n_sso = min(len(clinicians), round(n_base * 0.45))
    base: list[Account] = [_sso_account(rng, p, uniques) for p in rng.sample(clinicians, n_sso)]
    base += [_external_account(rng, uniques) for _ in range(n_base - n_sso)]
    # valid accounts whose names would run in a spreadsheet or a naive SQL string (the xlsx must keep them
    # text)
    base[n_sso].last_name = names.FORMULA_NAMES[0]
    base[n_sso + 1].first_name = names.SQL_NAMES[1]

    variants: list[Account] = []
    used: set[int] = set()
    sso_idx = [i for i, a in enumerate(base) if a.login_method == "sso"]
    nick_idx = [i for i, a in enumerate(base) if a.first_name in names.NICKNAMES]
    for c, kind in enumerate(kinds, start=1):
        pool = (
            sso_idx
            if kind in ("personal_vs_org", "third_account")
            else nick_idx
            if kind == "nickname"
            else None
        )
        i = _pick(rng, pool, len(base), used)
        if i is None:  # no base of the needed shape left: fall back to a typo pair
            kind, i = "typo", _pick(rng, None, len(base), used)
        original = base[i]
        original.cluster = f"DUP{c:05d}"
        if kind in ("personal_vs_org", "nickname") and original.phone is None:
            original.phone = (
                uniques.phone()
            )  # both accounts list it: a shared phone (ambiguous texts) at every scale
        made = _variants(rng, original, kind, uniques)
        variants += made
        ctx.truth.count("duplicates", kind)
    reserved = used | {n_sso, n_sso + 1}  # the formula and SQL names stay as planted
    relatives = _plant_hard_negatives(rng, base, reserved, uniques, round(target * HARD_NEGATIVE_SHARE))
    accounts = base + variants
    accounts.sort(key=lambda a: (a.created_at, a.email))
    for n, a in enumerate(accounts, start=1):
        a.account_id = f"CE{100000 + n}"
    for a in accounts:
        if a.cluster:
            ctx.truth.duplicate_accounts.append((a.cluster, a.account_id))
    ctx.truth.duplicate_accounts.sort()
    for kind, a, b in relatives:
        ctx.truth.hard_negatives.append((kind, *sorted((a.account_id, b.account_id))))
        ctx.truth.count("hard_negatives", kind)
    ctx.truth.hard_negatives.sort()
    ctx.truth.set("duplicates", "clusters", n_clusters)
    ctx.truth.set("duplicates", "accounts_in_clusters", len(ctx.truth.duplicate_accounts))
    ctx.truth.set("duplicates", "clusters_of_three", kinds.count("third_account"))
    ctx.truth.set("ce_accounts", "accounts", len(accounts))
    ctx.truth.set("ce_accounts", "sso_accounts", sum(1 for a in accounts if a.login_method == "sso"))
    return accounts


def _unrelated_first_name(rng: random.Random, first: str) -> str:
    """A first name no matcher could take for ``first`` (no shared nickname form, not a near spelling)."""
    for _ in range(50):
        other = names.first_name(rng, rng.choice("FM"))
        if not (name_forms(names.ascii_fold(other)) & name_forms(names.ascii_fold(first))) and (
            jellyfish.jaro_winkler_similarity(other.lower(), first.lower()) < 0.8
        ):
            return other
    return "Zebulon" if first != "Zebulon" else "Quentin"


def _plant_hard_negatives(
    rng: random.Random, base: list[Account], used: set[int], uniques: Uniques, n_each: int
) -> list[tuple[str, Account, Account]]:
    """Turn pairs of unused self-registered accounts into relatives who are two people (see the module
    doc)."""
    if n_each == 0:  # the tiny scale: draw nothing, so its data stays as it was
        return []
    pool = [i for i, a in enumerate(base) if a.login_method == "password" and i not in used]
    rng.shuffle(pool)
    out = []
    for kind in HARD_NEGATIVE_KINDS:
        for _ in range(n_each):
            if len(pool) < 2:
                return out
            o, r = base[pool.pop()], base[pool.pop()]
            out.append((kind, o, r))
            if o.street is None:
                o.street, o.city, o.state, o.postal_code = _address(rng)
            r.street, r.city, r.state, r.postal_code = o.street, o.city, o.state, o.postal_code
            r.last_name = o.last_name
            domain = r.email.split("@")[1]
            r.email = f"{names.email_local(r.first_name, r.last_name)}{rng.randint(1, 9999)}@{domain}"
            if kind == "twins":
                o.birth_date = o.birth_date or formats.random_day(rng, date(1960, 1, 1), date(2000, 12, 31))
                r.birth_date = o.birth_date
                r.first_name = _unrelated_first_name(rng, o.first_name)
            elif kind == "spouses":
                r.first_name = _unrelated_first_name(rng, o.first_name)
                if o.phone is None:
                    o.phone = uniques.phone()
                r.phone, r.phone_format = o.phone, rng.randrange(len(formats.PHONE_FORMATS))  # the home phone
                if o.birth_date and r.birth_date:
                    r.birth_date = o.birth_date + timedelta(days=rng.randint(-8 * 365, 8 * 365))
            else:  # father and son: the son carries the father's name
                r.first_name = o.first_name
                if o.birth_date:
                    years = rng.randint(25, 35)
                    older = o.birth_date.year < 1980
                    r.birth_date = o.birth_date + timedelta(
                        days=(years if older else -years) * 365 + rng.randint(0, 300)
                    )
                else:  # no birth date to tell them apart: both in practice, each with his own NPI
                    r.birth_date = None
                    o.degree, r.degree = "MD", "MD"
                    o.npi, r.npi = o.npi or uniques.npi(), uniques.npi()
                son = r if (r.birth_date or date.max) > (o.birth_date or date.min) else o
                if rng.random() < 0.3:
                    son.last_name = f"{son.last_name} Jr"
    return out


def _pick(rng: random.Random, pool: list[int] | None, n: int, used: set[int]) -> int | None:
    """A random unused index (retries, not a filtered copy: medium scale picks 1,500 bases among 58,000)."""
    size = len(pool) if pool is not None else n
    for _ in range(50):
        j = rng.randrange(size) if size else None
        i = None if j is None else (pool[j] if pool is not None else j)
        if i is not None and i not in used:
            used.add(i)
            return i
    return None


def _address(rng: random.Random) -> tuple[str, str, str, str]:
    city, state, zip3 = rng.choice(CITIES)
    street = f"{rng.randint(100, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.15:
        street += f" Apt {rng.randint(1, 40)}{rng.choice('ABCD')}"
    postal = f"{zip3}{rng.randint(1, 99):02d}" + (
        f"-{rng.randint(1, 9999):04d}" if rng.random() < 0.2 else ""
    )
    return street, city, state, postal


def _created(rng: random.Random, start: date = date(2016, 1, 1)) -> datetime:
    d = formats.random_day(rng, start, END_DATE)
    return datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 86399))


def _fill(rng: random.Random, a: Account, uniques: Uniques) -> Account:
    if rng.random() < 0.8:
        a.phone, a.phone_format = uniques.phone(), rng.randrange(len(formats.PHONE_FORMATS))
    if a.degree in LICENSED and rng.random() < 0.85:
        a.license_state, a.license_number = (
            rng.choice(("IL", "IL", "IL", "WI", "IN")),
            uniques.license(a.degree),
        )
    if a.degree in PRESCRIBERS and rng.random() < 0.9:
        a.npi = uniques.npi()
    if rng.random() < 0.7:
        a.street, a.city, a.state, a.postal_code = _address(rng)
    return a


def _sso_account(rng: random.Random, p: Person, uniques: Uniques) -> Account:
    a = Account(
        "",
        p.email,
        p.first_name,
        p.last_name,
        p.degree or "Other",
        None,
        0,
        p.birth_date,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "sso",
        p.person_id,
        _created(rng, max(p.hire_date, date(2019, 6, 1))),
    )
    return _fill(rng, a, uniques)


def _external_account(rng: random.Random, uniques: Uniques) -> Account:
    sex = rng.choice("FM")
    first, last = names.first_name(rng, sex), names.last_name(rng)
    degree = rng.choices([d for d, _ in EXTERNAL_DEGREES], weights=[w for _, w in EXTERNAL_DEGREES])[0]
    birth = END_DATE - timedelta(days=rng.randint(24 * 365, 70 * 365)) if rng.random() < 0.85 else None
    domain = rng.choice(names.PERSONAL_DOMAINS if rng.random() < 0.7 else names.OTHER_ORG_DOMAINS)
    email = f"{names.email_local(first, last)}{rng.randint(1, 9999)}@{domain}"
    a = Account(
        "",
        email,
        first,
        last,
        degree,
        None,
        0,
        birth,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "password",
        None,
        _created(rng),
    )
    return _fill(rng, a, uniques)


def _personal_email(rng: random.Random, first: str, last: str, birth: date | None) -> str:
    year = birth.year if birth and rng.random() < 0.6 else rng.randint(1, 99)
    local = rng.choice(
        (
            f"{names.email_local(first, last)}{year}",
            f"{names.email_local(first, '')[:1]}{names.email_local(last, '')}{year}",
        )
    )
    return f"{local}@{rng.choice(names.PERSONAL_DOMAINS)}"


def _variants(rng: random.Random, o: Account, kind: str, uniques: Uniques) -> list[Account]:
    """The other account(s) of the same person, sharing the evidence a matcher should find."""

    def personal_copy(**changes) -> Account:
        v = replace(
            o, login_method="password", person_id=None, created_at=_created(rng, date(2014, 1, 1)), **changes
        )
        if "email" not in changes:
            v.email = _personal_email(rng, v.first_name, v.last_name, o.birth_date)
        if rng.random() < 0.3:
            v.npi = None  # the old account never recorded it
        v.phone_format = rng.randrange(len(formats.PHONE_FORMATS))
        return v

    if kind == "personal_vs_org":
        return [personal_copy(birth_date=o.birth_date if rng.random() < 0.7 else None)]
    if kind == "nickname":
        return [personal_copy(first_name=names.NICKNAMES[o.first_name])]
    if kind == "typo":
        if rng.random() < 0.5:
            return [personal_copy(last_name=names.typo(rng, o.last_name))]
        return [personal_copy(first_name=names.typo(rng, o.first_name))]
    if kind == "swapped_names":
        return [personal_copy(first_name=o.last_name, last_name=o.first_name)]
    if kind == "changed_phone":
        return [personal_copy(phone=uniques.phone())]
    if kind == "married_name":
        new = names.last_name(rng)
        return [personal_copy(last_name=f"{o.last_name}-{new}" if rng.random() < 0.4 else new)]
    if kind == "middle_initial":
        return [personal_copy(first_name=f"{o.first_name} {rng.choice('ABCDEFGHJKLMNPRSTW')}.")]
    if kind == "accents":
        return [personal_copy(last_name=_accented(rng, o.last_name), first_name=_accented(rng, o.first_name))]
    if kind == "day_month_swap":
        b = o.birth_date
        if b and b.day <= 12 and b.day != b.month:
            return [personal_copy(birth_date=date(b.year, b.day, b.month))]
        return [personal_copy(last_name=names.typo(rng, o.last_name))]
    if kind == "email_domain":
        local, domain = o.email.split("@")
        other = rng.choice([d for d in names.PERSONAL_DOMAINS if d != domain])
        return [personal_copy(email=f"{local}@{other}")]
    # third_account: an old personal account and, later, another one under a nickname or with a typo
    nick = names.NICKNAMES.get(o.first_name) or names.typo(rng, o.first_name)
    return [personal_copy(), personal_copy(first_name=nick, phone=uniques.phone() if o.phone else None)]


_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "n": "ñ", "c": "ç"}


def _accented(rng: random.Random, name: str) -> str:
    """Nguyen ~ Nguyễn the other way round: one letter gets an accent (or an accented name loses its
    accents)."""
    folded = names.ascii_fold(name)
    if folded != name:
        return folded
    spots = [i for i, ch in enumerate(name) if ch in _ACCENTS]
    if not spots:
        return name
    i = rng.choice(spots)
    return name[:i] + _ACCENTS[name[i]] + name[i + 1 :]


# ---------------------------------------------------------------- files

NEW_ACCOUNTS_FROM = datetime(2026, 10, 1, tzinfo=UTC)


def account_row(a: Account) -> dict[str, str | None]:
    return {
        "account_id": a.account_id,
        "email": a.email,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "degree": a.degree,
        "mobile_phone": formats.phone_as(a.phone, a.phone_format) if a.phone else None,
        "birth_date": formats.opt_day(a.birth_date),
        "license_state": a.license_state,
        "license_number": a.license_number,
        "npi": a.npi,
        "street": a.street,
        "city": a.city,
        "state": a.state,
        "postal_code": a.postal_code,
        "login_method": a.login_method,
        "person_id": a.person_id,
        "created_at": formats.ts(a.created_at, "Z"),
    }


def write_accounts(ctx: GenContext, accounts: list[Account]) -> None:
    """The portal's xlsx export up to September plus a csv of October sign-ups; and a corrupt older export."""
    old = [a for a in accounts if a.created_at < NEW_ACCOUNTS_FROM]
    new = [a for a in accounts if a.created_at >= NEW_ACCOUNTS_FROM]
    sw = ctx.writer("ce_accounts", len(accounts))
    defects = ctx.defects("ce_accounts", 2, len(accounts))
    if not new:  # a tiny scale may have no October sign-up: all bad rows go to the export
        defects = [defects[0] + defects[1], []]
    with sw.open("ce_accounts_export_2026-09-30.xlsx", expected_rows=len(old), defects=defects[0]) as out:
        for a in old:
            out.write(account_row(a))
    with sw.open("ce_accounts_new_2026-10.csv", expected_rows=len(new), defects=defects[1]) as out:
        for a in new:
            out.write(account_row(a))
    sample = [dict(account_row(a), account_id=f"CE0{i:05d}") for i, a in enumerate(old[:5])]
    sw.reject_corrupt_xlsx("ce_accounts_export_2026-08-31.xlsx", sample)
    ctx.done(sw)
