"""Hand-made CE accounts for the detection and asset tests: one classic pair, one third account, twins."""

from __future__ import annotations

import datetime as dt
import math

ORG = "lakeshorehealth.org"


def account(account_id: str, first: str, last: str, email: str, **fields) -> dict:
    row = {
        "account_id": account_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "degree": "RN",
        "mobile_phone": None,
        "birth_date": None,
        "license_state": None,
        "license_number": None,
        "npi": None,
        "street": None,
        "city": None,
        "state": None,
        "postal_code": None,
        "login_method": "password",
        "person_id": None,
        "created_at": dt.datetime(2022, 1, 1),
    }
    return row | fields


ROBERT = dict(
    mobile_phone="+13125550101",
    birth_date=dt.date(1980, 4, 12),
    license_state="IL",
    license_number="041.123456",
    street="12 Oak Street",
    postal_code="60601",
)
LINDA = dict(
    birth_date=dt.date(1975, 9, 3),
    license_state="IL",
    license_number="036.654321",
    npi="1234567893",
    street="8 Elm Ave",
    postal_code="60614",
)
TWINS = dict(birth_date=dt.date(1990, 6, 30), street="400 Lake Shore Dr", postal_code="60611")

ACCOUNTS = [
    # the classic case: SSO account and an older personal one under a nickname
    account(
        "CE1",
        "Robert",
        "Smith",
        f"rsmith@{ORG}",
        login_method="sso",
        person_id="P1",
        npi="1098765436",
        **ROBERT,
    ),
    account(
        "CE2",
        "Bob",
        "Smith",
        "bigbob80@gmail.com",
        created_at=dt.datetime(2018, 5, 1),
        **ROBERT | {"street": "12 Oak St."},
    ),
    # three accounts of one person: none SSO; CE4 uses the organisation domain, so it should survive
    account("CE3", "Linda", "Nguyen", "lindanguyen75@yahoo.com", created_at=dt.datetime(2016, 2, 1), **LINDA),
    account("CE4", "Linda", "Nguyễn", f"lnguyen@{ORG}", mobile_phone="+17735550123", **LINDA),
    account(
        "CE5",
        "Lidna",
        "Nguyen",
        "lnguyen1975@gmail.com",
        mobile_phone="+16305550199",
        **LINDA | {"license_number": None, "license_state": None},
    ),
    # twins: same surname, birth date and address; different people
    account("CE6", "Maria", "Garcia", "maria.garcia@icloud.com", mobile_phone="+18475550111", **TWINS),
    account("CE7", "Sofia", "Garcia", "sofia.garcia@icloud.com", mobile_phone="+18475550122", **TWINS),
]


def classic_pair_weight(n_accounts: int = len(ACCOUNTS)) -> float:
    """CE1/CE2's match weight by hand, from the fixed m/u of comparisons.py: log2(m/u) per field, name
    nickname .12/1e-5, birth date exact .93/1e-4, phone exact .6/1e-5, e-mail different .65/(1-1e-4), license
    exact .85/1e-5, address exact .6/1e-4; NPI is missing on CE2 (weight 0). Prior: 5% / (n - 1) accounts, as
    odds."""
    prior = 0.05 / (n_accounts - 1)
    return (
        math.log2(0.12 / 1e-5)
        + math.log2(0.93 / 1e-4)
        + math.log2(0.60 / 1e-5)
        + math.log2(0.65 / (1 - 1e-4))
        + math.log2(0.85 / 1e-5)
        + math.log2(0.60 / 1e-4)
        + math.log2(prior / (1 - prior))
    )
