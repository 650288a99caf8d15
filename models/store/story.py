"""A case's whole story as JSON, from the store alone: `complaints show CASE`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.store import repo
from models.store.db import CaseRow, EscalationRow, OutboxRow

Maskers = tuple[Callable[[str], str], Callable[[str], str], Callable[[str], str]]


def story(session: Session, case: CaseRow, *, reveal: bool, maskers: Maskers,
          url: str) -> dict[str, Any]:
    name, phone, email = (case.customer_name, case.customer_phone, case.customer_email)
    if not reveal:
        name, phone, email = maskers[0](name), maskers[1](phone), maskers[2](email)
    judgment = case.judgment or {}
    return {
        "case": case.number, "status": case.status, "stage": case.stage,
        "waiting_for": case.waiting_for, "round": case.round, "tier": case.tier,
        "level": case.level, "department": case.department, "close_kind": case.close_kind,
        "channel": case.channel, "category": case.category, "subject": case.subject,
        "customer": {"name": name, "phone": phone, "email": email, "language": case.language},
        "received_at": case.received_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "reasons": judgment.get("reasons", []), "deadlines": judgment.get("deadlines", {}),
        "flow_run_id": case.flow_run_id, "url": url,
        "clocks": clock_list(session, case),
        "events": [{"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "step": e.step,
                    **({"data": e.data} if e.data else {})}
                   for e in repo.events_of(session, case=case)],
        "answers": {s.key: s.payload for s in repo.steps_of(session, case=case)
                    if s.status in ("answered", "refused")},
        "escalations": [{"clock": e.clock, "rung": e.rung, "reason": e.reason,
                         "at": e.at.isoformat(), "acknowledged_by": e.acknowledged_by}
                        for e in _escalations(session, case)],
        "messages": [{"purpose": m.purpose, "role": m.role, "ref": m.ref, "status": m.status,
                      "subject": m.subject, "attempts": m.attempts,
                      "sent_at": m.sent_at.isoformat() if m.sent_at else None}
                     for m in session.execute(select(OutboxRow).where(
                         OutboxRow.case_id == case.id).order_by(OutboxRow.id)).scalars()],
    }


def _escalations(session: Session, case: CaseRow) -> list[EscalationRow]:
    return list(session.execute(select(EscalationRow).where(
        EscalationRow.case_id == case.id).order_by(EscalationRow.id)).scalars())


def clock_list(session: Session, case: CaseRow) -> list[dict[str, Any]]:
    escalations = _escalations(session, case)
    return [{
        "name": c.name, "round": c.round, "started": c.started_at.isoformat(),
        "due": c.due_at.isoformat(), "paused_seconds": c.paused_seconds,
        "paused": c.paused_since is not None, "outcome": c.outcome or "running",
        "met_at": c.met_at.isoformat() if c.met_at else None,
        "escalations": [{"rung": e.rung, "at": e.at.isoformat(),
                         "acknowledged_by": e.acknowledged_by}
                        for e in escalations if e.clock == f"{c.name}-{c.round}"],
    } for c in repo.clocks_of(session, case=case)]
