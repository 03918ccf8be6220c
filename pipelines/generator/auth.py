"""Login events of the four portals, with planted lockouts, reset problems and one credential-stuffing burst.

Organic sessions never build up five failures, never leave a reset unfinished and never share an IP, so every
lockout, expired or abandoned reset, reset loop and stuffing burst in the data is a planted one and its count
in truth/planted.json is exact. Planted scenarios use reserved accounts that organic traffic never touches.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import formats, names
from .ce_accounts import Account
from .context import GenContext
from .health_plan import Member
from .people import Person
from .scales import AUTH_DAYS, AUTH_DAYS_PER_FILE, END_DATE

PORTAL_OFFSET = {
    "patient_portal": "-05:00",
    "learning_center": "-06:00",
    "ce_portal": "Z",
    "health_plans": "-07:00",
}
PORTAL_SHARE = {"patient_portal": 45, "learning_center": 20, "ce_portal": 15, "health_plans": 20}
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 "
    "Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "LakeshoreMobile/4.2.1 (iOS 17.6)",
    "LakeshoreMobile/4.1.0 (Android 14)",
)
STUFFING_IP = "185.220.101.47"
STUFFING_UA = "python-requests/2.31.0"
COMMON_GUESSES = (
    "admin",
    "test",
    "info",
    "support",
    "jsmith",
    "administrator",
    "user1",
    "guest",
    "demo",
    "root",
)
FIRST_OCTETS = (24, 67, 68, 71, 73, 76, 98, 99, 107, 108, 174, 184)
AUTH_START = END_DATE - timedelta(days=AUTH_DAYS - 1)


@dataclass(slots=True)
class User:
    username: str
    method: str
    ip: str
    ua: str | None


def ip_for(k: int) -> str:
    """A distinct public-looking address per user (no two users share an IP, so no accidental stuffing)."""
    rest = k // len(FIRST_OCTETS)
    octets = (
        FIRST_OCTETS[k % len(FIRST_OCTETS)],
        (rest // (254 * 256)) % 256,
        (rest // 254) % 256,
        rest % 254 + 1,
    )
    return ".".join(str(o) for o in octets)


def build_users(
    rng: random.Random,
    people: list[Person],
    accounts: list[Account],
    members: list[Member],
    n_patients: int,
    patient_emails: tuple[str, ...] = (),
) -> dict[str, list[User]]:
    """Each portal's users. A member with an e-mail signs in with it; the first patients sign in with
    ``patient_emails`` (staff who are also patients), drawn the same way otherwise so nothing else moves."""
    k = iter(range(10**9))

    def user(name: str, method: str) -> User:
        ua = rng.choice(USER_AGENTS) if rng.random() > 0.05 else None
        return User(name, method, ip_for(next(k)), ua)

    pools = {
        "learning_center": [user(p.username, "sso" if rng.random() < 0.85 else "password") for p in people],
        "ce_portal": [user(a.email, a.login_method) for a in accounts],
        "health_plans": [
            user(
                m.email
                or f"{names.email_local(m.first_name, m.last_name).replace('.', '')}{m.member_id[-6:]}",
                "sso" if rng.random() < 0.08 else "password",
            )
            for m in members
            if m.relationship == "self"
        ],
        "patient_portal": [],
    }
    for i in range(n_patients):
        first, last = names.first_name(rng, rng.choice("FM")), names.last_name(rng)
        method = "sso" if rng.random() < 0.03 else "password"
        name = f"{names.email_local(first, last)}{i}@{rng.choice(names.PERSONAL_DOMAINS)}"
        pools["patient_portal"].append(user(patient_emails[i] if i < len(patient_emails) else name, method))
    return pools


Event = (
    tuple  # (seconds since epoch, seq, portal, event_type, username, ip, ua, method, token, failure_reason)
)


class AuthWriter:
    def __init__(
        self,
        ctx: GenContext,
        people: list[Person],
        accounts: list[Account],
        members: list[Member],
        patient_emails: tuple[str, ...] = (),
    ):
        self.ctx = ctx
        self.rng = ctx.rng("auth_events")
        self.total = ctx.spec.auth_events
        pools = build_users(self.rng, people, accounts, members, max(50, ctx.spec.members), patient_emails)
        #: (portal, username) of every event written: the portal users the data shows
        self.seen: set[tuple[str, str]] = set()
        self.all_usernames = {p: {u.username for u in users} for p, users in pools.items()}
        self.seq = 0
        self.tally: dict[str, int] = {}
        self.organic: dict[str, list[User]] = {}
        self.reserved: dict[str, list[User]] = {}
        self._plan_scenarios(pools)

    def count(self, key: str, n: int = 1) -> None:
        self.tally[key] = self.tally.get(key, 0) + n

    # ---------------------------------------------------------------- planning
    def _plan_scenarios(self, pools: dict[str, list[User]]) -> None:
        rng, total = self.rng, self.total
        kinds = (
            ["lockout"] * max(4, round(total / 2500))
            + ["double_lockout"]
            + ["expired_reset"] * max(2, round(total / 5000))
            + ["abandoned_reset"] * max(2, round(total / 5000))
            + ["reset_loop"] * max(2, round(total / 10000))
        )
        password = {p: [u for u in users if u.method == "password"] for p, users in pools.items()}
        portals = sorted(password)
        self.scenarios: dict[int, list[tuple[str, str, User]]] = {}
        taken = {p: 0 for p in portals}
        for kind in kinds:
            # a reserved account per scenario, never more than a third of a portal's password users
            open_portals = [p for p in portals if taken[p] < len(password[p]) // 3]
            portal = rng.choices(open_portals, weights=[len(password[p]) for p in open_portals])[0]
            taken[portal] += 1
            victim = password[portal][-taken[portal]]
            self.scenarios.setdefault(rng.randrange(AUTH_DAYS), []).append((kind, portal, victim))
        for p, users in pools.items():
            reserved = {id(u) for u in password[p][len(password[p]) - taken[p] :]} if taken[p] else set()
            self.organic[p] = [u for u in users if id(u) not in reserved]
        self.stuffing_day = rng.randrange(AUTH_DAYS)

    # ---------------------------------------------------------------- writing
    def run(self) -> None:
        ctx, rng = self.ctx, self.rng
        n_files = -(-AUTH_DAYS // AUTH_DAYS_PER_FILE)
        sw = ctx.writer("auth_events", self.total)
        defects = ctx.defects("auth_events", n_files, self.total)
        weights = [0.6 if (AUTH_START + timedelta(days=d)).weekday() >= 5 else 1.0 for d in range(AUTH_DAYS)]
        per_weight = self.total / sum(weights)
        n_event = 0
        for f in range(n_files):
            first = AUTH_START + timedelta(days=f * AUTH_DAYS_PER_FILE)
            last = min(first + timedelta(days=AUTH_DAYS_PER_FILE - 1), END_DATE)
            days = range(f * AUTH_DAYS_PER_FILE, min(AUTH_DAYS, (f + 1) * AUTH_DAYS_PER_FILE))
            name = f"auth_events_{first.isoformat()}_{last.isoformat()}.jsonl"
            expected = round(per_weight * sum(weights[d] for d in days))
            with sw.open(name, expected_rows=expected, defects=defects[f]) as out:
                for d in days:
                    for ev in self._day(d, round(per_weight * weights[d] * rng.uniform(0.9, 1.1))):
                        n_event += 1
                        out.write(self._row(n_event, ev))
        ctx.truth.set("auth_events", "events", n_event)
        for k, v in sorted(self.tally.items()):
            ctx.truth.set("auth_events", k, v)
        ctx.done(sw)

    def _row(self, n: int, ev: Event) -> dict[str, str | None]:
        at, _, portal, etype, username, ip, ua, method, token, reason = ev
        self.seen.add((portal, username))
        moment = datetime.fromtimestamp(at, UTC)
        self.count(f"{portal}:{etype}")
        self.count(f"{portal}:method_{method}")
        return {
            "event_id": f"AE{n:010d}",
            "portal": portal,
            "occurred_at": formats.ts(moment, PORTAL_OFFSET[portal]),
            "event_type": etype,
            "username": username,
            "ip": ip,
            "user_agent": ua,
            "method": method,
            "reset_token": token,
            "failure_reason": reason,
        }

    def _day(self, d: int, budget: int) -> list[Event]:
        rng = self.rng
        day0 = int(formats.utc(AUTH_START + timedelta(days=d)).timestamp())
        events: list[Event] = []
        for kind, portal, victim in self.scenarios.get(d, []):
            getattr(self, "_" + kind)(events, day0 + rng.randint(3600, 40000), portal, victim)
        if d == self.stuffing_day:
            self._stuffing(events, day0 + rng.randint(3600, 70000))
        portals, shares = zip(*PORTAL_SHARE.items(), strict=True)
        seen: set[int] = set()  # one organic session per user per day: sessions never interleave
        while len(events) < budget:
            portal = rng.choices(portals, weights=shares)[0]
            users = self.organic[portal]
            u = users[rng.randrange(len(users))]
            if id(u) in seen and len(seen) < len(users) // 2:
                continue
            seen.add(id(u))
            self._session(events, day0 + int(rng.triangular(0, 86400 - 9000, 54000)), portal, u)
        events.sort(key=lambda e: (e[0], e[1]))
        return events

    def _ev(
        self,
        events: list[Event],
        at: int,
        portal: str,
        etype: str,
        u: User,
        *,
        username: str | None = None,
        token: str | None = None,
        reason: str | None = None,
        ip: str | None = None,
        ua: str | None = None,
        method: str | None = None,
    ) -> None:
        self.seq += 1
        events.append(
            (
                at,
                self.seq,
                portal,
                etype,
                username or u.username,
                ip or u.ip,
                ua if ip else u.ua,
                method or u.method,
                token,
                reason,
            )
        )

    def _token(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def _end_session(self, events: list[Event], t: int, portal: str, u: User) -> None:
        roll = self.rng.random()
        if roll < 0.55:
            self._ev(events, t + self.rng.randint(300, 3600), portal, "logout", u)
        elif roll < 0.85:
            self._ev(events, t + self.rng.randint(1800, 5400), portal, "session_timeout", u)

    def _session(self, events: list[Event], t: int, portal: str, u: User) -> None:
        rng = self.rng
        if u.method == "sso":
            self._ev(events, t, portal, "login_success", u)
            self._end_session(events, t, portal, u)
            return
        roll = rng.random()
        failures = rng.choices((0, 1, 2), weights=(90, 7, 3))[0]
        for _ in range(failures):
            self._ev(events, t, portal, "login_failure", u, reason="bad_password")
            t += rng.randint(5, 40)
        if roll < 0.03:  # forgot the password: reset in time, then in
            token = self._token()
            self._ev(events, t, portal, "password_reset_requested", u, token=token)
            t += rng.randint(120, 1500)
            self._ev(events, t, portal, "password_reset_completed", u, token=token)
            self.count("resets_completed_in_time")
            t += rng.randint(30, 180)
        elif roll < 0.045:
            self._ev(events, t, portal, "username_reminder_requested", u)
            t += rng.randint(120, 600)
        elif roll < 0.06:  # a typo in the username: unknown user, then the right one
            self._ev(
                events,
                t,
                portal,
                "login_failure",
                u,
                username=names.typo(rng, u.username),
                reason="unknown_user",
            )
            t += rng.randint(5, 30)
        self._ev(events, t, portal, "login_success", u)
        self._end_session(events, t, portal, u)

    # ---------------------------------------------------------------- planted scenarios
    def _fail_five(self, events: list[Event], t: int, portal: str, u: User) -> int:
        for _ in range(5):
            self._ev(events, t, portal, "login_failure", u, reason="bad_password")
            t += self.rng.randint(15, 50)
        return t - 1  # roughly when the fifth failure happened

    def _while_locked(self, events: list[Event], locked_at: int, portal: str, u: User, n: int) -> None:
        for i in range(n):  # attempts inside the 30-minute lock: neither extend it nor count toward the next
            self._ev(events, locked_at + 60 + i * 300, portal, "login_failure", u, reason="locked")

    def _lockout(self, events: list[Event], t: int, portal: str, u: User) -> None:
        locked_at = self._fail_five(events, t, portal, u)
        self._while_locked(events, locked_at, portal, u, self.rng.randint(1, 3))
        self._ev(events, locked_at + self.rng.randint(35, 90) * 60, portal, "login_success", u)
        self.count("lockouts")
        self.count("lockout_accounts")

    def _double_lockout(self, events: list[Event], t: int, portal: str, u: User) -> None:
        locked_at = self._fail_five(events, t, portal, u)
        self._while_locked(events, locked_at, portal, u, 2)
        again = self._fail_five(
            events, locked_at + 31 * 60 + 30, portal, u
        )  # after the lock ends: counts anew
        self._ev(events, again + 40 * 60, portal, "login_success", u)
        self.count("lockouts", 2)
        self.count("lockout_accounts")

    def _expired_reset(self, events: list[Event], t: int, portal: str, u: User) -> None:
        token = self._token()
        self._ev(events, t, portal, "password_reset_requested", u, token=token)
        t += self.rng.randint(31, 180) * 60  # the link was older than 30 minutes: should have been refused
        self._ev(events, t, portal, "password_reset_completed", u, token=token)
        self._ev(events, t + 90, portal, "login_success", u)
        self.count("resets_completed_after_expiry")

    def _abandoned_reset(self, events: list[Event], t: int, portal: str, u: User) -> None:
        self._ev(events, t, portal, "password_reset_requested", u, token=self._token())
        self.count("resets_abandoned")

    def _reset_loop(self, events: list[Event], t: int, portal: str, u: User) -> None:
        n = self.rng.randint(3, 4)
        for _ in range(n):  # request after request, never signing in
            self._ev(events, t, portal, "password_reset_requested", u, token=self._token())
            t += self.rng.randint(20, 150) * 60
        self.count("reset_loops")
        self.count("resets_abandoned", n)

    def _stuffing(self, events: list[Event], t: int) -> None:
        rng = self.rng
        portal = "patient_portal"
        real = [u for u in self.organic[portal] if u.method == "password"]
        n = rng.randint(25, 40)
        victims = rng.sample(real, min(len(real), n * 3 // 10))
        guesses = list(COMMON_GUESSES)
        while len(guesses) + len(victims) < n:
            guesses.append(
                f"{names.email_local(rng.choice(names.FEMALE + names.MALE), rng.choice(names.LAST))}"
                f"{rng.randint(1, 999)}@{rng.choice(names.PERSONAL_DOMAINS)}"
            )
        targets = [(u, None) for u in victims] + [(None, g) for g in guesses[: n - len(victims)]]
        rng.shuffle(targets)
        known = self.all_usernames[portal]
        usernames = []
        for u, guess in targets:
            name = u.username if u else guess
            if name in usernames or (guess and guess in known):
                continue
            usernames.append(name)
            reason = "bad_password" if u else "unknown_user"
            self._ev(
                events,
                t,
                portal,
                "login_failure",
                u or User(name, "password", "", None),
                username=name,
                reason=reason,
                ip=STUFFING_IP,
                ua=STUFFING_UA,
                method="password",
            )
            t += rng.randint(5, 12)
        self.tally["credential_stuffing_bursts"] = 1
        self.tally["credential_stuffing_usernames"] = len(usernames)
        self.ctx.truth.set("auth_events", "credential_stuffing_ip", STUFFING_IP)
