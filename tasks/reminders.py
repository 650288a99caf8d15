"""Reminders the watchdog sends when a person's next step comes due without a deadline
of its own: the next callback attempt after one that did not reach the customer.

A missed callback is recorded and the form stays open, refusing another "not reached"
until `callback.retry_after` has passed (models/stages.py). When that time comes the
service centre's duty agent is told to call again, once per attempt: the message's
(case, purpose, recipient, ref) is unique in the outbox, so every sweep may look.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from models.policy import Policy
from models.store import transaction
from models.store.db import CaseRow, EventRow
from notifications.outbox import enqueue


def remind_callbacks(*, store_url: str, policy: Policy, now: datetime) -> list[str]:
    """Ask the service centre for the next callback attempt of each case whose last
    attempt missed the customer `retry_after` ago; returns the refs newly queued."""
    limit, wait = policy.callback.max_attempts, policy.callback.retry_after
    queued = []
    with transaction(store_url) as session:
        waiting = select(CaseRow.id).where(CaseRow.status == "open", CaseRow.stage == "callback")
        missed: dict[int, list[tuple[datetime, int]]] = {}
        for case_id, at, data in session.execute(
                select(EventRow.case_id, EventRow.at, EventRow.data).where(
                    EventRow.kind == "callback_not_reached", EventRow.case_id.in_(waiting))):
            missed.setdefault(case_id, []).append((at, int(data.get("round", 0))))
        for case in session.scalars(select(CaseRow).where(CaseRow.id.in_(list(missed)))):
            times = [at for at, round_ in missed[case.id] if round_ == case.round]
            if not times or len(times) >= limit or max(times) + wait > now:
                continue
            attempt = len(times) + 1
            ref = f"callback-{case.round}-a{attempt}"
            if enqueue(session, case=case, purpose="callback_retry", role="service_centre",
                       ref=ref, policy=policy, now=now,
                       context={"attempt": attempt, "max_attempts": limit}) is not None:
                queued.append(f"{case.number}:{ref}")
    return queued
