"""The watchdog's sweep against a real store (SQLite, and PostgreSQL when given)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from models.policy import load_policy
from models.store import repo, transaction
from models.store.db import EscalationRow, OutboxRow
from tasks.watchdog import sweep
from tests.factories import make_intake

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)


def open_case(url: str, *, tier: str = "B", channel: str = "web", ref: str = "",
              level: str = "intermediate", close_in: timedelta = 24 * H) -> str:
    with transaction(url) as session:
        case, _ = repo.create_case(session, intake=make_intake(channel=channel, external_ref=ref),
                                   received_at=T0, now=T0, day="20261124", actor="test")
        case.tier, case.level, case.department = tier, level, "technical"
        repo.start_clock(session, case=case, name="close", round_=1, started_at=T0,
                         due_at=T0 + close_in)
        return case.number


def story(url: str, number: str) -> tuple[list[str], list[str], str, str]:
    with transaction(url) as session:
        case = repo.find_case(session, number=number)
        rungs = list(session.scalars(select(EscalationRow.rung).where(
            EscalationRow.case_id == case.id).order_by(EscalationRow.id)))
        roles = list(session.scalars(select(OutboxRow.role).where(
            OutboxRow.case_id == case.id, OutboxRow.purpose == "escalation")
            .order_by(OutboxRow.id)))
        return rungs, roles, case.level, case.close_kind


def test_a_breach_climbs_the_ladder_and_the_case_stays_open(store_url: str) -> None:
    number = open_case(store_url)
    for hours in (0, 12, 18, 24, 24.5, 25):
        sweep(store_url=store_url, policy=POLICY, now=T0 + hours * H)
    rungs, roles, level, close_kind = story(store_url, number)
    assert rungs == ["warn-50", "warn-75", "department_manager", "general_manager"]
    assert roles == ["handler", "handler", "department_manager", "general_manager"]
    assert (level, close_kind) == ("strong", "second")
    with transaction(store_url) as session:
        case = repo.find_case(session, number=number)
        assert case.status == "open"
        kinds = [e.kind for e in repo.events_of(session, case=case)]
    assert kinds.count("breached") == 1 and kinds.count("level_raised") == 1


def test_an_acknowledged_breach_does_not_reach_the_general_manager(store_url: str) -> None:
    number = open_case(store_url)
    sweep(store_url=store_url, policy=POLICY, now=T0 + 24 * H)
    with transaction(store_url) as session:  # a manager acknowledges
        case = repo.find_case(session, number=number)
        for row in session.scalars(select(EscalationRow).where(
                EscalationRow.case_id == case.id, EscalationRow.rung == "department_manager")):
            row.acknowledged_at, row.acknowledged_by = T0 + 24.2 * H, "Technical manager"
    sweep(store_url=store_url, policy=POLICY, now=T0 + 30 * H)
    assert story(store_url, number)[0] == ["warn-50", "warn-75", "department_manager"]


def test_tier_a_and_media_cases_reach_the_general_manager_at_breach(store_url: str) -> None:
    major = open_case(store_url, tier="A", close_in=8 * H, level="strong")
    media = open_case(store_url, channel="media", ref="PRESS-1")
    sweep(store_url=store_url, policy=POLICY, now=T0 + 24 * H)
    assert story(store_url, major)[0] == [
        "warn-50", "warn-75", "department_manager", "general_manager"]
    assert story(store_url, media)[0] == [
        "warn-50", "warn-75", "department_manager", "general_manager", "public_relations"]


def test_two_watchdogs_at_once_escalate_each_rung_once(store_url: str) -> None:
    numbers = [open_case(store_url, ref=f"BULK-{i}") for i in range(40)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def watchdog() -> None:
        try:
            barrier.wait()
            for hours in (12, 18, 24):
                sweep(store_url=store_url, policy=POLICY, now=T0 + hours * H, batch=7)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=watchdog) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(store_url) as session:
        assert session.scalar(select(func.count()).select_from(EscalationRow)) == 3 * 40
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 3 * 40
    assert {story(store_url, n)[2] for n in numbers} == {"strong"}  # raised once, not twice


def test_a_sweep_reads_only_the_clocks_that_are_due(store_url: str) -> None:
    for i in range(30):
        open_case(store_url, ref=f"IDLE-{i}")
    first = sweep(store_url=store_url, policy=POLICY, now=T0)
    again = sweep(store_url=store_url, policy=POLICY, now=T0 + H)
    assert (first.checked, again.checked) == (30, 0)
