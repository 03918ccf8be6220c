"""The cross-portal truth: which HR person each CE account, plan member and portal user name is.

Planted on top of the sources already built, changing as little as it can:

- every subscriber of the health system's own employer group (EMP0001) becomes an HR person (their name, birth
  date and sex), whose HR e-mail the member record carries or whose address both records carry; a few stay
  strangers (``enrolled_without_hr``), and one member elsewhere is a namesake of an HR person born the same
  day with no e-mail or address to confirm it (it must go to review, not link);
- some patients are staff signing in to the patient portal with their HR e-mail or their personal CE e-mail.

``truth/person_links.csv`` (person_key, source, source_id) lists every true link the data can show: portal
users only where the user name appears in the sign-in events.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .ce_accounts import CITIES, STREETS, SUFFIXES, Account
from .context import GenContext
from .health_plan import Member
from .people import Person

EMPLOYER = "EMP0001"
#: Share of the employer's subscribers left as strangers to HR (someone HR never had, or lost).
STRANGERS = 0.05
#: Share of staff who are also patients signing in to the patient portal with an e-mail of theirs.
PATIENTS = 0.05
TRUTH_FILE = "person_links.csv"


@dataclass
class PlantedLinks:
    member_person: dict[str, str] = field(default_factory=dict)
    patient_emails: tuple[str, ...] = ()
    patient_person: dict[str, str] = field(default_factory=dict)
    strangers: list[str] = field(default_factory=list)
    namesake: str | None = None


def plant_members(ctx: GenContext, people: list[Person], members: list[Member]) -> PlantedLinks:
    """Turn the employer's subscribers into HR people (before the HR roster and the members are written)."""
    rng = ctx.rng("person_links:members")
    planted = PlantedLinks()
    subscribers = [m for m in members if m.relationship == "self" and m.employer_id == EMPLOYER]
    staff = [p for p in people if not p.is_student]
    chosen = rng.sample(staff, min(len(staff), len(subscribers)))
    n_strangers = max(1, round(len(subscribers) * STRANGERS)) if len(subscribers) > 1 else 0
    _plant_a_leaver_still_enrolled(subscribers, chosen, n_strangers, staff)
    for i, (m, p) in enumerate(zip(subscribers, chosen, strict=False)):
        if i < n_strangers:
            planted.strangers.append(m.member_id)
            continue
        m.first_name, m.last_name, m.birth_date = p.first_name, p.last_name, p.birth_date
        if rng.random() < 0.7:
            m.email = p.email
        else:
            city, state, zip3 = rng.choice(CITIES)
            street = f"{rng.randint(100, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
            p.address = m.address = (street, city, state, f"{zip3}{rng.randint(1, 99):02d}")
        planted.member_person[m.member_id] = p.person_id
    others = [m for m in members if m.employer_id != EMPLOYER and m.relationship == "self"]
    linked_people = set(planted.member_person.values())
    spare = [p for p in staff if p.person_id not in linked_people]
    if others and spare:  # a namesake born the same day: never to be linked without an e-mail or address
        m, p = rng.choice(others), rng.choice(spare)
        m.first_name, m.last_name, m.birth_date = p.first_name, p.last_name, p.birth_date
        planted.namesake = m.member_id
    ctx.truth.set("person_links", "plan_members_linked", len(planted.member_person))
    ctx.truth.set("person_links", "employer_subscribers_without_hr", len(planted.strangers))
    return planted


def plant_patients(
    ctx: GenContext, people: list[Person], accounts: list[Account], planted: PlantedLinks
) -> None:
    """Pick the staff who are patients and the e-mail each signs in with (before the sign-ins are written)."""
    rng = ctx.rng("person_links:patients")
    staff = [p for p in people if not p.is_student]
    personal = {a.cluster: a.email for a in accounts if a.cluster and a.login_method == "password"}
    own_cluster = {a.person_id: a.cluster for a in accounts if a.person_id and a.cluster}
    patients = rng.sample(staff, round(len(staff) * PATIENTS))
    emails = []
    for p in patients:
        email = personal.get(own_cluster.get(p.person_id)) if rng.random() < 0.5 else None
        emails.append(email or p.email)
        planted.patient_person[emails[-1]] = p.person_id
    planted.patient_emails = tuple(emails)
    ctx.truth.set("person_links", "patients_who_are_staff", len(patients))


def _plant_a_leaver_still_enrolled(
    subscribers: list[Member], chosen: list[Person], first: int, staff: list[Person]
) -> None:
    """At every scale at least one HR leaver whose coverage is still open (a finding the joined view must
    make); ``chosen[i]`` becomes ``subscribers[i]`` for i from ``first`` (the ones before stay strangers)."""
    open_now = [
        i
        for i in range(first, min(len(subscribers), len(chosen)))
        if subscribers[i].spans and subscribers[i].spans[-1].end is None
    ]
    if not open_now or any(chosen[i].termination_date for i in open_now):
        return
    leavers = [p for p in staff if p.termination_date and p not in chosen]
    if leavers:
        chosen[open_now[0]] = leavers[0]


def _last_day(d: date) -> date:
    first_next = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def write_truth(
    ctx: GenContext,
    truth_dir: Path,
    people: list[Person],
    accounts: list[Account],
    members: list[Member],
    planted: PlantedLinks,
    seen: set[tuple[str, str]],
) -> None:
    """``truth/person_links.csv`` and the findings the planted world implies (in planted.json)."""
    rows: set[tuple[str, str, str]] = {(p.person_id, "hr", p.person_id) for p in people}
    hr = {p.person_id: p for p in people}
    cluster_person = {a.cluster: a.person_id for a in accounts if a.cluster and a.person_id in hr}
    account_person = {}
    for a in accounts:
        person = a.person_id if a.person_id in hr else cluster_person.get(a.cluster)
        if person:
            account_person[a.account_id] = person
            rows.add((person, "ce_account", a.account_id))
    for member_id, person in planted.member_person.items():
        rows.add((person, "plan_member", member_id))
    by_email = {
        a.email.lower(): account_person[a.account_id] for a in accounts if a.account_id in account_person
    }
    by_email |= {p.email.lower(): p.person_id for p in people}
    lc_user = {p.username: p.person_id for p in people}
    for portal, username in seen:
        if portal == "learning_center":
            person = lc_user.get(username)
        elif portal == "patient_portal":
            person = planted.patient_person.get(username)
        else:
            person = by_email.get(username.lower())
        if person:
            rows.add((person, f"portal_user:{portal}", username))
    truth_dir.mkdir(parents=True, exist_ok=True)
    with (truth_dir / TRUTH_FILE).open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(("person_key", "source", "source_id"))
        out.writerows(sorted(rows))

    by_id = {m.member_id: m for m in members}
    still_enrolled = 0
    for member_id, person in planted.member_person.items():
        term = hr[person].termination_date
        last = max(by_id[member_id].spans, key=lambda s: s.start, default=None)
        if term and last and (last.end is None or last.end > _last_day(term)):
            still_enrolled += 1
    open_strangers = sum(
        1
        for m in planted.strangers
        if (last := max(by_id[m].spans, key=lambda s: s.start, default=None)) and last.end is None
    )
    ctx.truth.set("person_links", "links", len(rows))
    ctx.truth.set("person_links", "terminated_still_enrolled", still_enrolled)
    ctx.truth.set("person_links", "enrolled_without_active_hr", open_strangers)
