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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    ColumnElement,
    Integer,
    Numeric,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy import column as column_
from sqlalchemy.engine import Connection
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
    UTCDateTime,
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
    "approved_by", "approve_closure", "repeat_by_neglect", "owner", "due"})
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
    # `status || ''`: SQLite, without statistics, would walk the status index (every old
    # case is closed) and sort them all for each batch; this way it walks closed_at's.
    query = select(c.id, c.number, c.closed_at).where(
        c.status.concat("") == "closed", c.archived_at.is_(None), c.closed_at < closed_before)
    if after is not None:  # the first condition bounds the index range, the rest is exact
        query = query.where(c.closed_at >= after.closed_at, or_(
            c.closed_at > after.closed_at, and_(c.closed_at == after.closed_at, c.id > after.id)))
    query = query.order_by(c.closed_at, c.id).limit(limit)
    if lock:
        query = query.with_for_update(skip_locked=True)
    return [Due(row.id, row.number, row.closed_at) for row in session.execute(query)]


def records(session: Session, *, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each case of `ids` with every column and its children (each table's rows in id
    order), as JSON values: {"case": {...}, "events": [...], ..., "outbox": [...]}."""
    found: dict[int, dict[str, Any]] = {
        row["id"]: {"case": row, **{name: [] for name in CHILDREN}}
        for row in _rows(session, CASES, among(session, CASES.c.id, ids))}
    for name, table in CHILDREN.items():
        for row in _rows(session, table, among(session, table.c.case_id, ids)):
            found[row["case_id"]][name].append(row)
    return found


def _rows(session: Session, table: Table, where: Any) -> Iterator[dict[str, Any]]:
    """The rows of `table` where `where`, in id order, each a dict of JSON values: times
    in ISO 8601, amounts as the strings stored (1234.50 stays 1234.50)."""
    times = [isinstance(c.type, UTCDateTime) for c in table.columns]
    # Times are read as the driver gives them (no UTCDateTime round trip): millions of
    # values in 100,000 cases, and only their text is wanted.
    result = session.execute(select(*[type_coerce(c, String).label(c.name) if t else c
                                      for c, t in zip(table.columns, times, strict=True)])
                             .where(where).order_by(table.c.id))
    keys = list(result.keys())
    convert = [(i, _iso if t else str) for i, (c, t) in enumerate(
        zip(table.columns, times, strict=True)) if t or isinstance(c.type, Numeric)]
    for row in result.all():  # one fetch: a row-by-row fetch costs 10x on psycopg
        values = list(row)
        for i, to_json in convert:
            if values[i] is not None:
                values[i] = to_json(values[i])
        yield dict(zip(keys, values, strict=True))


def _iso(value: datetime | str) -> str:
    """A stored time as `datetime.isoformat()` writes it in UTC: from PostgreSQL's aware
    datetime, or from SQLite's text (UTC, as UTCDateTime stores it) without parsing it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    text = value.replace(" ", "T")
    return (text[:-7] if text.endswith(".000000") else text) + "+00:00"


def scrub(session: Session, *, exported: Mapping[int, Mapping[str, Any]], at: datetime) -> int:
    """Remove the customer's contact details and free text from the cases of `exported`
    (as `records` returned them) and mark them archived at `at`; returns how many.
    Only closed, unarchived cases are touched: one that is not stops the batch."""
    db, ids = session.connection(), list(exported)
    cases = [r["case"] for r in exported.values()]
    marked = _set_json(db, CASES, "intake",
                       [(c["id"], without_free_text(c["intake"], INTAKE_KEEP)) for c in cases],
                       where=(CASES.c.status == "closed", CASES.c.archived_at.is_(None)),
                       archived_at=at, **dict.fromkeys(CUSTOMER_COLUMNS, ""))
    if marked != len(ids):
        raise StoreError(f"archive: {len(ids) - marked} case(s) of the batch were reopened "
                         "or archived meanwhile; the batch is left as it was")
    for table, column, rows, keep in (
            (CASES, "judgment", cases, JUDGMENT_KEEP),
            (CHILDREN["events"], "data", [e for r in exported.values() for e in r["events"]],
             EVENT_KEEP),
            (CHILDREN["steps"], "payload", [s for r in exported.values() for s in r["steps"]],
             ANSWER_KEEP)):
        _set_json(db, table, column, _changed(rows, column, keep))
    actions, outbox = CHILDREN["actions"], CHILDREN["outbox"]
    db.execute(update(actions).where(among(session, actions.c.case_id, ids))
               .values(**dict.fromkeys(ACTION_TEXT, "")))
    # A message never sent would otherwise be retried, now without address or text.
    db.execute(update(outbox).where(among(session, outbox.c.case_id, ids)).values(
        status=case((outbox.c.status.in_(("pending", "sending")), "failed"),
                    else_=outbox.c.status), **dict.fromkeys(OUTBOX_TEXT, "")))
    return marked


def _changed(rows: list[dict[str, Any]], column: str,
             keep: frozenset[str]) -> list[tuple[int, Any]]:
    """(id, scrubbed JSON) of the rows whose `column` loses text (many keep it all)."""
    pairs = ((row["id"], row[column], without_free_text(row[column], keep)) for row in rows)
    return [(row_id, new) for row_id, old, new in pairs if new != old]


def _set_json(db: Connection, table: Table, column: str, values: list[tuple[int, Any]], *,
              where: Sequence[ColumnElement[bool]] = (), **same: Any) -> int:
    """Set `column` of each row of `values` (id, JSON) and the columns of `same` to one
    value, where `where` holds too, in one statement; returns how many rows changed."""
    if not values:
        return 0
    if db.dialect.name == "postgresql":  # one parameter, not 1,000s of round trips
        rows = func.json_to_recordset(bindparam(
            "rows", [{"id": i, "value": v} for i, v in values], type_=JSON)).table_valued(
            column_("id", Integer), column_("value", JSON)).render_derived(with_types=True)
        return db.execute(update(table).where(table.c.id == rows.c.id, *where)
                          .values({column: rows.c.value, **same})).rowcount
    return db.execute(update(table).where(table.c.id == bindparam("b_id"), *where).values(
        {column: bindparam("b_value", type_=JSON(none_as_null=True)), **same}),
        [{"b_id": i, "b_value": v} for i, v in values]).rowcount


def among(session: Session, column: Column[Any], ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL `= ANY(array)`: one parameter instead of 1,000."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)
