"""Claim lines, one file per processing month: originals, adjustments, reversals, denials and pending lines.

Claims are generated month by month in processing order. Adjustments and reversals act on a recent original
kept in a bounded pool, so memory does not grow with the number of claims.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from . import formats
from .context import GenContext
from .health_plan import Member, Provider, by_category
from .scales import END_DATE, HISTORY_START

# category -> (weight, allowed amount range in dollars)
CATEGORIES = {
    "office_visit": (25, 90, 220),
    "rx_generic": (20, 4, 60),
    "lab": (12, 15, 250),
    "specialist": (10, 180, 450),
    "preventive": (8, 150, 350),
    "rx_brand": (8, 80, 900),
    "imaging": (6, 120, 2500),
    "outpatient": (5, 1500, 9000),
    "emergency": (3, 800, 3500),
    "inpatient": (1.5, 8000, 60000),
}
EXTRA_LINE = {
    "office_visit": "lab",
    "specialist": "imaging",
    "emergency": "lab",
    "inpatient": "lab",
    "outpatient": "lab",
}
POOL_SIZE = 5000
PENDING_DAYS = 14
OFFSET_BY_MONTH = ("Z", "-06:00", "-05:00")


def months() -> list[date]:
    out, d = [], HISTORY_START
    while d <= END_DATE:
        out.append(d)
        d = formats.add_months(d, 1)
    return out


class ClaimsWriter:
    def __init__(self, ctx: GenContext, members: list[Member], providers: list[Provider]):
        self.ctx, self.members, self.providers = ctx, members, by_category(providers)
        self.rng = ctx.rng("hp_claims")
        self.pool: list[
            tuple[str, datetime, list[dict]]
        ] = []  # recent originals: (claim_id, processed, lines)
        self.n_claims = 0
        self.tally: dict[str, int] = {}
        names, weights = zip(*((k, v[0]) for k, v in CATEGORIES.items()), strict=True)
        self.cat_names, self.cat_weights = names, weights

    def count(self, key: str, n: int = 1) -> None:
        self.tally[key] = self.tally.get(key, 0) + n

    def run(self) -> None:
        ctx, rng = self.ctx, self.rng
        total = ctx.spec.claim_lines
        ms = months()
        sw = ctx.writer("hp_claims", total)
        defects = ctx.defects("hp_claims", len(ms), total)
        no_coverage = max(2, round(total * 0.001))
        no_cov_months = sorted(rng.randrange(len(ms)) for _ in range(no_coverage))
        per_month = total / len(ms)
        for i, month in enumerate(ms):
            budget = round(per_month * (1.1 if month.month in (1, 2, 12) else 0.97))
            with sw.open(f"claims_{month:%Y-%m}.csv", expected_rows=budget, defects=defects[i]) as out:
                claims = self._month(month, budget, no_cov_months.count(i), OFFSET_BY_MONTH[i % 3])
                for line in claims:
                    out.write(line)
        sw.reject_empty("claims_2026-10_resubmission.csv")
        ctx.truth.set("hp_claims", "claims", self.n_claims)
        for k, v in sorted(self.tally.items()):
            ctx.truth.set("hp_claims", k, v)
        ctx.done(sw)

    def _month(self, month: date, budget: int, no_cov: int, offset: str):
        """Yields the month's lines in processing order (rendered rows)."""
        rng = self.rng
        nxt = formats.add_months(month, 1)
        last = min(nxt - timedelta(days=1), END_DATE)
        made: list[tuple[datetime, list[dict]]] = []
        lines = 0
        while lines < budget:
            processed = formats.utc(formats.random_day(rng, month, last), rng.randint(6 * 3600, 22 * 3600))
            roll = rng.random()
            if roll < 0.03 and self.pool:
                claim = self._follow_up(processed, "adjustment")
            elif roll < 0.045 and self.pool:
                claim = self._follow_up(processed, "reversal")
            else:
                claim = self._original(processed, covered=True)
            if claim:
                made.append((processed, claim))
                lines += len(claim)
        for _ in range(no_cov):
            processed = formats.utc(formats.random_day(rng, month, last), rng.randint(6 * 3600, 22 * 3600))
            if claim := self._original(processed, covered=False):
                made.append((processed, claim))
        made.sort(key=lambda t: (t[0], t[1][0]["claim_id"]))
        for _, claim in made:
            for line in claim:
                line["processed_at"] = formats.ts(line.pop("_at"), offset)
                yield line

    def _original(self, processed: datetime, covered: bool) -> list[dict] | None:
        rng = self.rng
        for _ in range(8 if covered else 500):
            service = processed.date() - timedelta(days=rng.randint(2, 45))
            m = rng.choice(self.members)
            span = m.covering(service)
            if covered and span:
                break
            if not covered and m.spans and span is None and service >= HISTORY_START - timedelta(days=45):
                break  # planted: a claim for a day no enrollment span covers
        else:
            return None
        cat = rng.choices(self.cat_names, weights=self.cat_weights)[0]
        cats = [cat] + (
            [EXTRA_LINE[cat]] * rng.randint(1, 2) if cat in EXTRA_LINE and rng.random() < 0.4 else []
        )
        provider = rng.choice(self.providers[cat])
        network = provider.network_on(service)
        received = service + timedelta(days=rng.randint(1, max(1, (processed.date() - service).days)))
        recent = (END_DATE - processed.date()).days < PENDING_DAYS
        status = "pending" if recent and rng.random() < 0.4 else "denied" if rng.random() < 0.07 else "paid"
        self.n_claims += 1
        claim_id = f"CLM{self.n_claims:010d}"
        lines = []
        for n, c in enumerate(cats, start=1):
            _, lo, hi = CATEGORIES[c]
            allowed = int(math.exp(rng.uniform(math.log(lo), math.log(hi))) * 100)  # cents, log-uniform
            markup = rng.randint(110, 350) if network == "in" else rng.randint(100, 160)  # percent of allowed
            billed = allowed * markup // 100
            lines.append(
                {
                    "claim_id": claim_id,
                    "line_number": str(n),
                    "claim_type": "original",
                    "original_claim_id": None,
                    "member_id": m.member_id,
                    "provider_npi": provider.npi,
                    "service_date": formats.day(service),
                    "received_date": formats.day(received),
                    "_at": processed,
                    "status": status,
                    "service_category": c,
                    "network": network,
                    "billed_amount": formats.money(billed),
                    "allowed_amount": formats.money(allowed),
                }
            )
        self.count("lines_original", len(lines))
        self.count(f"lines_{status}", len(lines))
        self.count(f"lines_network_{network}", len(lines))
        if not covered:
            self.count("claims_without_coverage")
        elif status == "paid":
            self._remember(claim_id, processed, lines)
        return lines

    def _remember(self, claim_id: str, processed: datetime, lines: list[dict]) -> None:
        entry = (claim_id, processed, [dict(line) for line in lines])
        if len(self.pool) < POOL_SIZE:
            self.pool.append(entry)
        else:
            self.pool[self.rng.randrange(POOL_SIZE)] = entry

    def _follow_up(self, processed: datetime, kind: str) -> list[dict] | None:
        """An adjustment (re-priced copy) or reversal of an earlier paid original; each original is used
        once."""
        rng = self.rng
        i = rng.randrange(len(self.pool))
        original_id, when, orig_lines = self.pool[i]
        if when + timedelta(days=3) > processed:
            return None
        self.pool[i] = self.pool[-1]
        self.pool.pop()
        self.n_claims += 1
        claim_id = f"CLM{self.n_claims:010d}"
        negate = kind == "reversal" and rng.random() < 0.5
        lines = []
        for line in orig_lines:
            new = dict(
                line,
                claim_id=claim_id,
                claim_type=kind,
                original_claim_id=original_id,
                _at=processed,
                status="paid",
            )
            if kind == "adjustment":
                cents = _cents(line["allowed_amount"]) * rng.randint(70, 130) // 100
                new["allowed_amount"] = formats.money(cents)
                new["billed_amount"] = formats.money(max(cents, _cents(line["billed_amount"])))
            elif negate:
                new["allowed_amount"] = "-" + line["allowed_amount"]
                new["billed_amount"] = "-" + line["billed_amount"]
            lines.append(new)
        self.count(f"{kind}s")
        self.count(f"lines_{kind}", len(lines))
        if negate:
            self.count("reversals_negated")
        return lines


def _cents(text: str) -> int:
    """'123.45' -> 12345 (generated amounts always carry two decimals)."""
    return int(text.replace(".", ""))
