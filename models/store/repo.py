"""Repository functions over the case store: cases, events, steps.

Every function takes an open `Session` (one transaction: see `store.transaction`) and
keyword-only arguments, and never commits: the caller's unit of work decides. Writes that
must happen once (a case per channel, external_ref and customer, a step per key) rely
on unique constraints inside a SAVEPOINT, so two processes racing get one row and a
clean answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.clocks import Clock, resume
from models.errors import CaseNotFound
from models.intake import Intake
from models.store.db import CaseRow, ClockRow, CounterRow, EventRow, StepRow


def allocate_number(session: Session, *, day: str) -> str:
    """Next case number of the day, e.g. C-20261123-0042 (atomic under concurrency)."""
    if session.get(CounterRow, day) is None:
        try:
            with session.begin_nested():
                session.add(CounterRow(day=day, last=0))
        except IntegrityError:
            pass
    last = session.execute(
        update(CounterRow).where(CounterRow.day == day)
        .values(last=CounterRow.last + 1).returning(CounterRow.last)
    ).scalar_one()
    return f"C-{day}-{last:04d}"


def find_case(session: Session, *, number: str, for_update: bool = False) -> CaseRow:
    query = select(CaseRow).where(CaseRow.number == number)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise CaseNotFound(f"case {number!r} not found")
    return row


def case_by(session: Session, *, external_ref: str = "", flow_run_id: str = "") -> CaseRow | None:
    """The case a run drives, or the first case of a reference (any channel)."""
    if flow_run_id:
        row = session.execute(
            select(CaseRow).where(CaseRow.flow_run_id == flow_run_id)
        ).scalar_one_or_none()
        if row is not None:
            return row
    if external_ref:
        return session.execute(select(CaseRow).where(CaseRow.external_ref == external_ref)
                               .order_by(CaseRow.id).limit(1)).scalar_one_or_none()
    return None


def create_case(
    session: Session, *, intake: Intake, received_at: datetime, now: datetime, day: str,
    actor: str, flow_run_id: str | None = None,
) -> tuple[CaseRow, bool]:
    """Store a new complaint, or return the case it duplicates: (case, created).

    A duplicate has the same channel, the same external_ref and the same customer (the
    same normalised phone or e-mail); it gets a `duplicate_submission` event (actor,
    channel, run). The reference of another customer, or of another channel, is a new
    case flagged `ref_reused_of` = the reference's first case, with a `reference_reused`
    event naming that case, and `reference_reused_by` on the first case naming the new
    one: case numbers and channels only, no customer data. Records the `received` event.
    Race-safe: unique (channel, external_ref, ref_seq); a loser reads again.
    """
    number = ""
    for _ in range(5):
        known = _cases_of_ref(session, intake.external_ref)
        same = [c for c in known if c.channel == intake.channel.value and _same_customer(c, intake)]
        if same:
            record_event(session, case=same[0], kind="duplicate_submission", actor=actor,
                         at=now, channel=intake.channel.value, flow_run_id=flow_run_id or "")
            return same[0], False
        number = number or allocate_number(session, day=day)
        row = _new_case(intake, number=number, received_at=received_at, now=now,
                        flow_run_id=flow_run_id, first=known[0] if known else None,
                        seq=sum(1 for c in known if c.channel == intake.channel.value))
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue  # another submission of this reference won the race: look again
        record_event(session, case=row, kind="received", actor=actor, at=now,
                     channel=intake.channel.value, received_at=received_at.isoformat())
        if known:
            record_event(session, case=row, kind="reference_reused", actor=actor, at=now,
                         original=known[0].number, channel=known[0].channel)
            record_event(session, case=known[0], kind="reference_reused_by", actor=actor,
                         at=now, reused_by=row.number, channel=row.channel)
        return row, True
    raise RuntimeError("external_ref: too many concurrent submissions of one reference")


def _cases_of_ref(session: Session, ref: str) -> list[CaseRow]:
    if not ref:
        return []
    return list(session.scalars(
        select(CaseRow).where(CaseRow.external_ref == ref).order_by(CaseRow.id)))


def _same_customer(case: CaseRow, intake: Intake) -> bool:
    """Phones are E.164 and e-mails normalised by the Intake model; e-mail local parts
    are compared without case, as mail servers in practice do."""
    phone, email = intake.customer.phone, intake.customer.email.casefold()
    return bool((phone and phone == case.customer_phone)
                or (email and email == case.customer_email.casefold()))


def _new_case(intake: Intake, *, number: str, received_at: datetime, now: datetime,
              flow_run_id: str | None, seq: int, first: CaseRow | None) -> CaseRow:
    return CaseRow(
        number=number, external_ref=intake.external_ref or None,
        ref_seq=seq, ref_reused_of=first.number if first else None,
        flow_run_id=flow_run_id, status="open", stage="intake", waiting_for="", round=1,
        channel=intake.channel.value, category=intake.category.value,
        language=intake.customer.language.value, customer_name=intake.customer.name,
        customer_phone=intake.customer.phone, customer_email=intake.customer.email,
        subject=intake.subject, claimed_loss=intake.loss, intake=intake.model_dump(mode="json"),
        judgment=None, received_at=received_at, created_at=now, updated_at=now, failures=0,
    )


def customer_cases(session: Session, *, case: CaseRow, where: ColumnElement[bool] | None = None,
                   limit: int | None = None) -> list[CaseRow]:
    """The other cases of this case's customer (same phone key or same e-mail key, each
    column indexed), most recent receipt first; none while the case has no keys."""
    same = [column == key for column, key in ((CaseRow.phone_key, case.phone_key),
                                               (CaseRow.email_key, case.email_key)) if key]
    if not same:
        return []
    query = select(CaseRow).where(or_(*same), CaseRow.id != case.id)
    if where is not None:
        query = query.where(where)
    query = query.order_by(CaseRow.received_at.desc(), CaseRow.id.desc()).limit(limit)
    return list(session.scalars(query))


def record_event(
    session: Session, *, case: CaseRow, kind: str, actor: str, at: datetime, step: str = "",
    **data: Any,
) -> EventRow:
    session.flush()
    row = EventRow(case_id=case.id, at=at, actor=actor, kind=kind, step=step, data=data)
    session.add(row)
    case.updated_at = at
    return row


def get_step(session: Session, *, case: CaseRow, key: str) -> StepRow | None:
    return session.execute(
        select(StepRow).where(StepRow.case_id == case.id, StepRow.key == key)
    ).scalar_one_or_none()


def save_step(
    session: Session, *, case: CaseRow, key: str, stage: str, status: str,
    payload: dict[str, Any], actor: str, at: datetime,
) -> tuple[StepRow, bool]:
    """Record a step once; a second save of the same key returns the first (False)."""
    existing = get_step(session, case=case, key=key)
    if existing is not None:
        return existing, False
    row = StepRow(case_id=case.id, key=key, stage=stage, status=status, payload=payload,
                  actor=actor, at=at)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = get_step(session, case=case, key=key)
        if found is None:
            raise
        return found, False
    return row, True


def events_of(session: Session, *, case: CaseRow) -> list[EventRow]:
    return list(session.execute(
        select(EventRow).where(EventRow.case_id == case.id).order_by(EventRow.id)
    ).scalars())


def steps_of(session: Session, *, case: CaseRow) -> list[StepRow]:
    return list(session.execute(
        select(StepRow).where(StepRow.case_id == case.id).order_by(StepRow.id)
    ).scalars())


def handlers_of(session: Session, *, case: CaseRow) -> list[str]:
    """Everyone who gave an accepted answer to a stage of this case (sorted)."""
    return sorted({s.actor for s in steps_of(session, case=case) if s.status == "answered"})


def start_clock(
    session: Session, *, case: CaseRow, name: str, round_: int, started_at: datetime,
    due_at: datetime,
) -> ClockRow:
    row = session.execute(select(ClockRow).where(
        ClockRow.case_id == case.id, ClockRow.name == name, ClockRow.round == round_,
    )).scalar_one_or_none()
    if row is None:
        row = ClockRow(case_id=case.id, name=name, round=round_, started_at=started_at,
                       due_at=due_at, outcome="", paused_seconds=0, open=1,
                       next_check_at=started_at)  # the watchdog plans it on its next sweep
        session.add(row)
    return row


def meet_clock(
    session: Session, *, case: CaseRow, name: str, round_: int, at: datetime,
) -> ClockRow | None:
    """Stop a clock: met in time, or breached if after its due time. Idempotent."""
    row = session.execute(select(ClockRow).where(
        ClockRow.case_id == case.id, ClockRow.name == name, ClockRow.round == round_,
    )).scalar_one_or_none()
    if row is None or row.met_at is not None:
        return row
    row.met_at, row.open, row.next_check_at = at, 0, None
    row.outcome = "met" if at <= row.due_at else "breached"
    return row


def clocks_of(session: Session, *, case: CaseRow) -> list[ClockRow]:
    return list(session.execute(
        select(ClockRow).where(ClockRow.case_id == case.id).order_by(ClockRow.id)
    ).scalars())


def pause_clocks(session: Session, *, case: CaseRow, at: datetime) -> list[str]:
    """Stop the case's running clocks while it waits on the customer."""
    paused = []
    for row in clocks_of(session, case=case):
        if row.open and row.met_at is None and row.paused_since is None:
            row.paused_since, row.next_check_at = at, None
            paused.append(f"{row.name}-{row.round}")
    return paused


def resume_clocks(session: Session, *, case: CaseRow, at: datetime) -> list[str]:
    """Restart paused clocks; each due time moves by the time spent paused."""
    resumed = []
    for row in clocks_of(session, case=case):
        if row.paused_since is None:
            continue
        moved = resume(Clock(row.name, row.started_at, row.due_at, row.paused_seconds,
                             row.paused_since), at=at)
        row.due_at, row.paused_seconds = moved.due_at, moved.paused_seconds
        row.paused_since, row.next_check_at = None, at
        resumed.append(f"{row.name}-{row.round}")
    return resumed
