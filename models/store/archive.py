"""The case store's side of two-year retention (issue #13, 8): which closed cases are
due, each one with its children as plain JSON values, and the scrub that removes the
customer's contact details and free text once their export is verified.

Everything here is Core SQL on the tables in slices of a batch, never ORM objects, so
100,000 cases pass through in constant memory. What stays after the scrub is what the
figures count: category, tier, level, department, dates, clocks, escalations,
responsibilities, validity, irrational, follow-up, root-cause dimension, callback result
and score, repeat links and the customer keys. In the case's JSON (intake, judgment, step
answers, event data) a string stays only under a key known to hold a code, a number of
another case or a staff member's name; every other string becomes "". An allow-list, so
a free-text field added later is scrubbed without anyone remembering this file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Table, and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from models.errors import StoreError
from models.store.db import (
    ActionRow,
    CaseRow,
    ClockRow,
    EscalationRow,
    EventRow,
    OutboxRow,
    ResponsibilityRow,
    StepRow,
)

CASES: Table = CaseRow.__table__  # type: ignore[assignment]
CHILDREN: dict[str, Table] = {  # the archive record's keys, in this order
    "events": EventRow.__table__, "steps": StepRow.__table__,  # type: ignore[dict-item]
    "clocks": ClockRow.__table__, "escalations": EscalationRow.__table__,  # type: ignore[dict-item]
    "responsibilities": ResponsibilityRow.__table__,  # type: ignore[dict-item]
    "actions": ActionRow.__table__, "outbox": OutboxRow.__table__,  # type: ignore[dict-item]
}
CUSTOMER_COLUMNS = ("customer_name", "customer_phone", "customer_email", "subject")
OUTBOX_TEXT = ("subject", "html", "text", "address_email", "address_phone", "delivered_to",
               "last_error")
ACTION_TEXT = ("what", "check", "note")

# Keys whose values stay as they are (codes, numbers, dates, staff names), per JSON column.
INTAKE_KEEP = frozenset({"channel", "category", "language", "received_at", "taken_by",
                         "claimed_loss", "emotion", "violation", "public_impact",
                         "threatening", "valid", "unreasonable_type", "external_ref"})
JUDGMENT_KEEP = frozenset({"tier", "level", "department", "reasons", "deadlines", "inform",
                           "needs_options"})
ANSWER_KEEP = frozenset({
    "form_key", "answered_by", "decision", "transfer_to", "reported_before", "validity",
    "established_loss_yuan", "unreasonable_type", "follow_up", "responsible_persons",
    "solution_type", "compensation_yuan", "decided_by", "chosen", "responsible_person",
    "result", "approve", "reached", "satisfied", "score", "root_cause_dimension", "method",
    "approved_by", "approve_closure", "owner", "due"})
EVENT_KEEP = frozenset({
    "channel", "received_at", "original", "reused_by", "flow_run_id", "action",
    "action_kind", "done", "effective", "stage", "due", "before", "after", "second_close",
    "earlier", "category", "count", "department", "informed", "root_cause",
    "reported_before", "validity", "established_loss", "unreasonable_type", "responsible",
    "follow_up", "tracker", "solution_type", "options", "compensation_yuan", "decided_by",
    "chosen", "rejections", "responsible_person", "close_kind", "approved", "attempt",
    "round", "satisfied", "score", "repeat_complaint", "dimension", "method", "approved_by",
    "actions", "tier", "level", "clocks", "rung", "escalations"})


@dataclass(frozen=True)
class Due:
    """A case due for the archive: enough to place it in a month and a batch."""

    id: int
    number: str
    closed_at: datetime


def without_free_text(value: Any, keep: frozenset[str], key: str = "") -> Any:
    """`value` with every string blanked unless it sits under a key of `keep` (kept
    whole, nested values included); numbers, booleans and the shape stay."""
    if key in keep:
        return value
    if isinstance(value, str):
        return ""
    if isinstance(value, Mapping):
        return {k: without_free_text(v, keep, k) for k, v in value.items()}
    if isinstance(value, list):
        return [without_free_text(v, keep, key) for v in value]
    return value


def due_cases(session: Session, *, closed_before: datetime, after: Due | None, limit: int,
              lock: bool) -> list[Due]:
    """The next `limit` closed, unarchived cases closed before `closed_before`, in order of
    closing, after `after`; `lock` holds them (PostgreSQL; SQLite's write lock is the
    whole store) and passes over those another archive run holds."""
    c = CASES.c
    query = select(c.id, c.number, c.closed_at).where(
        c.status == "closed", c.archived_at.is_(None), c.closed_at < closed_before)
    if after is not None:
        query = query.where(or_(c.closed_at > after.closed_at,
                                and_(c.closed_at == after.closed_at, c.id > after.id)))
    query = query.order_by(c.closed_at, c.id).limit(limit)
    if lock:
        query = query.with_for_update(skip_locked=True)
    return [Due(row.id, row.number, row.closed_at) for row in session.execute(query)]


def records(session: Session, *, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each case of `ids` with every column and its children (each table's rows in id
    order), as JSON values: {"case": {...}, "events": [...], ..., "outbox": [...]}."""
    found: dict[int, dict[str, Any]] = {
        row.id: {"case": _plain(row._mapping), **{name: [] for name in CHILDREN}}
        for row in session.execute(select(CASES).where(CASES.c.id.in_(ids)))}
    for name, table in CHILDREN.items():
        query = select(table).where(table.c.case_id.in_(ids)).order_by(table.c.id)
        for row in session.execute(query):
            found[row.case_id][name].append(_plain(row._mapping))
    return found


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in row.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exactly as stored: 1234.50 stays 1234.50
    return value


