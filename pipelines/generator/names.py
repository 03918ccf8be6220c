"""Name pools, nicknames and the deliberately awkward values (non-ASCII, formula- and SQL-looking names)."""

from __future__ import annotations

import random
import unicodedata

NICKNAMES: dict[str, str] = {
    "Robert": "Bob",
    "Elizabeth": "Liz",
    "William": "Bill",
    "Katherine": "Kate",
    "Jennifer": "Jen",
    "Michael": "Mike",
    "Christopher": "Chris",
    "Margaret": "Peggy",
    "Richard": "Rick",
    "James": "Jim",
    "Joseph": "Joe",
    "Thomas": "Tom",
    "Patricia": "Patty",
    "Susan": "Sue",
    "Deborah": "Debbie",
    "Daniel": "Dan",
    "Anthony": "Tony",
    "Matthew": "Matt",
    "Alexander": "Alex",
    "Jessica": "Jess",
    "Rebecca": "Becky",
    "Samantha": "Sam",
    "Nicholas": "Nick",
    "Andrew": "Andy",
    "Benjamin": "Ben",
    "Steven": "Steve",
    "Kimberly": "Kim",
    "Jonathan": "Jon",
    "Catherine": "Cathy",
    "Victoria": "Vicky",
}

FEMALE = (
    "Elizabeth",
    "Katherine",
    "Jennifer",
    "Margaret",
    "Patricia",
    "Susan",
    "Deborah",
    "Jessica",
    "Rebecca",
    "Samantha",
    "Kimberly",
    "Catherine",
    "Victoria",
    "Mary",
    "Linda",
    "Barbara",
    "Sarah",
    "Karen",
    "Nancy",
    "Lisa",
    "Emily",
    "Ashley",
    "Amanda",
    "Melissa",
    "Stephanie",
    "Nicole",
    "Laura",
    "Rachel",
    "Maria",
    "Priya",
    "Aisha",
    "Mei",
    "Fatima",
    "Olivia",
    "Emma",
    "Sophia",
    "Grace",
    "Hannah",
    "Chloe",
    "Megan",
)
MALE = (
    "Robert",
    "William",
    "Michael",
    "Christopher",
    "Richard",
    "James",
    "Joseph",
    "Thomas",
    "Daniel",
    "Anthony",
    "Matthew",
    "Alexander",
    "Nicholas",
    "Andrew",
    "Benjamin",
    "Steven",
    "Jonathan",
    "David",
    "John",
    "Mark",
    "Paul",
    "Kevin",
    "Brian",
    "George",
    "Edward",
    "Ryan",
    "Jason",
    "Eric",
    "Raj",
    "Omar",
    "Wei",
    "Carlos",
    "Luis",
    "Ahmed",
    "Ethan",
    "Noah",
    "Liam",
    "Lucas",
    "Henry",
    "Samuel",
)
LAST = (
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
    "Kowalski",
    "Novak",
    "Schmidt",
    "Patel",
    "Shah",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Singh",
    "Okafor",
    "Adeyemi",
    "Murphy",
    "Sullivan",
    "Kelly",
    "Bennett",
    "Hughes",
    "Foster",
    "Brooks",
    "Sanders",
    "Price",
    "Reyes",
    "Morales",
    "Cruz",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Fischer",
    "Weber",
    "Becker",
    "Larsen",
    "Jensen",
    "Olsen",
    "Ivanov",
    "Petrov",
    "Rossi",
    "Russo",
    "Ferrari",
    "Yamamoto",
    "Tanaka",
    "Suzuki",
    "Haddad",
)

#: Real names a careless pipeline mangles. Nguyễn is the one latin-1 cannot hold.
NON_ASCII_FIRST = ("José", "Zoë", "Chloé", "Björn", "François", "Søren", "Renée", "Inés", "Ångström")
NON_ASCII_LAST = ("Nguyễn", "Núñez", "Müller", "Peña", "Ødegaard", "Dvořák", "Gómez", "Böhm", "Łukasiewicz")
#: Valid rows whose names would execute in a spreadsheet or a naive SQL string: loaded as-is, neutralised on
#: export.
FORMULA_NAMES = ('=HYPERLINK("x")', "+1", "@SUM(A1:A9)", "-2+3")
SQL_NAMES = ("Robert'); DROP TABLE students;--", "O'Brien' OR '1'='1")

PERSONAL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com")
OTHER_ORG_DOMAINS = (
    "stmarys-health.org",
    "lakeviewclinic.com",
    "northshore-med.org",
    "uic.edu",
    "rushmed.org",
)
ORG_DOMAIN = "lakeshorehealth.org"


def first_name(rng: random.Random, sex: str) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(NON_ASCII_FIRST)
    return rng.choice(FEMALE if sex == "F" else MALE)


def last_name(rng: random.Random) -> str:
    return rng.choice(NON_ASCII_LAST) if rng.random() < 0.02 else rng.choice(LAST)


def typo(rng: random.Random, name: str) -> str:
    """One keyboard slip: swap two neighbours, drop or double a letter."""
    if len(name) < 4:
        return name + name[-1]
    i = rng.randint(1, len(name) - 2)
    kind = rng.randrange(3)
    if kind == 0 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def ascii_fold(text: str) -> str:
    """Nguyễn -> Nguyen: what an old HR extract does to characters its code page cannot hold."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def email_local(first: str, last: str) -> str:
    keep = "".join(ch for ch in ascii_fold(f"{first}.{last}").lower() if ch.isalnum() or ch == ".")
    return keep.strip(".") or "user"
