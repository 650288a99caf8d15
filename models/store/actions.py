"""Repository functions over the actions of a review: store them, find those due, ask
each owner once, record each answer once.

Like `repo`, every function takes an open `Session` and keyword-only arguments and never
commits. "Asked once" and "answered once" are conditional UPDATEs (only a row still
unasked, or still unchecked, changes), so two runners racing get one winner, as the
outbox's claim does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.actions import Action, due_moment
from models.errors import InputError, WrongStage
from models.policy import CalendarPolicy
from models.store import repo
from models.store.db import ActionRow, CaseRow

KINDS = ("corrective", "preventive")


def add_actions(session: Session, *, case: CaseRow, corrective: list[Action],
                preventive: list[Action], at: datetime,
                calendar: CalendarPolicy) -> list[ActionRow]:
    """Store a review's actions, each due at the end of the working day of its due date
    (the calendar's timezone). An action the case holds already (same kind, what, owner,
    due and check) is not stored twice, so a replayed review adds nothing."""
    session.flush()
    held = {_identity(r.kind, r.what, r.owner, r.due_at, r.check): r
            for r in session.scalars(select(ActionRow).where(ActionRow.case_id == case.id))}
    rows = []
    for kind, actions in zip(KINDS, (corrective, preventive), strict=True):
        for action in actions:
            due_at = due_moment(action.due, timezone=calendar.timezone,
                                workday_end=calendar.workday_end)
            key = _identity(kind, action.what, action.owner, due_at, action.check)
            if key not in held:
                held[key] = ActionRow(case_id=case.id, kind=kind, what=action.what,
                                      owner=action.owner, due_at=due_at, check=action.check,
                                      created_at=at)
                session.add(held[key])
            rows.append(held[key])
    session.flush()
    return rows


def _identity(kind: str, what: str, owner: str, due_at: datetime,
              check: str) -> tuple[str, str, str, datetime, str]:
    return kind, what, owner, due_at, check


def actions_of(session: Session, *, case: CaseRow) -> list[ActionRow]:
    return list(session.scalars(
        select(ActionRow).where(ActionRow.case_id == case.id).order_by(ActionRow.id)))


def get_action(session: Session, *, action_id: int) -> ActionRow:
    row = session.get(ActionRow, action_id)
    if row is None:
        raise InputError(f"action: no action {action_id}")
    return row


def due_unasked(session: Session, *, now: datetime, limit: int) -> list[ActionRow]:
    """Actions due by `now` whose owner has not been asked, the longest overdue first."""
    return list(session.scalars(
        select(ActionRow).where(ActionRow.checked_at.is_(None), ActionRow.asked_at.is_(None),
                                ActionRow.due_at <= now)
        .order_by(ActionRow.due_at, ActionRow.id).limit(limit)))


def mark_asked(session: Session, *, action_id: int, flow_run_id: str, at: datetime) -> bool:
    """Record that the owner was asked in `flow_run_id`; False if someone else did first."""
    won = session.execute(
        update(ActionRow).where(ActionRow.id == action_id, ActionRow.asked_at.is_(None))
        .values(asked_at=at, flow_run_id=flow_run_id).returning(ActionRow.id)).first()
    return won is not None


def record_check(session: Session, *, action_id: int, done: bool, effective: bool,
                 checked_by: str, note: str, at: datetime) -> ActionRow:
    """Store the owner's answer and an `action_checked` event on the case. Once: a second
    answer raises WrongStage naming who answered and when."""
    won = session.execute(
        update(ActionRow).where(ActionRow.id == action_id, ActionRow.checked_at.is_(None))
        .values(checked_at=at, checked_by=checked_by, done=int(done),
                effective=int(effective), note=note).returning(ActionRow.id)).first()
    row = get_action(session, action_id=action_id)
    if won is None:
        raise WrongStage(already_checked(row))
    session.refresh(row)
    case = session.get(CaseRow, row.case_id)
    assert case is not None  # a foreign key
    repo.record_event(session, case=case, kind="action_checked", actor=checked_by, at=at,
                      action=row.id, action_kind=row.kind, done=bool(done),
                      effective=bool(effective))
    return row


def already_checked(row: ActionRow) -> str:
    when = row.checked_at.isoformat(timespec="seconds") if row.checked_at else "?"
    return f"action: action {row.id} was checked already (by {row.checked_by} at {when})"