def scrub(session: Session, *, exported: Mapping[int, Mapping[str, Any]], at: datetime) -> int:
    """Remove the customer's contact details and free text from the cases of `exported`
    (as `records` returned them) and mark them archived at `at`; returns how many.
    Only closed, unarchived cases are touched: one that is not stops the batch."""
    db = session.connection()
    json_null = JSON(none_as_null=True)
    db.execute(
        update(CASES).where(CASES.c.id == bindparam("b_id"), CASES.c.status == "closed",
                            CASES.c.archived_at.is_(None))
        .values(intake=bindparam("b_intake", type_=JSON()),
                judgment=bindparam("b_judgment", type_=json_null),
                archived_at=at, **dict.fromkeys(CUSTOMER_COLUMNS, "")),
        [{"b_id": case_id, "b_intake": without_free_text(r["case"]["intake"], INTAKE_KEEP),
          "b_judgment": without_free_text(r["case"]["judgment"], JUDGMENT_KEEP)}
         for case_id, r in exported.items()])
    ids = list(exported)
    marked = db.execute(select(func.count()).where(CASES.c.id.in_(ids),
                                                   CASES.c.archived_at == at)).scalar_one()
    if marked != len(ids):
        raise StoreError(f"archive: {len(ids) - marked} case(s) of the batch were reopened "
                           "or archived meanwhile; the batch is left as it was")
    _rewrite(session, CHILDREN["events"], "data", exported, "events", EVENT_KEEP)
    _rewrite(session, CHILDREN["steps"], "payload", exported, "steps", ANSWER_KEEP)
    actions, outbox = CHILDREN["actions"], CHILDREN["outbox"]
    db.execute(update(actions).where(actions.c.case_id.in_(ids))
               .values(**dict.fromkeys(ACTION_TEXT, "")))
    # A message never sent would otherwise be retried, now without address or text.
    db.execute(update(outbox).where(outbox.c.case_id.in_(ids)).values(
        status=case((outbox.c.status.in_(("pending", "sending")), "failed"),
                    else_=outbox.c.status), **dict.fromkeys(OUTBOX_TEXT, "")))
    return int(marked)


def _rewrite(session: Session, table: Table, column: str,
             exported: Mapping[int, Mapping[str, Any]], name: str, keep: frozenset[str]) -> None:
    """Write back `column` of the rows whose JSON loses text (most keep it all)."""
    changed = []
    for record in exported.values():
        for row in record[name]:
            scrubbed = without_free_text(row[column], keep)
            if scrubbed != row[column]:
                changed.append({"b_id": row["id"], "b_value": scrubbed})
    if changed:
        session.connection().execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values({column: bindparam("b_value", type_=JSON())}), changed)
