"""Claims of attendance (text-a-code sms, qr, portal, admin), evaluations and external credits.

Every claim's expected outcome is known by construction and written to truth/attendance_outcomes.csv: normal
claims are accepted; planted ones are late or early, from unknown or shared phones, with wrong codes or
unknown activities, repeated, or by a degree the activity does not serve. Admin entries outside the window are
accepted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import formats
from .ce_accounts import Account, Uniques
from .ce_activities import END_MOMENT, PHYSICIAN_DEGREES, Activity, random_moment
from .context import GenContext
from .scales import END_DATE

SMS_BODIES = (
    "{c}",
    "{c}",
    "{c}",
    " {c} ",
    "Code {c}",
    "{c} thanks!",
    "CE {c}",
    "code: {c}",
    "{c}\n",
    "Attendance {c}",
)
CHANNELS = {
    "live": (("sms", 55), ("qr", 30), ("portal", 10), ("admin", 5)),
    "rss": (("sms", 70), ("qr", 10), ("portal", 15), ("admin", 5)),
    "enduring": (("portal", 90), ("admin", 10)),
}
# planted claim kind -> (share of all claims, minimum per scale, expected outcome)
PLANTED = {
    "late_sms": (0.03, 3, "outside_window"),
    "early_sms": (0.003, 1, "outside_window"),
    "unknown_phone": (0.02, 3, "unknown_phone"),
    "shared_phone": (0.005, 1, "ambiguous_phone"),
    "wrong_code": (0.015, 3, "unknown_code"),
    "unknown_activity": (0.003, 1, "unknown_code"),
    "repeated": (0.03, 3, "duplicate"),
    "not_eligible": (0.005, 1, "not_eligible"),
    "admin_late": (0.003, 1, "accepted"),
}


@dataclass(slots=True)
class Claim:
    at: datetime
    channel: str
    account: (
        int | None
    )  # index into accounts (kept for sms too: the sender behind the phone); None if unknown
    phone: str | None  # spelled as received
    code: str | None
    activity_id: str | None
    outcome: str
    kind: str


class AttendanceWriter:
    def __init__(
        self,
        ctx: GenContext,
        accounts: list[Account],
        activities: list[Activity],
        codes: set[str],
        uniques: Uniques,
    ):
        self.ctx, self.accounts, self.activities, self.codes, self.uniques = (
            ctx,
            accounts,
            activities,
            codes,
            uniques,
        )
        self.rng = ctx.rng("ce_attendance")
        phone_owners = Counter(a.phone for a in accounts if a.phone)
        self.shared_phones = sorted(p for p, n in phone_owners.items() if n > 1)
        unique = {i for i, a in enumerate(accounts) if a.phone and phone_owners[a.phone] == 1}
        self.pool = {
            "all": list(range(len(accounts))),
            "physician": [i for i, a in enumerate(accounts) if a.degree in PHYSICIAN_DEGREES],
        }
        self.sms_ok = unique
        self.not_physician = [i for i, a in enumerate(accounts) if a.degree not in PHYSICIAN_DEGREES]
        self.kinds: Counter = Counter()

    def run(self) -> None:
        ctx, rng = self.ctx, self.rng
        total = ctx.spec.ce_attendance
        plan = self._plan(total)
        normal = total - sum(len(v) for v in plan.values())
        quarters = sorted({_quarter(a.starts) for a in self.activities})
        sw = ctx.writer("ce_attendance", total)
        defects = ctx.defects("ce_attendance", len(quarters), total)
        ev_sw = ctx.writer("ce_evaluations", total // 2)
        evals = ev_sw.open(
            "evaluations.csv",
            expected_rows=total // 2,
            defects=ctx.defects("ce_evaluations", 1, total // 2)[0],
            columns=("evaluation_id", "activity_id", "account_id", "submitted_at"),
        )
        n_event = n_eval = awaiting = 0
        out = None
        current_q = None
        weights = [3 if a.kind == "enduring" else 1 for a in self.activities]
        per_weight = normal / max(1, sum(weights))
        for idx, act in enumerate(self.activities):
            q = _quarter(act.starts)
            if q != current_q:
                if out:
                    out.close()
                qi = quarters.index(q)
                out = sw.open(
                    f"attendance_{q}.jsonl", expected_rows=total // len(quarters), defects=defects[qi]
                )
                current_q = q
            claims = self._normal_claims(act, round(per_weight * weights[idx] * rng.uniform(0.6, 1.4)))
            claims += self._planted_claims(act, plan.get(idx, []), claims)
            claims.sort(key=lambda c: c.at)
            for c in claims:
                n_event += 1
                event_id = f"ATT{n_event:08d}"
                out.write(self._row(event_id, c, act))
                ctx.truth.attendance_outcome(event_id, c.outcome)
                self.kinds[c.kind] += 1
                if c.outcome == "accepted" and act.evaluation_required:
                    if rng.random() < 0.85:
                        n_eval += 1
                        at = min(c.at + timedelta(minutes=rng.randint(5, 14 * 24 * 60)), END_MOMENT)
                        evals.write(
                            {
                                "evaluation_id": f"EV{n_eval:08d}",
                                "account_id": self.accounts[c.account].account_id,
                                "activity_id": act.activity_id,
                                "submitted_at": formats.ts(at, "-06:00"),
                            }
                        )
                    else:
                        awaiting += 1
        if out:
            out.close()
        evals.close()
        ctx.truth.set("ce_attendance", "claims", n_event)
        ctx.truth.set("ce_attendance", "by_kind", dict(sorted(self.kinds.items())))
        ctx.truth.set("ce_evaluations", "evaluations", n_eval)
        ctx.truth.set("ce_evaluations", "accepted_awaiting_evaluation", awaiting)
        ctx.done(sw)
        ctx.done(ev_sw)

    # -- planning
    def _plan(self, total: int) -> dict[int, list[str]]:
        """Which activity carries each planted claim. Window-sensitive ones need a window that closed in the
        data."""
        rng = self.rng
        closed = [
            i
            for i, a in enumerate(self.activities)
            if a.kind != "enduring" and a.window_end + timedelta(days=4) < END_MOMENT
        ]
        texting = closed or [0]
        physician_only = [i for i, a in enumerate(self.activities) if a.profile == "physician"]
        plan: dict[int, list[str]] = {}
        for kind, (share, minimum, _) in PLANTED.items():
            if kind == "shared_phone" and not self.shared_phones:
                continue
            for _ in range(max(minimum, round(total * share))):
                where = rng.choice(physician_only) if kind == "not_eligible" else rng.choice(texting)
                plan.setdefault(where, []).append(kind)
        return plan

    # -- claims
    def _normal_claims(self, act: Activity, k: int) -> list[Claim]:
        rng = self.rng
        pool = self.pool["physician" if act.profile == "physician" else "all"]
        lo, hi = act.starts + timedelta(minutes=2), min(act.window_end - timedelta(minutes=2), END_MOMENT)
        if act.kind == "enduring":
            hi = min(act.ends, END_MOMENT)
        names, weights = zip(*CHANNELS[act.kind], strict=True)
        claims = []
        for i in rng.sample(pool, min(k, len(pool) * 85 // 100)):  # leave room for planted claims
            channel = rng.choices(names, weights=weights)[0]
            if channel == "sms" and i not in self.sms_ok:
                channel = "qr"
            claims.append(self._claim(act, i, channel, random_moment(rng, lo, hi), "accepted", "normal"))
        return claims

    def _claim(
        self,
        act: Activity,
        i: int | None,
        channel: str,
        at: datetime,
        outcome: str,
        kind: str,
        phone: str | None = None,
        code: str | None = None,
        activity_id: str | None = None,
    ) -> Claim:
        rng = self.rng
        if channel == "sms":
            ten = phone or self.accounts[i].phone
            return Claim(
                at,
                "sms",
                i,
                formats.phone_as(ten, rng.randrange(len(formats.PHONE_FORMATS))),
                code or act.code,
                None,
                outcome,
                kind,
            )
        if channel == "qr":
            return Claim(at, "qr", i, None, code or act.code, None, outcome, kind)
        return Claim(at, channel, i, None, None, activity_id or act.activity_id, outcome, kind)

    def _planted_claims(self, act: Activity, kinds: list[str], normal: list[Claim]) -> list[Claim]:
        rng = self.rng
        taken = {c.account for c in normal}
        pool = self.pool["physician" if act.profile == "physician" else "all"]
        lo, hi = act.starts + timedelta(minutes=2), min(act.window_end - timedelta(minutes=2), END_MOMENT)
        if act.kind == "enduring":
            hi = min(act.ends, END_MOMENT)
        out: list[Claim] = []

        def fresh(candidates: list[int], need_sms: bool = False, may_repeat: bool = False) -> int | None:
            """An account with no claim on this activity yet. ``may_repeat`` when the planted outcome comes
            before ``duplicate`` in the rule order (window, code), so an attendee is fine if nobody else is
            left."""
            for attempt in range(400):
                i = rng.choice(candidates)
                if (i not in taken or (may_repeat and attempt >= 200)) and (not need_sms or i in self.sms_ok):
                    taken.add(i)
                    return i
            return None

        for kind in kinds:
            outcome = PLANTED[kind][2]
            if kind in ("late_sms", "early_sms", "wrong_code"):
                i = fresh(pool, need_sms=True, may_repeat=True)
                if i is None:
                    continue
                if kind == "late_sms":
                    at = act.window_end + timedelta(minutes=rng.randint(10, 3 * 24 * 60))
                elif kind == "early_sms":
                    at = act.starts - timedelta(minutes=rng.randint(10, 120))
                else:
                    at = random_moment(rng, lo, hi)
                code = None
                if kind == "wrong_code":
                    while (code := f"{rng.randint(0, 99999):05d}") in self.codes:
                        pass
                out.append(self._claim(act, i, "sms", at, outcome, kind, code=code))
            elif kind == "unknown_phone":
                out.append(
                    self._claim(
                        act,
                        None,
                        "sms",
                        random_moment(rng, lo, hi),
                        outcome,
                        kind,
                        phone=self.uniques.phone(),
                    )
                )
            elif kind == "shared_phone":
                out.append(
                    self._claim(
                        act,
                        None,
                        "sms",
                        random_moment(rng, lo, hi),
                        outcome,
                        kind,
                        phone=rng.choice(self.shared_phones),
                    )
                )
            elif kind == "unknown_activity":
                i = fresh(self.pool["all"], may_repeat=True)
                if i is not None:
                    out.append(
                        self._claim(
                            act,
                            i,
                            "portal",
                            random_moment(rng, lo, hi),
                            outcome,
                            kind,
                            activity_id=f"ACT{90000 + rng.randint(0, 9999)}",
                        )
                    )
            elif kind == "not_eligible":
                i = fresh(self.not_physician) if self.not_physician else None
                if i is not None:
                    out.append(self._claim(act, i, "portal", random_moment(rng, lo, hi), outcome, kind))
            elif kind == "admin_late":
                i = fresh(pool)
                if i is not None:
                    at = act.window_end + timedelta(days=rng.randint(1, 3))
                    out.append(self._claim(act, i, "admin", min(at, END_MOMENT), outcome, kind))
            elif kind == "repeated":
                firsts = [
                    c for c in normal + out if c.outcome == "accepted" and c.at + timedelta(minutes=3) < hi
                ]
                if not firsts:
                    i = fresh(pool, need_sms=True)
                    if i is None:
                        continue
                    first = self._claim(
                        act,
                        i,
                        "sms",
                        random_moment(rng, lo, hi - timedelta(minutes=30)),
                        "accepted",
                        "normal",
                    )
                    out.append(first)
                else:
                    first = rng.choice(firsts)
                again = random_moment(
                    rng, first.at + timedelta(minutes=1), min(hi, first.at + timedelta(hours=6))
                )
                if first.channel == "sms":  # a re-sent text from the same phone
                    out.append(
                        Claim(again, "sms", first.account, first.phone, first.code, None, outcome, kind)
                    )
                else:
                    out.append(self._claim(act, first.account, "portal", again, outcome, kind))
        return out

    def _row(self, event_id: str, c: Claim, act: Activity) -> dict[str, str | None]:
        body = None
        if c.channel == "sms":
            body = self.rng.choice(SMS_BODIES).format(c=c.code)
        return {
            "event_id": event_id,
            "channel": c.channel,
            "received_at": formats.ts(c.at, "-05:00" if c.channel == "sms" else "Z"),
            "from_phone": c.phone,
            "account_id": None if c.channel == "sms" else self.accounts[c.account].account_id,
            "code": c.code,
            "activity_id": c.activity_id,
            "body": body,
        }


def _quarter(moment: datetime) -> str:
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


# ---------------------------------------------------------------- external credits

PROVIDERS = (
    "Medscape",
    "NEJM Knowledge+",
    "UpToDate",
    "American Academy of Family Physicians",
    "ANA Continuing Education",
    "Pharmacy Times",
    "AAPA Learning Central",
    "Société Française de Cardiologie",
    "Nurse.com",
    "ACLS Certification Institute",
)
DEGREE_CREDIT = {
    "MD": "AMA_PRA_1",
    "DO": "AMA_PRA_1",
    "RN": "ANCC",
    "NP": "ANCC",
    "PharmD": "ACPE",
    "PA": "AAPA_1",
    "DDS": "ADA_CERP",
    "PT": "APTA",
    "RD": "CDR",
    "MSW": "ASWB",
}
EXTERNAL_TITLES = (
    "ACLS Provider Renewal",
    "PALS Recertification",
    "Pharmacology Update",
    "Ethics in Practice",
    "Opioid Prescribing (state-mandated)",
    "Implicit Bias Training",
    "Sexual Harassment Prevention",
    "Alzheimer's Disease Update",
    "Naïve Bayes for Clinicians",
    '=HYPERLINK("http://x.example","cert")',
)
RESENT_FROM = END_DATE.replace(day=1)


def write_external_credits(ctx: GenContext, accounts: list[Account]) -> None:
    """Uploaded certificates: a bulk file and an October file that the portal sent twice."""
    rng = ctx.rng("ce_external_credits")
    rows = []
    uploaders = rng.sample(range(len(accounts)), max(3, round(len(accounts) * 0.12)))
    for i in sorted(uploaders):
        a = accounts[i]
        for _ in range(rng.randint(1, 3)):
            completed = formats.random_day(
                rng, END_DATE - timedelta(days=3 * 365), END_DATE - timedelta(days=1)
            )
            uploaded = min(END_MOMENT, formats.utc(completed, rng.randint(0, 60 * 86400)))
            rows.append((uploaded, a, completed))
    # the last two uploads land in October so the resent file is never empty
    for k in (1, 2):
        up, a, done = rows[-k]
        rows[-k] = (max(up, formats.utc(RESENT_FROM, 3600 * k)), a, min(done, RESENT_FROM))
    rows.sort(key=lambda r: (r[0], r[1].account_id))
    bulk = [r for r in rows if r[0].date() < RESENT_FROM]
    october = [r for r in rows if r[0].date() >= RESENT_FROM]
    sw = ctx.writer("ce_external_credits", len(rows))
    n = 0

    def render(uploaded, a: Account, completed) -> dict[str, str | None]:
        nonlocal n
        n += 1
        return {
            "external_id": f"EXT{n:07d}",
            "account_id": a.account_id,
            "provider_name": rng.choice(PROVIDERS),
            "title": rng.choice(EXTERNAL_TITLES),
            "credit_type": DEGREE_CREDIT.get(a.degree, "PARTICIPATION"),
            "credits": formats.money(rng.randint(1, 80) * 25),
            "completed_on": formats.day(completed),
            "certificate_filename": rng.choice(
                (None, f"certificate_{n}.pdf", f"IMG_{rng.randint(1000, 9999)}.jpg")
            ),
            "uploaded_at": formats.ts(uploaded, "-06:00"),
        }

    with sw.open(
        "external_credits.csv",
        expected_rows=len(bulk),
        defects=ctx.defects("ce_external_credits", 1, len(rows))[0],
    ) as out:
        for r in bulk:
            out.write(render(*r))
    with sw.open("external_credits_2026-10.csv", expected_rows=len(october)) as out:
        for r in october:
            out.write(render(*r))
    sw.reland("external_credits_2026-10.csv", "external_credits_2026-10_resent.csv")
    ctx.truth.set("ce_external_credits", "credits", len(rows))
    ctx.done(sw)
