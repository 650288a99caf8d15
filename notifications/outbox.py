"""The outbox: every message is a row before anyone tries to send it.

`enqueue` renders a message for one recipient role and inserts it once per
(case, purpose, role, ref); a second call with the same key is a no-op, so replays and
retries never duplicate a message. `deliver_pending` claims pending rows one by one
(an UPDATE that only one sender can win), hands each to its role's channel and marks it
sent; a failure leaves the row pending for the next try and is reported together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.errors import DeliveryError
from models.policy import Contact, Policy
from models.store import repo, transaction
from models.store.db import CaseRow, OutboxRow
from notifications.links import staff_links
from notifications.render import render
from notifications.wording import CaseFacts, message_context

STAFF_ROLES = ("handler", "department_manager", "general_manager", "public_relations",
               "service_centre")


def contact_for(case: CaseRow, role: str, policy: Policy) -> Contact:
    """Who a role is for this case: the customer, or a person from the policy."""
    if role == "customer":
        return Contact(name=case.customer_name, email=case.customer_email,
                       phone=case.customer_phone)
    if role == "handler":
        return policy.departments[case.department].handler
    if role == "department_manager":
        return policy.departments[case.department].manager
    if role == "general_manager":
        return policy.general_manager
    if role == "public_relations":
        return policy.public_relations
    if role == "service_centre":
        return policy.departments[policy.service_centre].handler
    raise ValueError(f"role {role!r} is not one of customer, {', '.join(STAFF_ROLES)}")


def facts_of(case: CaseRow) -> CaseFacts:
    return CaseFacts(
        number=case.number, subject=case.subject, customer_name=case.customer_name,
        tier=case.tier or "", level=case.level or "", category=case.category or "",
        channel=case.channel or "", department=case.department or "", round=case.round or 1,
        rejections=case.rejections or 0, follow_up=case.follow_up or "")


def enqueue(
    session: Session, *, case: CaseRow, purpose: str, role: str, ref: str,
    context: Mapping[str, object], policy: Policy, now: datetime,
) -> OutboxRow | None:
    """Render and store one message; None if this (case, purpose, role, ref) exists."""
    key = (OutboxRow.case_id == case.id, OutboxRow.purpose == purpose,
           OutboxRow.role == role, OutboxRow.ref == ref)
    if session.execute(select(OutboxRow.id).where(*key)).first() is not None:
        return None
    contact = contact_for(case, role, policy)
    language = case.language if role == "customer" else policy.staff_language
    links = staff_links(case.number) if role != "customer" else {}
    rendered = render(purpose, language, message_context(
        purpose, language, {**links, **context}, facts=facts_of(case), role=role,
        contact=contact, policy=policy))
    return _store_once(session, OutboxRow(
        case_id=case.id, purpose=purpose, role=role, ref=ref, address_email=contact.email,
        address_phone=contact.phone, subject=rendered.subject, html=rendered.html,
        text=rendered.text, status="pending", attempts=0, created_at=now))


def enqueue_report(
    session: Session, *, purpose: str, role: str, ref: str, contact: Contact,
    context: Mapping[str, object], language: str, now: datetime,
) -> OutboxRow | None:
    """A message of a report (bulletin, monthly analysis, warning): it belongs to no case
    and is stored once per (purpose, role, ref); None if it exists."""
    rendered = render(purpose, language, {"recipient_name": contact.name_in(language),
                                          **context})
    return _store_once(session, OutboxRow(
        case_id=None, purpose=purpose, role=role, ref=ref, address_email=contact.email,
        address_phone=contact.phone, subject=rendered.subject, html=rendered.html,
        text=rendered.text, status="pending", attempts=0, created_at=now))


def _store_once(session: Session, row: OutboxRow) -> OutboxRow | None:
    """The row, or None when its unique key is stored already (a racing twin won)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def deliver_pending(
    *, store_url: str, channels: Mapping[str, str], outbox_dir: Path,
    case_id: int | None = None, limit: int = 200,
    customers_before: datetime | None = None,
) -> list[int]:
    """Send pending messages (of one case, or all; those to customers only if queued
    before `customers_before`, when given); returns the ids sent.

    Raises DeliveryError naming every message that could not be sent; those stay pending.
    """
    from notifications.channels import deliver

    with transaction(store_url) as session:
        query = select(OutboxRow.id).where(OutboxRow.status == "pending")
        if case_id is not None:
            query = query.where(OutboxRow.case_id == case_id)
        if customers_before is not None:
            query = query.where(or_(OutboxRow.role != "customer",
                                    OutboxRow.created_at < customers_before))
        ids = list(session.execute(query.order_by(OutboxRow.id).limit(limit)).scalars())
    sent, failures = [], []
    for message_id in ids:
        message = _claim(store_url, message_id)
        if message is None:
            continue  # another sender has it
        try:
            where = deliver(message, channel_url=_channel(channels, message.role),
                            outbox_dir=outbox_dir)
        except DeliveryError as exc:
            _finish(store_url, message_id, status="pending", error=str(exc))
            failures.append(f"message {message_id} ({message.purpose} to {message.role}): {exc}")
            continue
        _finish(store_url, message_id, status="sent", delivered_to=where)
        sent.append(message_id)
    if failures:
        raise DeliveryError("; ".join(failures))
    return sent


