"""The next callback attempt is asked for when it is due (SQLite, and PostgreSQL when
given): not before `callback.retry_after`, once per attempt, never past the last one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from models.policy import load_policy
from models.store import repo, transaction
from models.store.db import OutboxRow
from tasks.reminders import remind_callbacks
from tests.factories import make_intake

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
WAIT = POLICY.callback.retry_after


def case_at_callback(url: str) -> str:
    with transaction(url) as session:
        case, _ = repo.create_case(session, intake=make_intake(), received_at=T0, now=T0,
                                   day="20261124", actor="test")
        case.tier, case.department, case.stage = "C", "technical", "callback"
        return case.number


def miss(url: str, number: str, at: datetime, *, round_: int = 1) -> None:
    with transaction(url) as session:
        case = repo.find_case(session, number=number)
        repo.record_event(session, case=case, kind="callback_not_reached", actor="Lin Xue",
                          at=at, attempt=1, round=round_)


def reminders(url: str, number: str) -> list[tuple[str, str, str]]:
    with transaction(url) as session:
        case = repo.find_case(session, number=number)
        return [(m.ref, m.role, m.address_email) for m in session.scalars(
            select(OutboxRow).where(OutboxRow.case_id == case.id,
                                    OutboxRow.purpose == "callback_retry"))]


def test_the_service_centre_is_asked_to_call_again_once_the_wait_is_over(
        store_url: str) -> None:
    number = case_at_callback(store_url)
    assert remind_callbacks(store_url=store_url, policy=POLICY, now=T0 + WAIT) == []
    miss(store_url, number, T0)
    early = T0 + WAIT - timedelta(seconds=1)
    assert remind_callbacks(store_url=store_url, policy=POLICY, now=early) == []
    assert remind_callbacks(store_url=store_url, policy=POLICY, now=T0 + WAIT) == [
        f"{number}:callback-1-a2"]
    assert remind_callbacks(store_url=store_url, policy=POLICY, now=T0 + 2 * WAIT) == []
    centre = POLICY.departments[POLICY.service_centre].handler
    assert reminders(store_url, number) == [("callback-1-a2", "service_centre", centre.email)]
    with transaction(store_url) as session:
        [text] = session.scalars(select(OutboxRow.text).where(
            OutboxRow.purpose == "callback_retry"))
    assert "第2次" in text and number in text


def test_no_reminder_after_the_last_attempt_or_for_an_earlier_round(store_url: str) -> None:
    number = case_at_callback(store_url)
    for n in range(POLICY.callback.max_attempts):
        miss(store_url, number, T0 + n * WAIT)
    later = T0 + 10 * WAIT
    remind_callbacks(store_url=store_url, policy=POLICY, now=later)
    assert reminders(store_url, number) == []
    other = case_at_callback(store_url)
    with transaction(store_url) as session:
        repo.find_case(session, number=other).round = 2
    miss(store_url, other, T0, round_=1)
    assert remind_callbacks(store_url=store_url, policy=POLICY, now=later) == []


def test_the_reminder_is_delivered_through_the_service_centres_channel(
        store_url: str, tmp_path: Path) -> None:
    """Every recipient role has a channel: a reminder queued for the service centre is
    sent by the watchdog's delivery (a role without one would have stopped every sweep)."""
    from models.settings import Settings
    from notifications.outbox import STAFF_ROLES, deliver_pending

    channels = Settings().channels()
    assert {"customer", *STAFF_ROLES} <= set(channels)
    number = case_at_callback(store_url)
    miss(store_url, number, T0)
    remind_callbacks(store_url=store_url, policy=POLICY, now=T0 + WAIT)
    deliver_pending(store_url=store_url, channels=channels, outbox_dir=tmp_path,
                    customers_before=T0)
    with transaction(store_url) as session:
        [status] = session.scalars(select(OutboxRow.status).where(
            OutboxRow.purpose == "callback_retry"))
    assert status == "sent" and list(tmp_path.glob(f"{number}_*callback_retry*"))
