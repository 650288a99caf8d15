"""The watchdog's sweep: clocks due -> the ladder's rungs -> escalations -> outbox.

The query reads only clocks whose `next_check_at` has come (index `ix_clocks_due`), so a
sweep costs what is due, not what is open. Each batch is one transaction; on PostgreSQL
rows are taken `FOR UPDATE SKIP LOCKED`, on SQLite `BEGIN IMMEDIATE` serialises sweeps,
and the unique (case, clock, rung) constraint makes every escalation happen once however
many watchdogs run. A breach marks the clock breached once (conditional UPDATE); a
breached close clock raises the case's level one step and marks it for second close.
`start_missing_runs` starts the run of a case stored without one (its submitter's
request to Prefect failed, or it died in between) once `start_missing_after` has passed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.clocks import Clock, plan, raise_level
from models.errors import NotServing
from models.policy import Policy
from models.store import repo, transaction
from models.store.db import CaseRow, ClockRow, EscalationRow
from tasks.escalation import escalate

log = logging.getLogger("complaints.watchdog")


@dataclass
class SweepResult:
    checked: int = 0
    escalated: int = 0
    breached: int = 0
    cases: set[str] = field(default_factory=set)  # escalated or breached: cards to refresh


def sweep(*, store_url: str, policy: Policy, now: datetime,
          batch: int | None = None) -> SweepResult:
    """Look at every clock due by `now`, in batches, until none is left."""
    total = SweepResult()
    while True:
        with transaction(store_url) as session:
            rows = _due(session, now=now, batch=batch or policy.watchdog.batch)
            for row in rows:
                _check(session, row, policy=policy, now=now, result=total)
        total.checked += len(rows)
        if len(rows) < (batch or policy.watchdog.batch):
            return total


def start_missing_runs(*, store_url: str, policy: Policy, now: datetime,
                       limit: int = 20) -> list[str]:
    """Start the runs of open cases stored without one for `start_missing_after`; returns
    their numbers. Stops at the first failure: the server is away, the next sweep tries
    again. Two watchdogs at once may start two runs: the second ends as a duplicate."""
    from tasks.operations import start_run

    cutoff = now - policy.escalation.start_missing_after
    with transaction(store_url) as session:
        cases = list(session.execute(
            select(CaseRow.number, CaseRow.tier, CaseRow.intake)
            .where(CaseRow.status == "open", CaseRow.flow_run_id.is_(None),
                   CaseRow.created_at < cutoff)
            .order_by(CaseRow.id).limit(limit)))
    started = []
    for case in cases:
        try:
            start_run(case.number, case.tier or "?", case.intake, actor="watchdog")
        except NotServing:
            log.warning("Could not start the run of %s; the next sweep tries again.",
                        case.number)
            break
        started.append(case.number)
    return started


def _due(session: Session, *, now: datetime, batch: int) -> list[ClockRow]:
    query = (select(ClockRow).where(ClockRow.open == 1, ClockRow.next_check_at <= now)
             .order_by(ClockRow.next_check_at).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _check(session: Session, row: ClockRow, *, policy: Policy, now: datetime,
           result: SweepResult) -> None:
    case = session.get(CaseRow, row.case_id)
    if case is None or case.status != "open":
        row.open, row.next_check_at = 0, None
        return
    key = f"{row.name}-{row.round}"
    escalations = list(session.scalars(select(EscalationRow).where(
        EscalationRow.case_id == case.id, EscalationRow.clock == key)))
    steps = plan(to_clock(row), tier=case.tier, policy=policy.escalation, now=now,
                 relayed=case.channel in policy.escalation.relayed_channels,
                 done={e.rung: e.at for e in escalations},
                 acknowledged=any(e.acknowledged_at for e in escalations))
    if steps.breached and row.outcome == "":
        _breach(session, case, row, now=now, result=result)
    for rung in steps.due_now:
        reason = _reason(row, rung.name)
        if escalate(session, case=case, clock=key, rung=rung.name, role=rung.role, now=now,
                    reason=reason, policy=policy, due=row.due_at) is not None:
            result.escalated += 1
            result.cases.add(case.number)
    row.next_check_at = steps.next_check_at


def _breach(session: Session, case: CaseRow, row: ClockRow, *, now: datetime,
            result: SweepResult) -> None:
    won = session.execute(update(ClockRow).where(ClockRow.id == row.id, ClockRow.outcome == "")
                          .values(outcome="breached").returning(ClockRow.id)).first()
    if won is None:
        return
    session.refresh(row)
    result.breached += 1
    result.cases.add(case.number)
    repo.record_event(session, case=case, kind="breached", actor="watchdog", at=now,
                      step=f"{row.name}-{row.round}", due=row.due_at.isoformat())
    if row.name == "close":
        before = case.level
        case.level, case.close_kind = raise_level(case.level), "second"
        repo.record_event(session, case=case, kind="level_raised", actor="watchdog", at=now,
                          step=f"close-{row.round}", before=before, after=case.level,
                          second_close=True)


def _reason(row: ClockRow, rung: str) -> str:
    label = row.name.replace("_", " ")
    if rung.startswith("warn-"):
        return f"{rung.split('-')[1]} % of the {label} time is used"
    return f"{label} deadline breached (round {row.round}): tracking continues"


def to_clock(row: ClockRow) -> Clock:
    return Clock(name=row.name, started_at=row.started_at, due_at=row.due_at,
                 paused_seconds=row.paused_seconds, paused_since=row.paused_since,
                 met_at=row.met_at)
