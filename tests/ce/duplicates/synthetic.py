"""A small, seeded population of CE accounts with planted duplicates and their truth.

Each person gets one account; some get a second (or third) one that differs the way real duplicates do:
personal vs organisation e-mail (the SSO account), a nickname, a typo in the surname, first and last name
swapped, a new phone, day and month of birth swapped. Hard non-duplicates are planted too: twins (same
surname, birth date and address, different first name, phone and e-mail) and namesakes (same full name,
different person).
"""

from __future__ import annotations

import datetime as dt
import random

ORG_DOMAIN = "northwind-health.org"
FIRST_NAMES = [
    "Robert",
    "William",
    "Elizabeth",
    "Katherine",
    "James",
    "Michael",
    "David",
    "Christopher",
    "Thomas",
    "Joseph",
    "Daniel",
    "Richard",
    "Margaret",
    "Patricia",
    "Jennifer",
    "Susan",
    "Rebecca",
    "Samuel",
    "Anthony",
    "Andrew",
    "Matthew",
    "Nicholas",
    "Benjamin",
    "Edward",
    "Charles",
    "Deborah",
    "Olivia",
    "Sophia",
    "Emma",
    "Ava",
    "Mia",
    "Noah",
    "Liam",
    "Ethan",
    "Lucas",
    "Mason",
    "Aiden",
    "Grace",
    "Chloe",
    "Zoe",
    "Priya",
    "Wei",
    "Mohammed",
    "Fatima",
    "Carlos",
    "Lucia",
    "Hiroshi",
    "Yuki",
    "Amara",
    "Kwame",
    "Ingrid",
    "Lars",
    "Siobhan",
    "Declan",
    "Mateo",
    "Valentina",
    "Arjun",
    "Mei",
    "Omar",
    "Leila",
]
NICKNAMES = {
    "Robert": "Bob",
    "William": "Bill",
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "James": "Jim",
    "Michael": "Mike",
    "David": "Dave",
    "Christopher": "Chris",
    "Thomas": "Tom",
    "Joseph": "Joe",
    "Daniel": "Dan",
    "Richard": "Rick",
    "Margaret": "Peggy",
    "Patricia": "Trish",
    "Jennifer": "Jen",
    "Susan": "Sue",
    "Rebecca": "Becky",
    "Samuel": "Sam",
    "Anthony": "Tony",
    "Andrew": "Andy",
    "Matthew": "Matt",
    "Nicholas": "Nick",
    "Benjamin": "Ben",
    "Edward": "Ted",
    "Charles": "Chuck",
    "Deborah": "Debbie",
}
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Okafor",
    "Kowalski",
    "Lindqvist",
    "Haddad",
    "Tanaka",
    "Patel",
    "Chen",
    "Novak",
    "Dubois",
]
STREETS = [
    "Oak",
    "Maple",
    "Cedar",
    "Pine",
    "Elm",
    "Lake",
    "Hill",
    "Park",
    "River",
    "Spring",
    "Willow",
    "Birch",
    "Main",
    "Church",
    "Mill",
]
SUFFIXES = (("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"))
PERSONAL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com")
DEGREES = ("MD", "DO", "RN", "NP", "PA", "PharmD")
STATES = ("IL", "WI", "IN", "MN", "IA")


def luhn_npi(rng: random.Random) -> str:
    """A 10-digit NPI whose check digit is Luhn-valid with the 80840 prefix."""
    body = [rng.randint(1, 2)] + [rng.randint(0, 9) for _ in range(8)]
    digits = [8, 0, 8, 4, 0, *body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:  # rightmost payload digit is doubled (the check digit goes to its right)
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    check = (10 - total % 10) % 10
    return "".join(map(str, body)) + str(check)


def _phone(rng: random.Random) -> str:
    return f"+1{rng.choice((312, 773, 630, 847, 414, 608))}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"


def _typo(rng: random.Random, word: str) -> str:
    """Swap two neighbouring letters (Damerau distance 1)."""
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _person(rng: random.Random, pid: int) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    street, (suffix, abbr) = rng.choice(STREETS), rng.choice(SUFFIXES)
    has_license = rng.random() < 0.8
    return {
        "person_id": f"P{pid:05d}",
        "first_name": first,
        "last_name": last,
        "birth_date": dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 50 * 365)),
        "mobile_phone": _phone(rng) if rng.random() < 0.9 else None,
        "degree": rng.choice(DEGREES),
        "license_state": rng.choice(STATES) if has_license else None,
        "license_number": f"{rng.randint(10, 99)}-{rng.randint(100000, 999999)}" if has_license else None,
        "npi": luhn_npi(rng) if rng.random() < 0.6 else None,
        "street": f"{rng.randint(1, 9999)} {street} {suffix}",
        "street_abbr": f"{rng.randint(1, 9999)} {street} {abbr}",
        "city": "Chicago",
        "state": "IL",
        "postal_code": f"60{rng.randint(100, 699)}",
    }


