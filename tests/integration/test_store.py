"""The case store on SQLite, and on PostgreSQL when COMPLAINTS_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from models.policy import load_policy
from models.store import migrate, repo, transaction
from models.store.db import CaseRow, EventRow, OutboxRow
from notifications.outbox import enqueue
from tests.factories import make_intake

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")


def create(url: str, **overrides: object) -> tuple[str, bool]:
    with transaction(url) as session:
        case, created = repo.create_case(session, intake=make_intake(**overrides),
                                         received_at=NOW, now=NOW, day="20261124", actor="test")
        return case.number, created


def test_a_new_complaint_is_stored_with_its_received_event(store_url: str) -> None:
    number, created = create(store_url, subject="Screen flickers")
    assert created and number == "C-20261124-0001"
    with transaction(store_url) as session:
        case = repo.find_case(session, number=number)
        assert case.subject == "Screen flickers" and case.status == "open"
        assert case.received_at == NOW
        assert [e.kind for e in repo.events_of(session, case=case)] == ["received"]


def test_the_same_external_ref_twice_is_one_case(store_url: str) -> None:
    first = create(store_url, external_ref="MAIL-77")
    second = create(store_url, external_ref="MAIL-77")
    assert first == (first[0], True) and second == (first[0], False)


def test_racing_submissions_of_one_external_ref_make_one_case(store_url: str) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: create(store_url, external_ref="RACE-1"), range(16)))
    assert len({number for number, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with transaction(store_url) as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 1


def test_case_numbers_stay_unique_under_concurrent_intake(store_url: str) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda i: create(store_url, subject=f"n{i}")[0], range(24)))
    assert sorted(numbers) == [f"C-20261124-{i:04d}" for i in range(1, 25)]


def test_a_step_is_saved_once_and_the_first_answer_wins(store_url: str) -> None:
    number, _ = create(store_url)
    with transaction(store_url) as session:
        case = repo.find_case(session, number=number)
        _, first = repo.save_step(session, case=case, key="investigation", stage="investigation",
                                  status="answered", payload={"facts": "a"}, actor="x", at=NOW)
        row, second = repo.save_step(session, case=case, key="investigation",
                                     stage="investigation", status="answered",
                                     payload={"facts": "b"}, actor="y", at=NOW)
    assert first and not second and row.payload == {"facts": "a"}


def test_a_message_is_queued_once_per_case_purpose_recipient_and_ref(store_url: str) -> None:
    number, _ = create(store_url)
    with transaction(store_url) as session:
        case = repo.find_case(session, number=number)
        case.tier, case.department = "C", "technical"
        context = {"close_deadline": "2026-11-26 10:00", "channel": "web",
                   "contact_name": "Zhou Qiang", "contact_phone": "+86 21 5555 0101"}
        queued = [enqueue(session, case=case, purpose="acknowledgement", role="customer", ref="",
                          context=context, policy=POLICY, now=NOW) for _ in range(3)]
        assert queued[0] is not None and queued[1:] == [None, None]
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 1


def test_times_come_back_as_the_same_instant_in_utc(store_url: str) -> None:
    number, _ = create(store_url)
    shanghai = timezone(timedelta(hours=8))
    with transaction(store_url) as session:
        case = repo.find_case(session, number=number)
        repo.record_event(session, case=case, kind="note", actor="t",
                          at=datetime(2026, 11, 24, 18, 0, tzinfo=shanghai))
    with transaction(store_url) as session:
        at = session.scalars(select(EventRow.at).where(EventRow.kind == "note")).one()
    assert at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC) and at.tzinfo is not None


def test_migrating_twice_changes_nothing(store_url: str) -> None:
    create(store_url)
    migrate(store_url)
    with transaction(store_url) as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 1


def test_the_migrated_schema_is_the_models_schema(store_url: str) -> None:
    """Every column, index and table of models/store/db.py comes from a migration: what
    Alembic's autogenerate would still add or drop is a migration someone forgot."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models.store import engine_for
    from models.store.db import Base

    migrate(store_url)
    with engine_for(store_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_the_centre_rules_migration_goes_down_and_up_again(store_url: str) -> None:
    from alembic import command

    from models.store import alembic_config

    create(store_url)
    config = alembic_config(store_url)
    command.downgrade(config, "0004")
    command.upgrade(config, "head")
    with transaction(store_url) as session:
        case = session.scalars(select(CaseRow)).one()
        assert (case.validity, case.rejections, case.phone_key) == ("", 0, "")
