"""CE activities (live, regularly scheduled series, enduring) with 5-digit text-a-code codes and their
credits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import formats
from .context import GenContext
from .scales import END_DATE, HISTORY_START

TOPICS = (
    "Sepsis",
    "Heart Failure",
    "Opioid Stewardship",
    "Stroke",
    "Diabetes",
    "Pediatric Asthma",
    "Oncology Nursing",
    "Antibiotic Stewardship",
    "Perinatal Safety",
    "Geriatric Care",
    "Pain Management",
    "Behavioral Health",
    "Wound Care",
    "Anticoagulation",
    "Infection Prevention",
    "Health Equity",
    "Palliative Care",
    "Trauma",
)
# credit profile -> (credit type, eligible degrees). Only "physician" shuts anyone out (no PARTICIPATION).
PROFILES: dict[str, tuple[tuple[str, str], ...]] = {
    "interprofessional": (
        ("AMA_PRA_1", "MD;DO"),
        ("ANCC", "RN;NP"),
        ("ACPE", "PharmD"),
        ("AAPA_1", "PA"),
        ("PARTICIPATION", "*"),
    ),
    "physician": (("AMA_PRA_1", "MD;DO"), ("ABIM_MOC", "MD;DO")),
    "nursing": (("ANCC", "RN;NP"), ("PARTICIPATION", "*")),
    "pharmacy": (("ACPE", "PharmD"), ("PARTICIPATION", "*")),
}
PROFILE_WEIGHTS = (("interprofessional", 55), ("physician", 15), ("nursing", 20), ("pharmacy", 10))
PHYSICIAN_DEGREES = frozenset({"MD", "DO"})
END_MOMENT = datetime(END_DATE.year, END_DATE.month, END_DATE.day, 23, 0, tzinfo=UTC)


@dataclass(slots=True)
class Activity:
    activity_id: str
    title: str
    kind: str
    starts: datetime
    ends: datetime
    code: str
    window_text: str | None
    evaluation_required: bool
    certificate_days: str | None
    profile: str
    quarters_hours: int  # credit hours in quarter steps

    @property
    def window_end(self) -> datetime:
        return self.ends + timedelta(hours=int(self.window_text or 24))


def build_activities(ctx: GenContext) -> tuple[list[Activity], set[str]]:
    rng = ctx.rng("ce_activities")
    n = ctx.spec.activities
    codes: set[str] = set()
    made: list[Activity] = []
    for i in range(n):
        kind = rng.choices(("live", "rss", "enduring"), weights=(40, 40, 20))[0]
        # the first activity of every scale is physician-only, so not_eligible claims exist even at tiny
        profile = "physician" if i == 0 else rng.choices(*zip(*PROFILE_WEIGHTS, strict=True))[0]
        topic = rng.choice(TOPICS)
        if kind == "enduring":
            d = formats.random_day(rng, HISTORY_START, END_DATE - timedelta(days=30))
            starts = formats.local(d, 0)
            ends = starts + timedelta(days=365)
            quarters = rng.randint(2, 40)
            title = f"Online Module: {topic}"
        else:
            d = formats.random_day(rng, HISTORY_START, END_DATE - timedelta(days=3))
            if kind == "rss":
                starts = formats.local(d, rng.choice((7 * 60, 12 * 60)))
                ends, quarters = starts + timedelta(hours=1), 4
                title = (
                    rng.choice(("Grand Rounds: ", "Tumor Board: ", "M&M Conference: ", "Case Review: "))
                    + topic
                )
            else:
                starts = formats.local(d, rng.randint(16, 34) * 30)
                hours = rng.randint(1, 8)
                ends, quarters = starts + timedelta(hours=hours), hours * 4 - rng.choice((0, 0, 1, 2))
                title = rng.choice(
                    ("Annual {} Update", "{} Symposium", "{}: What's New, 2026", "Café Talk: {}")
                )
                title = title.format(topic)
        while (code := f"{rng.randint(0, 99999):05d}") in codes:  # leading zeros on purpose: "04521"
            pass
        codes.add(code)
        window = rng.choices((None, "48", "2", "72"), weights=(60, 15, 10, 15))[0]
        made.append(
            Activity(
                "",
                title,
                kind,
                starts.astimezone(UTC),
                ends.astimezone(UTC),
                code,
                window,
                rng.random() < 0.7,
                rng.choice((None, None, "30", "60", "90", "365")),
                profile,
                max(1, quarters),
            )
        )
    made.sort(key=lambda a: (a.starts, a.code))
    for n_, a in enumerate(made, start=1):
        a.activity_id = f"ACT{10000 + n_}"
    return made, codes


def write_activities(ctx: GenContext, activities: list[Activity]) -> None:
    sw = ctx.writer("ce_activities", len(activities))
    with sw.open(
        "activities.csv",
        expected_rows=len(activities),
        defects=ctx.defects("ce_activities", 1, len(activities))[0],
    ) as out:
        for a in activities:
            out.write(
                {
                    "activity_id": a.activity_id,
                    "title": a.title,
                    "activity_type": a.kind,
                    "starts_at": formats.ts_local(a.starts),
                    "ends_at": formats.ts_local(a.ends),
                    "attendance_code": a.code,
                    "texting_window_hours": a.window_text,
                    "evaluation_required": formats.boolean(a.evaluation_required, 0),
                    "certificate_days": a.certificate_days,
                }
            )
    ctx.done(sw)
    rows = sum(len(PROFILES[a.profile]) for a in activities)
    sw = ctx.writer("ce_activity_credits", rows)
    with sw.open(
        "activity_credits.csv", expected_rows=rows, defects=ctx.defects("ce_activity_credits", 1, rows)[0]
    ) as out:
        for a in activities:
            for credit_type, degrees in PROFILES[a.profile]:
                credits = a.quarters_hours * 25  # hundredths, AMA in 0.25 steps
                out.write(
                    {
                        "activity_id": a.activity_id,
                        "credit_type": credit_type,
                        "credits": formats.money(credits),
                        "eligible_degrees": degrees,
                    }
                )
    ctx.truth.set("ce_activities", "by_type", _count(a.kind for a in activities))
    ctx.truth.set("ce_activities", "physician_only", sum(1 for a in activities if a.profile == "physician"))
    ctx.done(sw)


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return dict(sorted(out.items()))


def random_moment(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    return lo + timedelta(seconds=rng.randint(0, max(0, int((hi - lo).total_seconds()))))
