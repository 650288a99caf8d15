"""Rows for report tests, inserted directly with the times a test gives.

The reports read the store only, so a report test writes the rows a report counts
(cases, clocks, escalations, responsibilities, actions, volumes) as they would stand
after the flows ran, without running them. Times must be aware datetimes; `local(...)`
builds one in Asia/Shanghai, the policy's zone. Every function flushes, so the row has
its id and the next query sees it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models.store.db import (
    ActionRow,
    CaseRow,
    ClockRow,
    EscalationRow,
    ResponsibilityRow,
    VolumeRow,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
          zone: str = "Asia/Shanghai") -> datetime:
    """An instant given as a wall-clock time in `zone`."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def add_case(session: Session, *, number: str, received_at: datetime, category: str,
             department: str, tier: str = "C", status: str = "open",
             closed_at: datetime | None = None, round: int = 1, validity: str = "valid",
             **more: Any) -> CaseRow:
    """A case as the flows leave it; `more` sets any other column (irrational,
    follow_up, repeat_of, callback_result, satisfaction_score, root_cause_dimension,
    taken_by, repeat_by_neglect, ...)."""
    row = CaseRow(number=number, status=status, stage="closed" if closed_at else "intake",
                  round=round, tier=tier, level="general", department=department,
                  channel="phone", category=category, language="zh",
                  customer_name="Test Customer", subject=f"Report test {number}",
                  claimed_loss=Decimal(0), intake={}, received_at=received_at,
                  created_at=received_at, updated_at=closed_at or received_at,
                  closed_at=closed_at, validity=validity,
                  close_kind=("second" if round > 1 else "first_time") if closed_at else "")
    for name, value in more.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def add_clock(session: Session, *, case: CaseRow, name: str, due_at: datetime,
              outcome: str = "", met_at: datetime | None = None, round: int = 1,
              started_at: datetime | None = None) -> ClockRow:
    """A clock; `outcome` "" is still running, met/breached/deferred are stopped (a
    breached clock may still be running: give met_at=None)."""
    row = ClockRow(case_id=case.id, name=name, round=round,
                   started_at=started_at or case.received_at, due_at=due_at, met_at=met_at,
                   outcome=outcome, paused_seconds=0, open=0 if met_at else 1,
                   next_check_at=None if met_at else due_at)
    session.add(row)
    session.flush()
    return row


def add_escalation(session: Session, *, case: CaseRow, rung: str, at: datetime,
                   clock: str = "close") -> EscalationRow:
    row = EscalationRow(case_id=case.id, clock=clock, rung=rung, reason="test", at=at)
    session.add(row)
    session.flush()
    return row


def add_responsible(session: Session, *, case: CaseRow, person: str, at: datetime,
                    department: str | None = None) -> ResponsibilityRow:
    row = ResponsibilityRow(case_id=case.id, person=person,
                            department=department or case.department, at=at)
    session.add(row)
    session.flush()
    return row


def add_action(session: Session, *, case: CaseRow, due_at: datetime,
               checked_at: datetime | None = None, done: bool | None = None,
               effective: bool | None = None, kind: str = "corrective") -> ActionRow:
    """An action; with checked_at, its owner's answer (done, effective)."""
    row = ActionRow(case_id=case.id, kind=kind, what="Test action", owner="Test Owner",
                    due_at=due_at, check="Test check", created_at=case.received_at,
                    checked_at=checked_at,
                    done=None if done is None else int(done),
                    effective=None if effective is None else int(effective))
    session.add(row)
    session.flush()
    return row


def add_volume(session: Session, *, month: str, department: str, volume: int,
               at: datetime | None = None) -> VolumeRow:
    row = VolumeRow(month=month, department=department, volume=volume, source="csv",
                    updated_by="test", updated_at=at or datetime(2026, 1, 1, tzinfo=SHANGHAI))
    session.add(row)
    session.flush()
    return row
