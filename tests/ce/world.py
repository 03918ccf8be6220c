"""The small CE world most tests share; times are UTC, Chicago is UTC-6 in early March 2026."""

from __future__ import annotations

from tests.ce.builders import account, activity, credit

PHONE_A1 = "+13125550001"
PHONE_A2 = "+13125550002"
PHONE_SHARED = "+13125550003"  # on A3 and A4
PHONE_NOBODY = "+13125559999"

ACCOUNTS = [
    account("A1", "MD", PHONE_A1, person_id="P1"),
    account("A2", "RN", PHONE_A2),
    account("A3", "RN", PHONE_SHARED),
    account("A4", "NP", PHONE_SHARED),
    account("A5", "PharmD"),
]

# ACT1 14:00-15:00 UTC on 4 March, default 24 h window: claims in time from 14:00 on 4 March to 15:00 on 5
# March. ACT2 14:00-16:00 UTC on 10 March, 2 h window: in time until 18:00.
ACTIVITIES = [
    activity("ACT1", "12345", "2026-03-04 14:00", "2026-03-04 15:00", evaluation=True),
    activity("ACT2", "54321", "2026-03-10 14:00", "2026-03-10 16:00", window=2, certificate_days=10),
]

CREDITS = [
    credit("ACT1", "AMA_PRA_1", "1.50", "MD;DO"),
    credit("ACT1", "ANCC", "1.25", "RN; NP"),
    credit("ACT1", "PARTICIPATION", "1.50", "*"),
    credit("ACT2", "ACPE", "2.00", "PharmD"),
]