def _account(person: dict, account_id: str, *, sso: bool, rng: random.Random, **changes) -> dict:
    first, last = (
        changes.pop("first_name", person["first_name"]),
        changes.pop("last_name", person["last_name"]),
    )
    if sso:
        email = person["org_email"]
    else:
        email = f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(PERSONAL_DOMAINS)}".lower()
    row = {
        "account_id": account_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "degree": person["degree"],
        "mobile_phone": person["mobile_phone"],
        "birth_date": person["birth_date"],
        "license_state": person["license_state"],
        "license_number": person["license_number"],
        "npi": person["npi"],
        "street": person["street"],
        "city": person["city"],
        "state": person["state"],
        "postal_code": person["postal_code"],
        "login_method": "sso" if sso else "password",
        "person_id": person["person_id"] if sso else None,
        "created_at": dt.datetime(2020, 1, 1) + dt.timedelta(hours=rng.randrange(0, 4 * 8760)),
    }
    row.update(changes)
    return row


def _duplicate_changes(rng: random.Random, person: dict, kind: str) -> dict:
    first, last = person["first_name"], person["last_name"]
    if kind == "nickname" and first in NICKNAMES:
        return {"first_name": NICKNAMES[first]}
    if kind == "typo" and len(last) >= 5:
        return {"last_name": _typo(rng, last)}
    if kind == "swapped":
        return {"first_name": last, "last_name": first}
    if kind == "new_phone":
        return {"mobile_phone": _phone(rng), "street": person["street_abbr"]}
    if (
        kind == "day_month_swapped"
        and person["birth_date"].day <= 12
        and person["birth_date"].day != person["birth_date"].month
    ):
        b = person["birth_date"]
        return {"birth_date": dt.date(b.year, b.day, b.month)}
    # changed everything you can change at once: nickname, phone and e-mail differ, no license on the new one
    return {
        "first_name": NICKNAMES.get(first, first),
        "mobile_phone": _phone(rng),
        "license_state": None,
        "license_number": None,
    }


KINDS = ("nickname", "typo", "swapped", "new_phone", "day_month_swapped", "many_changes")


def synthetic_accounts(n_people: int = 300, seed: int = 7, duplicate_share: float = 0.15):
    """(accounts rows, truth rows {cluster_id, account_id}) for ``n_people`` people."""
    rng = random.Random(seed)
    accounts: list[dict] = []
    truth: list[dict] = []
    next_id = iter(range(100000, 999999))
    org_emails: set[str] = set()

    def with_org_email(person: dict) -> dict:
        """The organisation hands out jsmith@, then jsmith2@ ...: unique per person."""
        stem, n = f"{person['first_name'][0]}{person['last_name']}".lower(), 1
        while (email := f"{stem}{n if n > 1 else ''}@{ORG_DOMAIN}") in org_emails:
            n += 1
        org_emails.add(email)
        return person | {"org_email": email}

    for pid in range(n_people):
        person = with_org_email(_person(rng, pid))
        sso = rng.random() < 0.5
        own = [_account(person, f"A{next(next_id)}", sso=sso, rng=rng)]
        if rng.random() < duplicate_share:
            kind = rng.choice(KINDS)
            own.append(
                _account(
                    person, f"A{next(next_id)}", sso=not sso, rng=rng, **_duplicate_changes(rng, person, kind)
                )
            )
            if rng.random() < 0.15:  # a third account
                own.append(
                    _account(person, f"A{next(next_id)}", sso=False, rng=rng, mobile_phone=_phone(rng))
                )
        if len(own) > 1:
            truth += [{"cluster_id": person["person_id"], "account_id": a["account_id"]} for a in own]
        accounts += own
        if rng.random() < 0.03:  # a twin: same surname, birth date and address; a different person
            twin = with_org_email(
                dict(person, person_id=f"T{pid:05d}", first_name=rng.choice(FIRST_NAMES), npi=None)
            )
            twin |= {"mobile_phone": _phone(rng), "license_number": None, "license_state": None}
            if twin["first_name"] != person["first_name"]:
                accounts.append(_account(twin, f"A{next(next_id)}", sso=False, rng=rng))
        if rng.random() < 0.03:  # a namesake: same full name, nothing else in common
            other = _person(rng, 90000 + pid) | {
                "first_name": person["first_name"],
                "last_name": person["last_name"],
            }
            accounts.append(
                _account(with_org_email(other), f"A{next(next_id)}", sso=rng.random() < 0.5, rng=rng)
            )
    return accounts, truth
