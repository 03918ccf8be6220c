"""xAPI 1.0.3 statements, one JSON per line → Learning Center completion units, validated by ralph's xAPI
models.

ralph (``ralph-malph``) models the 1.0.3 statement structure (actor with exactly one inverse functional
identifier, verb and object IRIs, result score bounds, no empty values). A statement is one unit. The verb
says what the completion's status is; a verb that says nothing about completion is quarantined as
``unknown_verb`` rather than guessed. See docs/data-contracts.md for every field.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from assets.ingestion.standard.units import Row, StandardReason, Unit, json_line_units
from domain.contracts import Reason

ADL = "http://adlnet.gov/expapi/verbs/"
#: Verb IRI → lc_completions.status. ``waived`` is cmi5's verb (it uses the ADL namespace).
VERB_STATUS = {
    ADL + "completed": "completed",
    ADL + "passed": "completed",
    ADL + "failed": "failed",
    ADL + "waived": "waived",
    ADL + "attempted": "in_progress",
    ADL + "progressed": "in_progress",
}
#: The LMS's own completion id and the contact hours it credits (not the time spent: that is result.duration).
COMPLETION_ID_EXTENSION = "https://portalytics.example/xapi/extensions/completion-id"
CONTACT_HOURS_EXTENSION = "https://portalytics.example/xapi/extensions/contact-hours"


def read_xapi_lines(path: Path) -> list[Unit]:
    return json_line_units(path, statement_unit)


def statement_unit(number: int, text: str) -> Unit:
    from pydantic import ValidationError
    from ralph.models.xapi.base.statements import BaseXapiStatement

    unit = Unit(number, text)
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError:
        return unit.fail(Reason.MALFORMED_JSON, None)
    if not isinstance(data, dict):
        return unit.fail(Reason.MALFORMED_JSON, None)
    if not data.get("actor"):
        return unit.fail(StandardReason.MISSING_ACTOR, "actor")
    verb = data.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    if verb_id not in VERB_STATUS:
        return unit.fail(StandardReason.UNKNOWN_VERB, "verb")
    try:
        statement = BaseXapiStatement.model_validate(data)
    except ValidationError as exc:
        where = exc.errors()[0]["loc"]
        if where and where[0] == "timestamp":
            return unit.fail(Reason.BAD_TIMESTAMP, "timestamp")
        return unit.fail(StandardReason.BAD_STATEMENT, ".".join(str(p) for p in where[:3]) or None)
    account = getattr(statement.actor, "account", None)
    if account is None:
        return unit.fail(StandardReason.UNKNOWN_ACTOR, "actor.account")
    unit.rows = {"lc_completions": [completion_row(statement, data, VERB_STATUS[verb_id])]}
    return unit


def _text(value) -> str | None:
    return None if value is None else format(value, "f") if isinstance(value, Decimal) else str(value)


def completion_row(statement, data: dict, status: str) -> Row:
    context_ext = (data.get("context") or {}).get("extensions") or {}
    result = data.get("result") or {}
    score = result.get("score") or {}
    raw = score.get("raw")
    if raw is None and score.get("scaled") is not None:
        raw = Decimal(str(score["scaled"])) * 100
    object_id = str(statement.object.id)
    return {
        "completion_id": _text(context_ext.get(COMPLETION_ID_EXTENSION)) or str(statement.id or ""),
        "lc_user_id": statement.actor.account.name,
        "course_id": object_id.rstrip("/").rsplit("/", 1)[-1],
        "completed_at": data.get("timestamp"),  # as sent: the contract's rule judges its offset
        "status": status,
        "score": _text(raw),
        "hours": _text((result.get("extensions") or {}).get(CONTACT_HOURS_EXTENSION)),
    }
