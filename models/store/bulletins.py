"""Penalty bulletins in the store: a weekly-report run's draft, then the general
manager's decision on it.

A draft is keyed by its flow run, so the run, re-executed from the top after the
signature form is answered, finds its own draft instead of computing the figures again.
An issued bulletin is never changed or deleted (a database trigger refuses it, see
migration 0006); a later run for the same week issues a correction that cites it.
Like `repo`, functions take an open Session and keyword-only arguments and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.errors import WrongStage
from models.reports.model import Period
from models.store.db import BulletinRow


def draft_of(session: Session, *, flow_run_id: str) -> BulletinRow | None:
    return session.scalars(select(BulletinRow).where(
        BulletinRow.flow_run_id == flow_run_id)).first()


def draft_of_number(session: Session, *, number: str) -> BulletinRow:
    row = session.scalars(select(BulletinRow).where(BulletinRow.number == number)).first()
    if row is None:
        raise WrongStage(f"bulletin {number}: no such bulletin")
    return row


def add_draft(session: Session, *, flow_run_id: str, period: Period, content: dict[str, Any],
              markdown: str, at: datetime) -> BulletinRow:
    """A new draft numbered PB-<ISO year>-W<week>-<n>; it corrects the period's latest
    issued bulletin, if there is one."""
    start = period.start.isoformat()
    count = session.scalar(select(func.count()).select_from(BulletinRow)
                           .where(BulletinRow.period_start == start)) or 0
    year, week, _ = period.start.isocalendar()
    row = BulletinRow(
        number=f"PB-{year}-W{week:02d}-{count + 1}", flow_run_id=flow_run_id,
        period_start=start, period_end=period.end.isoformat(), status="draft",
        corrects=latest_issued(session, period_start=start), content=content,
        markdown=markdown, created_at=at)
    session.add(row)
    session.flush()
    return row


def latest_issued(session: Session, *, period_start: str) -> str:
    return session.scalars(
        select(BulletinRow.number).where(BulletinRow.period_start == period_start,
                                         BulletinRow.status == "issued")
        .order_by(BulletinRow.id.desc())).first() or ""


def decide(session: Session, *, number: str, issue: bool, by: str, comment: str,
           at: datetime) -> bool:
    """Issue or return a draft; False when it was decided already (a replayed answer)."""
    changed = session.execute(
        update(BulletinRow).where(BulletinRow.number == number, BulletinRow.status == "draft")
        .values(status="issued" if issue else "returned", decided_by=by, decided_at=at,
                comment=comment).returning(BulletinRow.id)).first()
    if changed is None and session.scalars(select(BulletinRow.id).where(
            BulletinRow.number == number)).first() is None:
        raise WrongStage(f"bulletin {number}: no such bulletin")
    return changed is not None
