"""Rows for the penalty and warning tests, written straight into the store: a report reads
the tables, so its tests set exactly the columns a rule looks at and nothing else."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.policy import load_policy
from models.store.db import CaseRow, ClockRow, ResponsibilityRow, VolumeRow

POLICY = load_policy(Path(__file__).resolve().parents[1] / "policy.yaml")
SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local time in Asia/Shanghai (the policy's zone)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _row(received_at: datetime, **columns: Any) -> dict[str, Any]:
    number = columns.pop("number", None) or f"C-T-{next(_numbers):06d}"
    return {"number": number, "channel": "phone", "category": "product_defect",
            "language": "zh", "customer_name": "Test Customer", "subject": "Test",
            "claimed_loss": Decimal("0.00"), "intake": {}, "received_at": received_at,
            "created_at": received_at, "updated_at": received_at, "department": "technical",
            "tier": "C", **columns}


def add_case(session: Session, *, received_at: datetime, **columns: Any) -> CaseRow:
    """One case; any CaseRow column may be given (department, tier, closed_at ...)."""
    row = CaseRow(**_row(received_at, **columns))
    session.add(row)
    session.flush()
    return row


def add_cases(session: Session, count: int, *, received_at: datetime, **columns: Any) -> None:
    """`count` alike cases in one statement."""
    if count:
        session.execute(insert(CaseRow), [_row(received_at, **columns) for _ in range(count)])


def add_clock(session: Session, case: CaseRow, name: str, *, due_at: datetime,
              met_at: datetime | None = None, outcome: str = "", round_: int = 1) -> None:
    session.add(ClockRow(case_id=case.id, name=name, round=round_, started_at=due_at,
                         due_at=due_at, met_at=met_at, outcome=outcome,
                         open=0 if met_at else 1, paused_seconds=0))
    session.flush()


def add_responsible(session: Session, case: CaseRow, person: str, department: str,
                    at: datetime) -> None:
    session.add(ResponsibilityRow(case_id=case.id, person=person, department=department,
                                  at=at))
    session.flush()


def add_volume(session: Session, month: str, department: str, volume: int) -> None:
    session.add(VolumeRow(month=month, department=department, volume=volume, source="csv",
                          updated_at=sh(2026, 1, 1)))
    session.flush()


def callback(session: Session, *, department: str, answered_at: datetime, result: str,
             score: int | None = None) -> CaseRow:
    """A case whose callback clock was met at `answered_at` with this result."""
    case = add_case(session, received_at=answered_at, department=department,
                    callback_result=result, satisfaction_score=score)
    add_clock(session, case, "callback", due_at=answered_at, met_at=answered_at,
              outcome="met")
    return case
