"""Escalation: the one piece of code every path calls when a manager must hear of a case.

Failure hooks call it today; the SLA watchdog calls it for breached clocks. An
escalation is unique per (case, clock, rung) in the database, so two callers racing, or
one replaying, record it and queue its message once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.policy import Policy
from models.store import repo
from models.store.db import CaseRow, EscalationRow
from notifications.outbox import enqueue
from notifications.wording import promise


def escalate(
    session: Session, *, case: CaseRow, clock: str, rung: str, reason: str, now: datetime,
    policy: Policy, due: datetime | None = None, role: str = "",
) -> EscalationRow | None:
    """Record the escalation and queue its message to `role` (default: the rung's own
    role); None if this (case, clock, rung) was already recorded."""
    if session.execute(select(EscalationRow.id).where(
        EscalationRow.case_id == case.id, EscalationRow.clock == clock,
        EscalationRow.rung == rung,
    )).first() is not None:
        return None
    row = EscalationRow(case_id=case.id, clock=clock, rung=rung, reason=reason, at=now,
                        acknowledged_by="")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    repo.record_event(session, case=case, kind="escalated", actor="system", at=now,
                      step=clock, rung=rung, reason=reason)
    # A deadline already past is not named: the message asks for a reply by the next
    # reply time instead (notifications/wording.py).
    ahead, next_reply = promise(due, now=now, policy=policy)
    enqueue(session, case=case, purpose="escalation", role=role or rung, ref=f"{clock}/{rung}",
            policy=policy, now=now, context={
                "rung": rung, "reason": reason, "clock": clock, "due": ahead,
                "next_reply": next_reply,
            })
    return row


def earlier_failures(session: Session, *, case: CaseRow, clock: str) -> int:
    """Failure escalations of this case from other flow runs than `clock`'s."""
    return len(session.execute(select(EscalationRow.clock).where(
        EscalationRow.case_id == case.id, EscalationRow.clock.like("failure:%"),
        EscalationRow.clock != clock,
    ).distinct()).all())
