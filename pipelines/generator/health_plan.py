"""Health plan reference data: employers, plan designs per plan year, families and their coverage spans,
providers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import formats, names
from .ce_accounts import Uniques
from .context import GenContext
from .scales import END_DATE, PLAN_YEARS

EMPLOYER_NAMES = (
    "Lakeshore Health System",
    "Cedar County Schools",
    "Acme Manufacturing",
    "Great Lakes Logistics",
    "Prairie State Bank",
    "Northside Foods",
    "Midway Tool & Die",
    "Riverbend Township",
    "Sunrise Senior Living",
    "Harbor Freight Lines",
    "Café Lumière Group",
    "Blue Heron Hotels",
)


@dataclass(frozen=True)
class PlanDesign:
    plan_id: str
    name: str
    family_type: str
    start_month: int  # plan years start on the 1st of this month
    ded_in: int  # individual, whole dollars; family = 2x
    oop_in: int
    ded_out: int
    oop_out: int | None  # None = no out-of-network limit
    coins_in: int  # basis points of member share
    coins_out: int
    copays: tuple[int, int, int, int, int]  # office, specialist, emergency, rx generic, rx brand


PLANS = (
    PlanDesign(
        "PPO500", "Lakeshore PPO 500", "embedded", 1, 500, 3000, 1000, 6000, 2000, 4000, (25, 50, 250, 10, 40)
    ),
    PlanDesign(
        "PPO1500",
        "Lakeshore PPO 1500",
        "embedded",
        1,
        1500,
        4500,
        3000,
        9000,
        2000,
        4000,
        (30, 60, 300, 15, 50),
    ),
    PlanDesign(
        "HDHP3000",
        "Lakeshore HDHP 3000",
        "aggregate",
        1,
        3000,
        6000,
        6000,
        None,
        1000,
        5000,
        (40, 75, 350, 10, 45),
    ),
    PlanDesign(
        "EPO250", "Lakeshore EPO 250", "embedded", 1, 250, 2500, 2500, None, 1500, 5000, (20, 40, 200, 5, 35)
    ),
    PlanDesign(
        "SCHPPO",
        "Cedar County Schools PPO",
        "aggregate",
        7,
        750,
        3500,
        1500,
        7000,
        2000,
        4000,
        (25, 45, 250, 10, 40),
    ),
)
TIER = {(False, False): "EMP", (True, False): "ESP", (False, True): "ECH", (True, True): "FAM"}


def plan_year_start(plan: PlanDesign, year: int) -> date:
    return date(year, plan.start_month, 1)


def write_employers_and_plans(ctx: GenContext) -> None:
    rng = ctx.rng("hp_employers")
    n = ctx.spec.employers
    sw = ctx.writer("hp_employers", n)
    with sw.open("employers.csv", expected_rows=n, defects=ctx.defects("hp_employers", 1, n)[0]) as out:
        for i in range(n):
            name = EMPLOYER_NAMES[i] if i < len(EMPLOYER_NAMES) else f"{rng.choice(names.LAST)} & Sons #{i}"
            out.write(
                {"employer_id": f"EMP{i + 1:04d}", "name": name, "group_number": f"G{100000 + i * 37:06d}"}
            )
    ctx.done(sw)
    rows = len(PLANS) * len(PLAN_YEARS)
    sw = ctx.writer("hp_plans", rows)
    with sw.open("plans.csv", expected_rows=rows, defects=ctx.defects("hp_plans", 1, rows)[0]) as out:
        for plan in PLANS:
            for year in PLAN_YEARS:
                out.write(plan_row(plan, year))
    ctx.truth.set("hp_plans", "plans", len(PLANS))
    ctx.truth.set("hp_plans", "plan_years", list(PLAN_YEARS))
    ctx.done(sw)


def plan_row(plan: PlanDesign, year: int) -> dict[str, str | None]:
    grow = 1 + 0.04 * (year - PLAN_YEARS[0])  # deductibles creep up each year, rounded to $50

    def d(x: int) -> str:
        return formats.money(int(round(x * grow / 50) * 50) * 100)

    copay = [formats.money(c * 100) for c in plan.copays]
    return {
        "plan_id": plan.plan_id,
        "plan_year": str(year),
        "plan_year_start": formats.day(plan_year_start(plan, year)),
        "name": f"{plan.name} ({year})",
        "family_deductible_type": plan.family_type,
        "ded_ind_in": d(plan.ded_in),
        "ded_fam_in": d(plan.ded_in * 2),
        "oop_ind_in": d(plan.oop_in),
        "oop_fam_in": d(plan.oop_in * 2),
        "ded_ind_out": d(plan.ded_out),
        "ded_fam_out": d(plan.ded_out * 2),
        "oop_ind_out": d(plan.oop_out) if plan.oop_out else None,
        "oop_fam_out": d(plan.oop_out * 2) if plan.oop_out else None,
        "coins_in": formats.rate(plan.coins_in * 1),
        "coins_out": formats.rate(plan.coins_out),
        "copay_office_visit": copay[0],
        "copay_specialist": copay[1],
        "copay_emergency": copay[2],
        "copay_rx_generic": copay[3],
        "copay_rx_brand": copay[4],
    }


# ---------------------------------------------------------------- members and enrollment


@dataclass(slots=True)
class Span:
    start: date
    end: date | None
    plan_id: str
    tier: str


@dataclass(slots=True)
class Member:
    member_id: str
    subscriber_id: str
    relationship: str
    first_name: str
    last_name: str
    birth_date: date
    sex: str | None
    employer_id: str
    spans: list[Span] = field(default_factory=list)
    #: contact details (an 834's PER and N3/N4): only members planted as HR people have them
    email: str | None = None
    address: tuple[str, str, str, str] | None = None

    def covering(self, d: date) -> Span | None:
        for s in self.spans:
            if s.start <= d and (s.end is None or d <= s.end):
                return s
        return None


def build_members(ctx: GenContext) -> list[Member]:
    """Families (subscriber, spouse, children) with plan changes at plan years, new babies, divorces and
    terms."""
    rng = ctx.rng("hp_members")
    target = ctx.spec.members
    n_employers = ctx.spec.employers
    members: list[Member] = []
    events: dict[str, int] = {}
    fam = 0
    while len(members) < target:
        fam += 1
        employer = rng.randrange(n_employers)
        plans = [PLANS[4]] if employer == 1 else [p for p in PLANS if p.plan_id != "SCHPPO"]
        members += _family(rng, fam, f"EMP{employer + 1:04d}", plans, events)
    # the latin-1 member file (second half) holds at least one name latin-1 can carry but ASCII cannot
    members[len(members) // 2 + 1].first_name = "Renée"
    ctx.truth.set("hp_members", "families", fam)
    ctx.truth.set("hp_enrollment", "families_terminated", events.get("families_terminated", 0))
    return members


def _family(
    rng: random.Random, fam: int, employer_id: str, plans: list[PlanDesign], events: dict
) -> list[Member]:
    sex = rng.choice("FM")
    last = names.last_name(rng)
    age = rng.randint(22, 63)
    birth = END_DATE - timedelta(days=age * 365 + rng.randint(0, 364))
    sub_id = f"M{fam:07d}01"
    sub = Member(sub_id, sub_id, "self", names.first_name(rng, sex), last, birth, _sex(rng, sex), employer_id)
    family = [sub]
    spouse = None
    if rng.random() < 0.55:
        other = "M" if sex == "F" else "F"
        spouse_last = last if rng.random() < 0.7 else names.last_name(rng)
        s_birth = birth + timedelta(days=rng.randint(-1500, 1500))
        rel = "spouse" if rng.random() < 0.97 else "other"  # a domestic partner
        spouse = Member(
            f"M{fam:07d}02",
            sub_id,
            rel,
            names.first_name(rng, other),
            spouse_last,
            s_birth,
            _sex(rng, other),
            employer_id,
        )
        family.append(spouse)
    kids = rng.choice((0, 0, 1, 1, 2, 2, 3, 4)) if age > 24 else 0
    for k in range(kids):
        kid_age = rng.randint(0, min(25, age - 18))
        k_birth = END_DATE - timedelta(days=kid_age * 365 + rng.randint(0, 364))
        ks = rng.choice("FM")
        family.append(
            Member(
                f"M{fam:07d}{k + 3:02d}",
                sub_id,
                "child",
                names.first_name(rng, ks),
                last,
                k_birth,
                _sex(rng, ks),
                employer_id,
            )
        )

    # coverage timeline: dated changes folded into segments (start, plan, members covered)
    start = (
        date(rng.choice((2019, 2021, 2022)), 1, 1)
        if rng.random() < 0.75
        else formats.random_day(rng, date(2023, 1, 1), END_DATE - timedelta(days=60)).replace(day=1)
    )
    plan = rng.choice(plans)
    changes: list[tuple[date, int, str, Member | None]] = []
    for m in family:
        if start < m.birth_date <= END_DATE:  # a baby joins at birth: a tier change for everyone
            changes.append((m.birth_date, 0, "add", m))
    for year in (2024, 2025, 2026):  # open enrolment: sometimes another plan
        if len(plans) > 1 and rng.random() < 0.1:
            changes.append((date(year, plan.start_month, 1), 1, "plan", None))
    if spouse and rng.random() < 0.03:  # divorce: the spouse leaves, the others stay
        changes.append((formats.random_day(rng, date(2024, 1, 1), END_DATE), 2, "drop", spouse))
    covered = [m for m in family if m.birth_date <= start]
    segments: list[tuple[date, PlanDesign, list[Member]]] = [(start, plan, covered)]
    for when, _, what, who in sorted(changes, key=lambda c: (c[0], c[1])):
        if when <= start:
            continue
        if what == "add":
            covered = [*covered, who]
        elif what == "drop":
            covered = [x for x in covered if x is not who]
        else:
            plan = rng.choice([p for p in plans if p.plan_id != plan.plan_id])
        if segments[-1][0] == when:
            segments[-1] = (when, plan, covered)
        else:
            segments.append((when, plan, covered))
    end: date | None = None
    if rng.random() < 0.06:  # the family leaves at a month end
        last_day = formats.random_day(rng, max(start + timedelta(days=31), date(2024, 1, 1)), END_DATE)
        end = min(END_DATE, formats.add_months(last_day.replace(day=1), 1) - timedelta(days=1))
        segments = [sg for sg in segments if sg[0] <= end]
        events["families_terminated"] = events.get("families_terminated", 0) + 1
    for i, (s_start, s_plan, s_members) in enumerate(segments):
        s_end = segments[i + 1][0] - timedelta(days=1) if i + 1 < len(segments) else end
        tier = TIER[
            (
                any(m.relationship in ("spouse", "other") for m in s_members),
                any(m.relationship == "child" for m in s_members),
            )
        ]
        for m in s_members:
            m.spans.append(Span(s_start, s_end, s_plan.plan_id, tier))
    return family


def _sex(rng: random.Random, sex: str) -> str | None:
    roll = rng.random()
    return None if roll < 0.03 else "U" if roll < 0.04 else sex


def write_members(ctx: GenContext, members: list[Member]) -> None:
    sw = ctx.writer("hp_members", len(members))
    defects = ctx.defects("hp_members", 2, len(members))
    half = len(members) // 2
    for part, (name, enc, chunk) in enumerate(
        (
            ("members_2026-09-30.csv", "utf-8", members[:half]),
            ("members_2026-10-31.csv", "latin-1", members[half:]),
        )
    ):
        with sw.open(name, expected_rows=len(chunk), defects=defects[part], encoding=enc) as out:
            for m in chunk:
                out.write(
                    {
                        "member_id": m.member_id,
                        "subscriber_id": m.subscriber_id,
                        "relationship": m.relationship,
                        "first_name": m.first_name,
                        "last_name": m.last_name,
                        "birth_date": formats.day(m.birth_date),
                        "sex": m.sex,
                        "employer_id": m.employer_id,
                        "email": m.email,
                        **dict(
                            zip(("street", "city", "state", "postal_code"), m.address or (), strict=False)
                        ),
                    }
                )
    ctx.truth.set("hp_members", "members", len(members))
    ctx.done(sw)


def write_enrollment(ctx: GenContext, members: list[Member]) -> None:
    """A full enrollment file, an empty day's change file (header only: not an error) and a broken change
    file."""
    rows = [(m, s) for m in members for s in m.spans]
    sw = ctx.writer("hp_enrollment", len(rows))
    with sw.open(
        "enrollment_2026-10-01.csv",
        expected_rows=len(rows),
        defects=ctx.defects("hp_enrollment", 1, len(rows))[0],
        encoding="utf-8-sig",
    ) as out:
        for m, s in rows:
            out.write(enrollment_row(m, s))
    with sw.open("enrollment_changes_2026-10-31.csv", expected_rows=0):
        pass
    ctx.truth.set("files", "header_only", [["hp_enrollment", "enrollment_changes_2026-10-31.csv"]])
    sample = [enrollment_row(m, s) | {"member_id": f"MX{i:05d}"} for i, (m, s) in enumerate(rows[:5])]
    sw.reject_missing_column("enrollment_changes_2026-10-15.csv", sample, drop="coverage_tier")
    ctx.truth.set("hp_enrollment", "spans", len(rows))
    ctx.truth.set("hp_enrollment", "open_spans", sum(1 for _, s in rows if s.end is None))
    ctx.done(sw)


def enrollment_row(m: Member, s: Span) -> dict[str, str | None]:
    return {
        "member_id": m.member_id,
        "plan_id": s.plan_id,
        "coverage_tier": s.tier,
        "coverage_start": formats.day(s.start),
        "coverage_end": formats.opt_day(s.end),
    }


# ---------------------------------------------------------------- providers

SPECIALTIES = {
    "Family Medicine": ("preventive", "office_visit"),
    "Internal Medicine": ("preventive", "office_visit"),
    "Pediatrics": ("preventive", "office_visit"),
    "Cardiology": ("specialist",),
    "Orthopedics": ("specialist",),
    "Dermatology": ("specialist",),
    "Emergency Medicine": ("emergency",),
    "Hospital": ("inpatient", "outpatient"),
    "Ambulatory Surgery Center": ("outpatient",),
    "Laboratory": ("lab",),
    "Radiology": ("imaging",),
    "Pharmacy": ("rx_generic", "rx_brand"),
}
ORGANISATIONS = {
    "Hospital": "{} Memorial Hospital",
    "Ambulatory Surgery Center": "{} Surgery Center",
    "Laboratory": "{} Reference Lab",
    "Radiology": "{} Imaging",
    "Pharmacy": "{} Pharmacy #{}",
}


@dataclass(slots=True)
class Provider:
    npi: str
    specialty: str
    network: str
    start: date
    end: date | None

    def network_on(self, d: date) -> str:
        inside = self.network == "in" and self.start <= d and (self.end is None or d <= self.end)
        return "in" if inside else "out"


def build_providers(ctx: GenContext, uniques: Uniques) -> list[Provider]:
    rng = ctx.rng("hp_providers")
    specialties = list(SPECIALTIES)
    out = []
    for i in range(ctx.spec.providers):
        spec = specialties[i] if i < len(specialties) else rng.choice(specialties)
        network = "in" if rng.random() < 0.8 else "out"
        start = formats.random_day(rng, date(2012, 1, 1), date(2023, 6, 30))
        end = (
            formats.random_day(rng, date(2024, 1, 1), END_DATE)
            if network == "in" and rng.random() < 0.05
            else None
        )
        out.append(Provider(uniques.npi(), spec, network, start, end))
    return out


def by_category(providers: list[Provider]) -> dict[str, list[Provider]]:
    out: dict[str, list[Provider]] = {}
    for p in providers:
        for cat in SPECIALTIES[p.specialty]:
            out.setdefault(cat, []).append(p)
    return out


def write_providers(ctx: GenContext, providers: list[Provider]) -> None:
    rng = ctx.rng("hp_providers:names")
    sw = ctx.writer("hp_providers", len(providers))
    rows = []
    for p in providers:
        if p.specialty in ORGANISATIONS:
            name = ORGANISATIONS[p.specialty].format(
                rng.choice(("Lakeshore", "Northside", "Cedar", "St. Anne's", "Riverside", "Évanston")),
                rng.randint(100, 999),
            )
        else:
            name = (
                f"{names.first_name(rng, rng.choice('FM'))} {names.last_name(rng)}, "
                f"{rng.choice(('MD', 'DO'))}"
            )
        rows.append(
            {
                "npi": p.npi,
                "name": name,
                "specialty": p.specialty,
                "network_status": p.network,
                "network_start": formats.day(p.start),
                "network_end": formats.opt_day(p.end),
            }
        )
    extra = {"taxonomy_code": (3, lambda row: f"{207 + len(row['specialty'] or '')}Q00000X")}
    with sw.open(
        "providers.csv",
        expected_rows=len(rows),
        defects=ctx.defects("hp_providers", 1, len(rows))[0],
        extra=extra,
    ) as out:
        for row in rows:
            out.write(row)
    sw.reject_wrong_delimiter("providers_eu_export.csv", rows[:5])
    ctx.truth.set("hp_providers", "providers", len(providers))
    ctx.truth.set("hp_providers", "in_network", sum(1 for p in providers if p.network == "in"))
    ctx.done(sw)
