"""A case's whole story as JSON, from the store alone: `complaints show CASE`.

Every field of the case is in it, set or not (empty strings, None, empty lists): the
case card (`models.cards`) shows what is set. No customer contact beyond `customer`,
masked unless revealed; the customer's other cases appear by number only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.store import repo
from models.store.db import (
    ActionRow,
    CaseRow,
    EscalationRow,
    EventRow,
    OutboxRow,
    ResponsibilityRow,
)

Maskers = tuple[Callable[[str], str], Callable[[str], str], Callable[[str], str]]


def story(session: Session, case: CaseRow, *, reveal: bool, maskers: Maskers,
          url: str) -> dict[str, Any]:
    name, phone, email = (case.customer_name, case.customer_phone, case.customer_email)
    if not reveal:
        name, phone, email = maskers[0](name), maskers[1](phone), maskers[2](email)
    judgment = case.judgment or {}
    events = repo.events_of(session, case=case)
    clocks = clock_list(session, case)
    answers = {s.key: s.payload for s in repo.steps_of(session, case=case)
               if s.status in ("answered", "refused")}
    return {
        "case": case.number, "status": case.status, "stage": case.stage,
        "waiting_for": case.waiting_for, "round": case.round, "tier": case.tier,
        "level": case.level, "department": case.department, "close_kind": case.close_kind,
        "channel": case.channel, "category": case.category, "subject": case.subject,
        "customer": {"name": name, "phone": phone, "email": email, "language": case.language},
        "received_at": case.received_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "reasons": (judgment.get("rejudged") or judgment).get("reasons", []),
        "deadlines": current_deadlines(clocks),
        "flow_run_id": case.flow_run_id, "url": url,
        "clocks": clocks,
        **centre_rules(session, case, events),
        "events": [{"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "step": e.step,
                    **({"data": e.data} if e.data else {})} for e in events],
        "answers": answers,
        "customer_summary": customer_summary(answers),
        "escalations": [{"clock": e.clock, "rung": e.rung, "reason": e.reason,
                         "at": e.at.isoformat(), "acknowledged_by": e.acknowledged_by}
                        for e in _escalations(session, case)],
        "messages": [{"purpose": m.purpose, "role": m.role, "ref": m.ref, "status": m.status,
                      "subject": m.subject, "attempts": m.attempts,
                      "sent_at": m.sent_at.isoformat() if m.sent_at else None}
                     for m in session.execute(select(OutboxRow).where(
                         OutboxRow.case_id == case.id).order_by(OutboxRow.id)).scalars()],
    }


def centre_rules(session: Session, case: CaseRow, events: list[EventRow]) -> dict[str, Any]:
    """First contact, sign-off, the department's findings, follow-up, callback, who is
    responsible, the actions of the review and the customer's other cases."""
    return {
        "taken_by": case.taken_by,
        "references": (case.intake or {}).get("references", ""),
        "requested_remedy": (case.intake or {}).get("requested_remedy", ""),
        "signed_by": case.signed_by, "signed_at": _iso(case.signed_at),
        "validity": case.validity,
        "established_loss": (None if case.established_loss is None
                             else f"{case.established_loss:.2f}"),
        "unreasonable_type": case.unreasonable_type, "irrational": case.irrational,
        "follow_up": case.follow_up, "tracker": case.tracker, "rejections": case.rejections,
        "callback_result": case.callback_result, "satisfaction_score": case.satisfaction_score,
        "callback_not_reached": sum(1 for e in events if e.kind == "callback_not_reached"),
        "responsible": [{"person": r.person, "department": r.department}
                        for r in session.scalars(select(ResponsibilityRow).where(
                            ResponsibilityRow.case_id == case.id).order_by(ResponsibilityRow.id))],
        "actions": [{"kind": a.kind, "what": a.what, "owner": a.owner, "due": a.due_at.isoformat(),
                     "check": a.check, "status": action_status(a), "note": a.note}
                    for a in session.scalars(select(ActionRow).where(
                        ActionRow.case_id == case.id).order_by(ActionRow.id))],
        "repeat_of": case.repeat_of,
        "history": earlier_cases(session, case),
    }


def customer_summary(answers: dict[str, dict[str, Any]]) -> str:
    """What the closure message told the customer: the approved review's summary."""
    approved = [a for key, a in answers.items() if key.startswith("review")
                and a.get("approve_closure") == "yes" and not a.get("problems")]
    return str(approved[-1].get("customer_summary", "")) if approved else ""


def action_status(action: ActionRow) -> str:
    """open (not yet checked) | done_effective | done_not_effective | done | not_done."""
    if action.checked_at is None or action.done is None:
        return "open"
    if not action.done:
        return "not_done"
    if action.effective is None:
        return "done"
    return "done_effective" if action.effective else "done_not_effective"


def earlier_cases(session: Session, case: CaseRow, limit: int = 20) -> list[dict[str, Any]]:
    """The customer's other cases, most recent first: number, received_at, category,
    status, close_kind, callback_result. No contact data."""
    return [{"number": c.number, "received_at": c.received_at.isoformat(),
             "category": c.category, "status": c.status, "close_kind": c.close_kind,
             "callback_result": c.callback_result}
            for c in repo.customer_cases(session, case=case, limit=limit)]


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _escalations(session: Session, case: CaseRow) -> list[EscalationRow]:
    return list(session.execute(select(EscalationRow).where(
        EscalationRow.case_id == case.id).order_by(EscalationRow.id)).scalars())


def current_deadlines(clocks: list[dict[str, Any]]) -> dict[str, str]:
    """Each clock's due time as it stands, from its latest round: rounds, re-judgment and
    resumed pauses included (a clock paused now moves on by the time it stays paused)."""
    latest: dict[str, dict[str, Any]] = {}
    for clock in clocks:
        if clock["round"] >= latest.get(clock["name"], {}).get("round", 0):
            latest[clock["name"]] = clock
    return {name: clock["due"] for name, clock in latest.items()}


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
