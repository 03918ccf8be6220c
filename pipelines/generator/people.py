"""The health system's workforce (lc_people): departments, job roles, a manager hierarchy, students, leavers.

The people are kept in memory (they are few next to the event streams) because CE accounts, completions and
login events all refer to them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from . import formats, names
from .context import GenContext
from .scales import END_DATE
from .seeding import stable_hash

# (department, role weights). Ordered so the first few (all a tiny scale gets) mix clinical and support roles.
DEPARTMENTS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    (
        "Medical-Surgical",
        (
            ("Registered Nurse", 50),
            ("Patient Care Technician", 15),
            ("Nurse Practitioner", 5),
            ("Physician", 8),
            ("Physician Assistant", 3),
            ("Unit Secretary", 5),
            ("Nursing Student", 6),
            ("Licensed Practical Nurse", 4),
            ("Respiratory Therapist", 4),
        ),
    ),
    (
        "Emergency Department",
        (
            ("Registered Nurse", 45),
            ("Physician", 15),
            ("Physician Assistant", 8),
            ("Nurse Practitioner", 5),
            ("Patient Care Technician", 12),
            ("Unit Secretary", 5),
            ("Nursing Student", 5),
            ("Medical Student", 5),
        ),
    ),
    ("Pharmacy", (("Pharmacist", 45), ("Pharmacy Technician", 45), ("Pharmacy Student", 10))),
    ("Information Technology", (("IT Analyst", 70), ("Help Desk Technician", 30))),
    (
        "Intensive Care Unit",
        (
            ("Registered Nurse", 60),
            ("Physician", 12),
            ("Nurse Practitioner", 8),
            ("Respiratory Therapist", 10),
            ("Patient Care Technician", 10),
        ),
    ),
    (
        "Oncology",
        (
            ("Registered Nurse", 45),
            ("Physician", 15),
            ("Nurse Practitioner", 10),
            ("Pharmacist", 10),
            ("Social Worker", 5),
            ("Patient Care Technician", 10),
            ("Research Scientist", 5),
        ),
    ),
    (
        "Pediatrics",
        (
            ("Registered Nurse", 50),
            ("Physician", 15),
            ("Nurse Practitioner", 10),
            ("Patient Care Technician", 15),
            ("Social Worker", 5),
            ("Medical Student", 5),
        ),
    ),
    (
        "Labor & Delivery",
        (
            ("Registered Nurse", 60),
            ("Physician", 15),
            ("CRNA", 5),
            ("Patient Care Technician", 15),
            ("Nursing Student", 5),
        ),
    ),
    (
        "Radiology",
        (
            ("Radiologic Technologist", 60),
            ("Physician", 20),
            ("Registered Nurse", 10),
            ("Unit Secretary", 10),
        ),
    ),
    ("Laboratory", (("Medical Laboratory Scientist", 70), ("Phlebotomist", 30))),
    (
        "Cardiology",
        (
            ("Registered Nurse", 40),
            ("Physician", 20),
            ("Nurse Practitioner", 10),
            ("Physician Assistant", 10),
            ("Cardiovascular Technologist", 20),
        ),
    ),
    (
        "Surgery",
        (
            ("Registered Nurse", 40),
            ("Physician", 20),
            ("CRNA", 10),
            ("Surgical Technologist", 20),
            ("Physician Assistant", 10),
        ),
    ),
    (
        "Behavioral Health",
        (
            ("Registered Nurse", 40),
            ("Social Worker", 25),
            ("Physician", 10),
            ("Nurse Practitioner", 10),
            ("Mental Health Technician", 15),
        ),
    ),
    (
        "Rehabilitation Services",
        (("Physical Therapist", 50), ("Occupational Therapist", 30), ("Rehab Aide", 20)),
    ),
    ("Nutrition Services", (("Registered Dietitian", 40), ("Dietary Aide", 60))),
    ("Case Management", (("Registered Nurse", 50), ("Social Worker", 50))),
    ("Patient Access", (("Patient Access Representative", 80), ("Unit Secretary", 20))),
    ("Environmental Services", (("Environmental Services Technician", 100),)),
    ("Human Resources", (("HR Generalist", 70), ("Recruiter", 30))),
    ("Finance", (("Financial Analyst", 60), ("Accountant", 40))),
)
CLINICAL = frozenset(
    d for d, roles in DEPARTMENTS if any(r in ("Registered Nurse", "Physician") for r, _ in roles)
)
EXECUTIVE_DEPARTMENT = "Executive Office"

#: The CE degree a job role holds (roles absent here earn no CE credit and have no CE account).
ROLE_DEGREE = {
    "Registered Nurse": "RN",
    "Nurse Practitioner": "NP",
    "Physician Assistant": "PA",
    "Pharmacist": "PharmD",
    "Licensed Practical Nurse": "LPN",
    "CRNA": "CRNA",
    "Physical Therapist": "PT",
    "Registered Dietitian": "RD",
    "Social Worker": "MSW",
    "Research Scientist": "PhD",
    "Respiratory Therapist": "Other",
}


@dataclass(slots=True)
class Person:
    person_id: str
    first_name: str
    last_name: str
    sex: str
    birth_date: date
    ssn4: str
    email: str
    department: str
    job_role: str
    manager_id: str | None
    hire_date: date
    termination_date: date | None
    is_student: bool
    degree: str | None
    id_form: str
    moved_from: str | None = None  # department on the September roster, when the October update moves them
    #: street, city, state, postal code: only people whose plan membership is planted by address have one
    address: tuple[str, str, str, str] | None = None

    @property
    def username(self) -> str:
        return self.email.split("@")[0]

    def active_on(self, d: date) -> bool:
        return self.hire_date <= d and (self.termination_date is None or self.termination_date > d)


def build_people(ctx: GenContext) -> list[Person]:
    rng = ctx.rng("people")
    n = ctx.spec.people
    depts = DEPARTMENTS[: ctx.spec.departments]
    emails: set[str] = set()
    ids: set[str] = set()
    made: list[Person] = []

    def new(dept: str, role: str, manager: Person | None) -> Person:
        student = "Student" in role
        sex = rng.choice("FM")
        age = rng.randint(19, 30) if student else rng.randint(22, 68)
        birth = END_DATE - timedelta(days=age * 365 + rng.randint(0, 364))
        while True:  # birth date + SSN4 must identify one person
            ssn4 = f"{rng.randint(1, 9999):04d}"
            if formats.lc_user_id(birth, ssn4, "compact") not in ids:
                ids.add(formats.lc_user_id(birth, ssn4, "compact"))
                break
        first, last = names.first_name(rng, sex), names.last_name(rng)
        email = _unique_email(names.email_local(first, last), emails, rng)
        years = rng.uniform(0, 2) if student else min(age - 20, rng.expovariate(1 / 7))
        hire = END_DATE - timedelta(days=int(years * 365) + 1)
        term = None
        if rng.random() < 0.09 and (END_DATE - hire).days > 60:
            term = formats.random_day(rng, hire + timedelta(days=30), END_DATE)
        degree = ROLE_DEGREE.get(role)
        if role == "Physician":
            degree = "DO" if rng.random() < 0.15 else "MD"
        form = rng.choices(formats.LC_USER_ID_FORMS, weights=(60, 25, 15))[0]
        person = Person(
            "",
            first,
            last,
            sex,
            birth,
            ssn4,
            email,
            dept,
            role,
            manager.person_id if manager else None,
            hire,
            term,
            student,
            degree,
            form,
        )
        made.append(person)
        return person

    # person_ids are handed out in a shuffled order so the hierarchy is not readable from the ids
    id_numbers = rng.sample(range(100_001, 100_001 + n * 3), n)
    ceo = new(EXECUTIVE_DEPARTMENT, "Chief Executive Officer", None)
    ceo.person_id = f"P{id_numbers[0]}"
    weights = [3 if d in CLINICAL else 1 for d, _ in depts]
    staff_total = n - 1 - 2 * len(depts)
    sizes = [max(1, round(staff_total * w / sum(weights))) for w in weights]
    sizes[0] += staff_total - sum(sizes)
    for (dept, roles), size in zip(depts, sizes, strict=True):
        director = _assign(new(dept, "Director", ceo), id_numbers, made)
        n_managers = max(1, size // 25)
        mgr_role = "Nurse Manager" if dept in CLINICAL else "Manager"
        managers = [_assign(new(dept, mgr_role, director), id_numbers, made) for _ in range(n_managers)]
        role_names, role_weights = zip(*roles, strict=True)
        for _ in range(size - (n_managers - 1)):
            if len(made) >= n:
                break
            role = rng.choices(role_names, weights=role_weights)[0]
            boss = None if rng.random() < 0.01 else rng.choice(managers)  # a vacant manager post
            _assign(new(dept, role, boss), id_numbers, made)
    _plant_awkward_names(rng, made)
    made.sort(key=lambda p: p.person_id)
    _plant_department_moves(rng, made, [d for d, _ in depts])
    return made


def _assign(person: Person, id_numbers: list[int], made: list[Person]) -> Person:
    person.person_id = f"P{id_numbers[len(made) - 1]}"
    return person


def _unique_email(local: str, used: set[str], rng: random.Random) -> str:
    candidate = local
    while f"{candidate}@{names.ORG_DOMAIN}" in used:
        candidate = f"{local}{rng.randint(2, 99)}"
    used.add(f"{candidate}@{names.ORG_DOMAIN}")
    return f"{candidate}@{names.ORG_DOMAIN}"


def _plant_awkward_names(rng: random.Random, people: list[Person]) -> None:
    """A few valid people whose names look like spreadsheet formulas or SQL (they must load untouched)."""
    staff = [p for p in people if p.manager_id][1:]
    picks = rng.sample(staff, min(len(staff), len(names.FORMULA_NAMES) + 1))
    for person, value in zip(picks, (*names.FORMULA_NAMES, names.SQL_NAMES[0]), strict=False):
        if value.startswith("Robert"):
            person.first_name = value
        else:
            person.last_name = value


def _plant_department_moves(rng: random.Random, people: list[Person], departments: list[str]) -> None:
    """Some people move department in October (the update file replaces their roster row).

    The first two movers carry names the latin-1 update file must hold (Zoë) or fold (Nguyễn -> Nguyen), so
    the file really is latin-1 and not accidentally ASCII.
    """
    staff = [
        p
        for p in people
        if p.manager_id
        and p.hire_date <= ROSTER_DATE
        and not p.termination_date
        and p.first_name.isalpha()
        and p.last_name.isalpha()
    ]
    movers = sorted(rng.sample(staff, max(2, len(staff) // 50)), key=lambda p: p.person_id)
    for p in movers:
        p.moved_from = p.department
        p.department = rng.choice([d for d in departments if d != p.department])
    movers[0].first_name = "Zoë" if movers[0].sex == "F" else "José"
    movers[1].last_name = "Nguyễn"


# ---------------------------------------------------------------- lc_people files

ROSTER_DATE = date(2026, 9, 30)


def write_people(ctx: GenContext, people: list[Person]) -> None:
    """The September roster (UTF-8 with BOM, two extra HR columns) and the October update (latin-1).

    The update carries October hires, October leavers and department moves; its row replaces the roster's.
    """
    in_roster = [p for p in people if p.hire_date <= ROSTER_DATE]
    updates = [
        p
        for p in people
        if p.hire_date > ROSTER_DATE
        or (p.termination_date and p.termination_date > ROSTER_DATE)
        or p.moved_from
    ]
    sw = ctx.writer("lc_people", len(people) + len(updates))
    defects = ctx.defects("lc_people", 2, len(people))
    extra = {
        "badge_number": (2, lambda row: f"B{row['person_id'][1:]}"),
        "cost_center": (99, lambda row: f"CC-{stable_hash(row['department'] or '') % 9000 + 1000}"),
    }
    with sw.open(
        "hr_roster_2026-09-30.csv",
        expected_rows=len(in_roster),
        defects=defects[0],
        encoding="utf-8-sig",
        extra=extra,
    ) as out:
        for p in in_roster:
            before = replace(p, department=p.moved_from or p.department)
            if before.termination_date and before.termination_date > ROSTER_DATE:
                before.termination_date = None
            out.write(person_row(before, bool_style=0))
    with sw.open(
        "hr_roster_update_2026-10-31.csv", expected_rows=len(updates), defects=defects[1], encoding="latin-1"
    ) as out:
        for p in updates:
            out.write(person_row(p, bool_style=2))
    ctx.truth.set("lc_people", "people", len(people))
    ctx.truth.set("lc_people", "terminated", sum(1 for p in people if p.termination_date))
    ctx.truth.set("lc_people", "students", sum(1 for p in people if p.is_student))
    ctx.truth.set(
        "lc_people", "rows_replaced_by_update", sum(1 for p in updates if p.hire_date <= ROSTER_DATE)
    )
    ctx.truth.set("lc_people", "department_moves", sum(1 for p in people if p.moved_from))
    ctx.truth.set("lc_people", "new_in_update", sum(1 for p in updates if p.hire_date > ROSTER_DATE))
    ctx.done(sw)


def person_row(p: Person, bool_style: int) -> dict[str, str | None]:
    return {
        "person_id": p.person_id,
        "lc_user_id": formats.lc_user_id(p.birth_date, p.ssn4, p.id_form),
        "first_name": p.first_name,
        "last_name": p.last_name,
        "email": p.email,
        "department": p.department,
        "job_role": p.job_role,
        "manager_person_id": p.manager_id,
        "hire_date": formats.day(p.hire_date),
        "termination_date": formats.opt_day(p.termination_date),
        "is_student": formats.boolean(p.is_student, bool_style),
        **dict(zip(("street", "city", "state", "postal_code"), p.address or (), strict=False)),
    }
