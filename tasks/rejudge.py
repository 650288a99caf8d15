"""The case judged again with what the department established (DOMAIN.md §7).

Intake gives a preliminary judgment from the customer's claim. The investigation records
validity, the loss to the company and any unreasonable-complaint type; `rejudge` runs
the same triage on those facts: invalid -> D, the established loss replaces the claim, an
unreasonable type -> level irrational. Tier and level may go up or down, each change an
event with its reasons (data, models/reasons.py; the card reads them in words). Open
clocks follow the new tier from receipt (a clock now past due breaches at the watchdog's
next sweep); met clocks keep their outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from models.clocks import raise_level
from models.intake import Intake
from models.policy import Policy
from models.store import repo
from models.store.db import CaseRow
from models.triage import triage

REJUDGED_CLOCKS = ("acknowledge", "handover", "first_reply", "close")


def rejudge(session: Session, case: CaseRow, *, policy: Policy, at: datetime, actor: str,
            step: str) -> None:
    facts = {**case.intake, "valid": case.validity != "invalid",
             "claimed_loss": float(case.established_loss or 0),
             "unreasonable_type": case.unreasonable_type or "none"}
    judgment = triage(Intake.model_validate(facts), policy=policy, received_at=case.received_at)
    raises = sum(1 for e in repo.events_of(session, case=case) if e.kind == "level_raised")
    level = judgment.level.value
    for _ in range(raises):  # a breach or the customer's history raised it: still raised
        level = raise_level(level)
    if judgment.tier.value != case.tier:
        repo.record_event(session, case=case, kind="tier_changed", actor=actor, at=at,
                          step=step, before=case.tier, after=judgment.tier.value,
                          reasons=judgment.reasons)
        case.tier = judgment.tier.value
    if level != case.level:
        repo.record_event(session, case=case, kind="level_changed", actor=actor, at=at,
                          step=step, before=case.level, after=level, reasons=judgment.reasons)
        case.level = level
    case.judgment = {**(case.judgment or {}), "rejudged": {
        "tier": case.tier, "level": case.level, "reasons": judgment.reasons}}
    moved = []
    for clock in repo.clocks_of(session, case=case):
        if clock.round != 1 or clock.met_at is not None or clock.name not in REJUDGED_CLOCKS:
            continue
        due = getattr(judgment.deadlines, clock.name)
        due += timedelta(seconds=clock.paused_seconds)  # time paused moves it on
        if due == clock.due_at:
            continue
        moved.append({"clock": clock.name, "before": clock.due_at.isoformat(),
                      "after": due.isoformat()})
        clock.due_at = due
        if clock.outcome == "breached" and due > at:
            clock.outcome = ""  # not past due under the new tier
        clock.next_check_at = at if clock.paused_since is None else None
    if moved:
        repo.record_event(session, case=case, kind="clocks_recomputed", actor="system", at=at,
                          step=step, tier=case.tier, clocks=moved)


def handover_brief(session: Session, case: CaseRow, policy: Policy) -> dict[str, Any]:
    """What a department is told when a case is handed to it (judgment or transfer)."""
    due = {c.name: c.due_at for c in repo.clocks_of(session, case=case) if c.round == 1}
    judgment = case.judgment or {}
    return {
        "description": case.intake["description"], "category": case.category,
        "level": case.level, "reasons": judgment.get("reasons", []),
        "close_deadline": due["close"], "handover_deadline": due["handover"],
        "first_reply_deadline": due["first_reply"],
        "customer_contact": " / ".join(c for c in (case.customer_phone, case.customer_email)
                                       if c),
    }
