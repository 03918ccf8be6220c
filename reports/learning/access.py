"""Who may see which Learning Center person: the one scoping rule the transcript and compliance reads share.

staff see only their own person_id; an education manager only people of their departments
(``Principal.scope``); admin everyone; every other role nobody.
"""

from __future__ import annotations

import ibis.expr.types as ir

from domain.marts import SCHEMA as MARTS
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import ibis_backend

PEOPLE = "learning_people"


def marts(conn):
    """Ibis over the published snapshot's connection (read-only is fine), one backend per connection."""
    return ibis_backend(conn)


def scope_filter(principal: Principal, table: ir.Table) -> ir.Table:
    """``table`` (with person_id and department columns) restricted to what ``principal`` may see."""
    if principal.role is Role.ADMIN:
        return table
    if principal.role is Role.STAFF:
        if not principal.scope_value:
            raise NotPermitted("a staff sign-in without a person_id sees nothing")
        return table.filter(table.person_id == principal.scope_value)
    if principal.role is Role.EDUCATION_MANAGER:
        return table.filter(table.department.isin(list(principal.scope)))
    raise NotPermitted(f"role {principal.role} has no access to Learning Center people")


def scope_params(principal: Principal) -> dict[str, object]:
    """:func:`scope_filter` as the parameters of a ``.sql`` read: ``person_id`` (staff) and ``departments``
    (an education manager's), each None for no narrowing (admin); every other role is refused."""
    if principal.role is Role.ADMIN:
        return {"person_id": None, "departments": None}
    if principal.role is Role.STAFF:
        if not principal.scope_value:
            raise NotPermitted("a staff sign-in without a person_id sees nothing")
        return {"person_id": principal.scope_value, "departments": None}
    if principal.role is Role.EDUCATION_MANAGER:
        return {"person_id": None, "departments": list(principal.scope)}
    raise NotPermitted(f"role {principal.role} has no access to Learning Center people")


def require_person(principal: Principal, conn, person_id: str) -> dict:
    """The person's directory row (names, department, masked id) if ``principal`` may see them; else
    NotPermitted.

    A person outside the scope and a person who does not exist get the same refusal, so the answer reveals
    nothing.
    """
    people = marts(conn).table(PEOPLE, database=MARTS)
    rows = scope_filter(principal, people.filter(people.person_id == person_id)).to_pyarrow().to_pylist()
    if not rows:
        raise NotPermitted("this person is not in your scope")
    return rows[0]