def _channel(channels: Mapping[str, str], role: str) -> str:
    """The role's channel; none stops no sweep: the message waits, the role named."""
    try:
        return channels[role]
    except KeyError:
        raise DeliveryError(f"no channel for the role {role!r} "
                            "(COMPLAINTS_CHANNEL_<ROLE>)") from None


def reclaim_stuck(*, store_url: str, older_than: datetime) -> int:
    """Rows a sender claimed and never finished (it died): pending again. A message whose
    send did complete may then go twice; a lost message is the worse outcome."""
    with transaction(store_url) as session:
        rows = session.execute(
            update(OutboxRow).where(OutboxRow.status == "sending",
                                    OutboxRow.claimed_at < older_than)
            .values(status="pending").returning(OutboxRow.id)
        ).all()
        return len(rows)


def _claim(store_url: str, message_id: int) -> _Message | None:
    with transaction(store_url) as session:
        claimed = session.execute(
            update(OutboxRow).where(OutboxRow.id == message_id, OutboxRow.status == "pending")
            .values(status="sending", attempts=OutboxRow.attempts + 1,
                    claimed_at=datetime.now(UTC))
            .returning(OutboxRow.id)
        ).first()
        if claimed is None:
            return None
        row = session.get(OutboxRow, message_id)
        if row is None:
            return None
        # A report's message has no case: its ref (the bulletin's number) stands in.
        case = session.get(CaseRow, row.case_id) if row.case_id is not None else None
        if row.case_id is not None and case is None:
            return None
        return _Message(
            id=row.id, case_number=case.number if case else row.ref.split(":")[0],
            purpose=row.purpose, role=row.role,
            address_email=row.address_email, address_phone=row.address_phone,
            subject=row.subject, html=row.html, text=row.text,
        )


# A clock a delivery meets: the acknowledge clock is met when the customer's
# acknowledgement has been delivered, not when it was queued (DOMAIN.md §7).
MEETS_CLOCK = {"acknowledgement": "acknowledge"}


def _finish(store_url: str, message_id: int, *, status: str, error: str = "",
            delivered_to: str = "") -> None:
    at = datetime.now(UTC)
    values: dict[str, object] = {"status": status, "last_error": error[:2000]}
    if status == "sent":
        values.update(sent_at=at, delivered_to=delivered_to[:300])
    with transaction(store_url) as session:
        session.execute(update(OutboxRow).where(OutboxRow.id == message_id).values(**values))
        row = session.get(OutboxRow, message_id)
        clock = MEETS_CLOCK.get(row.purpose) if row is not None and status == "sent" else None
        case = session.get(CaseRow, row.case_id) if clock and row is not None else None
        if clock and case is not None:
            repo.meet_clock(session, case=case, name=clock, round_=1, at=at)


@dataclass(frozen=True)
class _Message:
    """What a channel needs to send one message (no ORM object leaves the session)."""

    id: int
    case_number: str
    purpose: str
    role: str
    address_email: str
    address_phone: str
    subject: str
    html: str
    text: str
