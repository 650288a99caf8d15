"""Customer history in the store: a new case linked to the customer's other cases.

`link_customer` runs in the transaction that stores a case (tasks.cases): it gives the
case its customer keys, marks a possible repeat and raises the level by the rules of
`models.history`, each with an event (a raise's `reason` is data, models/reasons.py).
`earlier_cases` (the story's, re-exported here) is what the case card and `complaints
show` list. `backfill_keys` gives keys to the cases stored before there were keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.history import (
    Earlier,
    complaints_within,
    customer_keys,
    possible_repeat,
    raise_reason,
    raised_level,
)
from models.policy import Policy
from models.store import repo
from models.store.db import CaseRow
from models.store.story import earlier_cases
from tasks.runtime import settings

ACTOR = "service centre"
__all__ = ["backfill_keys", "earlier_cases", "link_customer"]


def link_customer(session: Session, case: CaseRow, *, policy: Policy, at: datetime,
                  secret: bytes | None = None) -> None:
    """Keys, possible repeat and level of a newly stored case (its level set already)."""
    case.phone_key, case.email_key = customer_keys(
        case.customer_phone, case.customer_email,
        secret=secret if secret is not None else settings().customer_secret())
    rules = policy.history
    within, received = rules.repeat_within, case.received_at
    others = repo.customer_cases(session, case=case, where=or_(
        CaseRow.status == "open", CaseRow.received_at.between(received - within,
                                                              received + within)))
    earlier = [Earlier(c.number, c.category, c.received_at, c.status == "open")
               for c in others]
    repeat = possible_repeat(earlier, category=case.category, received_at=received,
                             within=within)
    if repeat:
        case.repeat_of = repeat
        repo.record_event(session, case=case, kind="possible_repeat", actor=ACTOR, at=at,
                          step="intake", earlier=repeat, category=case.category)
    count = complaints_within(earlier, received_at=received, within=within)
    level = raised_level(case.level, count=count, raise_at=rules.raise_level_at)
    if level != case.level:
        repo.record_event(session, case=case, kind="level_raised", actor=ACTOR, at=at,
                          step="intake", before=case.level, after=level, count=count,
                          reason=raise_reason(count, within))
        case.level = level


def backfill_keys(session: Session, secret: bytes, *, batch: int = 500) -> int:
    """Keys for the cases stored without them (before migration 0005); how many got one.
    Links and levels of those cases stay as they were: history counts from now on."""
    done = 0
    while True:
        rows = list(session.scalars(
            select(CaseRow).where(CaseRow.phone_key == "", CaseRow.email_key == "",
                                  or_(CaseRow.customer_phone != "", CaseRow.customer_email != ""))
            .order_by(CaseRow.id).limit(batch)))
        for case in rows:
            case.phone_key, case.email_key = customer_keys(
                case.customer_phone, case.customer_email, secret=secret)
        session.flush()
        done += len(rows)
        if len(rows) < batch:
            return done
