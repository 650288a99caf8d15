"""The case store's tables (SQLAlchemy 2 ORM): the system of record for every case.

cases      one row per complaint; customer details live only here
events     append-only log: every transition with actor and time (the case's story)
steps      one row per stage answer or stage result, unique per (case, key)
clocks     deadlines per case: due, met, paused time, next check for the watchdog
escalations  unique per (case, clock, rung): a breach or failure told to a manager
responsibilities  the responsible person(s) of a case, as its investigation found them
actions    corrective and preventive actions of a review, each checked when it is due
outbox     every message before it is sent, unique per (case, purpose, recipient, ref);
           a report's messages belong to no case (unique per purpose, recipient, ref)
volumes    business volume per department and month: the complaint rate's denominator
bulletins  penalty bulletins: drafts, and issued ones, which are immutable (a trigger)
warnings   early warnings, each raised (and sent) once per (kind, key)
counters   per-day sequence for case numbers
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NO_CASE = "case_id IS NULL"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the case store")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class CaseRow(Base):
    __tablename__ = "cases"
    # One case per (channel, external_ref) and customer: the first is ref_seq 0, a case of
    # another customer reusing the reference 1, 2 ... (see repo.create_case); the
    # constraint keeps racing submitters to one case each.
    __table_args__ = (UniqueConstraint("channel", "external_ref", "ref_seq",
                                       name="uq_cases_channel_external_ref"),
                      Index("ix_cases_received_at", "received_at"),
                      Index("ix_cases_closed_at", "closed_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    external_ref: Mapped[str | None] = mapped_column(String(200))
    ref_seq: Mapped[int] = mapped_column(Integer, default=0)
    ref_reused_of: Mapped[str | None] = mapped_column(String(32))  # first case of the ref
    flow_run_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    stage: Mapped[str] = mapped_column(String(32), default="intake")
    waiting_for: Mapped[str] = mapped_column(String(64), default="")
    round: Mapped[int] = mapped_column(Integer, default=1)
    tier: Mapped[str] = mapped_column(String(1), default="")
    level: Mapped[str] = mapped_column(String(16), default="")
    department: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    customer_name: Mapped[str] = mapped_column(String(120))
    customer_phone: Mapped[str] = mapped_column(String(40), default="")
    customer_email: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200))
    claimed_loss: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    intake: Mapped[dict[str, Any]]
    judgment: Mapped[dict[str, Any] | None]
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    close_kind: Mapped[str] = mapped_column(String(16), default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # The centre's rules (DOMAIN.md §7). Empty strings mean "not decided yet".
    taken_by: Mapped[str] = mapped_column(String(120), default="")  # first contact
    signed_by: Mapped[str] = mapped_column(String(120), default="")  # 签收
    signed_at: Mapped[datetime | None]
    validity: Mapped[str] = mapped_column(String(8), default="")  # "" | valid | invalid
    established_loss: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    unreasonable_type: Mapped[str] = mapped_column(String(24), default="")
    irrational: Mapped[str] = mapped_column(String(8), default="")  # "" | first | second
    follow_up: Mapped[str] = mapped_column(String(8), default="")  # "" | watch | monitor
    tracker: Mapped[str] = mapped_column(String(120), default="")
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    callback_result: Mapped[str] = mapped_column(String(16), default="")
    satisfaction_score: Mapped[int | None] = mapped_column(Integer)
    # Keyed hashes (HMAC) of the normalised phone and e-mail: cases of one customer.
    phone_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    email_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    repeat_of: Mapped[str] = mapped_column(String(32), default="")  # possible repeat
    # Reports (DOMAIN.md §5): set at review; archived_at once the customer's details and
    # free text are exported and removed (two-year retention).
    root_cause_dimension: Mapped[str] = mapped_column(String(8), default="")  # people|goods|place
    repeat_by_neglect: Mapped[int] = mapped_column(Integer, default=0)
    archived_at: Mapped[datetime | None]


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(48))
    step: Mapped[str] = mapped_column(String(64), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StepRow(Base):
    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("case_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    key: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # answered | refused | done
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]


class ClockRow(Base):
    __tablename__ = "clocks"
    __table_args__ = (
        UniqueConstraint("case_id", "name", "round"),
        Index("ix_clocks_due", "open", "next_check_at"),
        Index("ix_clocks_open_due", "open", "due_at"),
        Index("ix_clocks_name_due_at", "name", "due_at", "outcome"),
        Index("ix_clocks_name_met_at", "name", "met_at", "case_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    round: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16), default="")  # "" | met | breached
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    paused_since: Mapped[datetime | None]
    open: Mapped[int] = mapped_column(Integer, default=1)
    next_check_at: Mapped[datetime | None]


class EscalationRow(Base):
    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("case_id", "clock", "rung"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    clock: Mapped[str] = mapped_column(String(64))
    rung: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str] = mapped_column(String(120), default="")


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("case_id", "purpose", "role", "ref"),
        Index("ix_outbox_pending", "status", "id"),
        Index("uq_outbox_no_case", "purpose", "role", "ref", unique=True,
              sqlite_where=text(NO_CASE), postgresql_where=text(NO_CASE)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(128), default="")
    address_email: Mapped[str] = mapped_column(String(254), default="")
    address_phone: Mapped[str] = mapped_column(String(40), default="")
    subject: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    delivered_to: Mapped[str] = mapped_column(String(300), default="")


class ResponsibilityRow(Base):
    __tablename__ = "responsibilities"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person: Mapped[str] = mapped_column(String(120), index=True)
    department: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


class ActionRow(Base):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_due", "checked_at", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # corrective | preventive
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime]
    check: Mapped[str] = mapped_column(Text)  # how its effect is checked
    created_at: Mapped[datetime]
    asked_at: Mapped[datetime | None]  # its owner was asked (action-check started a form)
    flow_run_id: Mapped[str] = mapped_column(String(36), default="")
    checked_at: Mapped[datetime | None]
    checked_by: Mapped[str] = mapped_column(String(120), default="")
    done: Mapped[int | None] = mapped_column(Integer)
    effective: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class VolumeRow(Base):
    __tablename__ = "volumes"
    __table_args__ = (UniqueConstraint("month", "department",
                                       name="uq_volumes_month_department"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    department: Mapped[str] = mapped_column(String(64))
    volume: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))  # csv | form
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime]


class BulletinRow(Base):
    __tablename__ = "bulletins"
    __table_args__ = (Index("ix_bulletins_period", "period_start", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    flow_run_id: Mapped[str] = mapped_column(String(36), unique=True)
    period_start: Mapped[str] = mapped_column(String(10))  # ISO dates, policy time zone
    period_end: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16))  # draft | issued | returned
    corrects: Mapped[str] = mapped_column(String(32), default="")  # number it corrects
    content: Mapped[dict[str, Any]]
    markdown: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")


class WarningRow(Base):
    __tablename__ = "warnings"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_warnings_kind_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    department: Mapped[str] = mapped_column(String(64), default="")
    data: Mapped[dict[str, Any]]
    raised_at: Mapped[datetime] = mapped_column(index=True)


class CounterRow(Base):
    __tablename__ = "counters"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
