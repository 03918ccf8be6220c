"""The readable evidence of a scored pair: "same birth date, phone differs, names: Bob ~ Robert".

Only names are quoted (the CE team needs to see them to judge a nickname); birth dates, phones, e-mails,
licenses and NPIs are described, never shown. A field missing on either side is left out.
"""

from __future__ import annotations

#: How each field is named in the text, in the order the text lists them (names last: they need quoting).
FIELD_LABELS = {
    "birth_date": "birth date",
    "mobile_phone": "phone",
    "email_local": "e-mail",
    "license": "license",
    "npi": "NPI",
    "address": "address",
    "generation": "Jr/Sr suffix",
}

_SPECIAL = {
    ("birth_date", "day_month_swapped"): "birth day and month swapped",
    ("license", "number_only"): "same license number, state differs",
    ("address", "postal_code_only"): "same postal code, street differs",
    ("address", "street_only"): "same street, postal code differs",
    ("birth_date", "decades_apart"): "birth dates decades apart",
    ("generation", "one_sided"): "Jr/Sr suffix on one account only",
}


def _field_phrase(field: str, level: str) -> str | None:
    label = FIELD_LABELS[field]
    if (field, level) in _SPECIAL:
        return _SPECIAL[(field, level)]
    return {
        "exact": f"same {label}",
        "typo": f"{label} differs by one character",
        "similar": f"{label} similar",
        "different": f"{label} differs",
    }.get(level)


def _name_phrase(level: str, first_l: str, last_l: str, first_r: str, last_r: str) -> str | None:
    full_l, full_r = f"{first_l} {last_l}", f"{first_r} {last_r}"
    if level == "exact":
        return "same name"
    if level == "nickname":
        return f"names: {first_l} ~ {first_r}"
    if level == "swapped":
        return f"names swapped: {full_l} ~ {full_r}"
    if level == "surname_only":
        return f"same surname, first names: {first_l} ~ {first_r}"
    if level == "first_name_only":
        return f"surnames: {last_l} ~ {last_r}"
    if level == "surname_part":
        return f"double surname: {full_l} ~ {full_r}"
    if level == "one_name_missing":
        return f"one name missing: {full_l} ~ {full_r}"
    if level in ("typo", "similar", "unrelated_same_identifier", "different"):
        return f"names: {full_l} ~ {full_r}"
    return None


def evidence_text(levels: dict[str, str], first_l: str, last_l: str, first_r: str, last_r: str) -> str:
    """``levels`` maps field name (``comparisons.FIELDS``) → level key of one pair."""
    parts = [_field_phrase(field, levels[field]) for field in FIELD_LABELS if field in levels]
    parts.append(_name_phrase(levels.get("name", "missing"), first_l, last_l, first_r, last_r))
    return ", ".join(p for p in parts if p)
