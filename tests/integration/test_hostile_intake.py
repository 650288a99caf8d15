"""Hostile intake against a real store (SQLite, and PostgreSQL when given): received_at
outside its window, clocks from the first second, runs started for runless cases, one
reference per channel and customer, NUL bytes."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from models.errors import InputError
from models.store import repo, transaction
from models.store.db import CaseRow
from tests.factories import make_intake

NOW = datetime.now(UTC).replace(microsecond=0)
ANNA = {"name": "Anna Weber", "email": "anna.weber@example.org", "phone": ""}
BORIS = {"name": "Boris Lang", "email": "boris.lang@example.org", "phone": ""}


def fresh(**overrides: Any) -> Any:
    """An intake received just now (the factory's fixed date ages out of the window)."""
    return make_intake(**{"received_at": NOW.isoformat(), **overrides})


def kinds(url: str, number: str) -> list[str]:
    with transaction(url) as session:
        return [e.kind for e in repo.events_of(session, case=repo.find_case(
            session, number=number))]


@pytest.mark.parametrize("received", [
    "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+08:00",
    (NOW - timedelta(days=91)).isoformat(), (NOW + timedelta(minutes=10)).isoformat(),
])
def test_received_at_outside_its_window_is_refused_in_one_line(store: str,
                                                               received: str) -> None:
    from tasks.cases import create_from_intake

    with pytest.raises(InputError) as caught:
        create_from_intake(fresh(received_at=received), actor="test", at=NOW)
    message = str(caught.value)
    assert message.startswith("received_at: must lie between ") and "\n" not in message
    assert "intake.received_window" in message and received in message
    with transaction(store) as session:
        assert session.scalars(select(CaseRow.id)).first() is None


@pytest.mark.parametrize("delta", [timedelta(days=-89), timedelta(0), timedelta(minutes=4)])
def test_received_at_inside_its_window_is_stored(store: str, delta: timedelta) -> None:
    from tasks.cases import create_from_intake

    number, created = create_from_intake(
        fresh(received_at=(NOW + delta).isoformat()), actor="test", at=NOW)
    assert created and number.startswith("C-")


def test_a_stored_case_has_its_clocks_before_any_run_and_delivery_meets_acknowledge(
    store: str, tmp_path: Path,
) -> None:
    from notifications.outbox import deliver_pending
    from tasks.cases import create_from_intake, judge

    number, _ = create_from_intake(fresh(claimed_loss=800), actor="test", at=NOW)
    with transaction(store) as session:
        case = repo.find_case(session, number=number)
        clocks = {c.name: c for c in repo.clocks_of(session, case=case)}
        assert case.flow_run_id is None and (case.tier, case.department) == ("B", "technical")
    assert sorted(clocks) == ["acknowledge", "close", "first_reply", "handover"]
    assert all(c.open == 1 and c.met_at is None for c in clocks.values())
    assert clocks["close"].due_at == NOW + timedelta(hours=24)

    def outcomes() -> dict[str, tuple[str, int]]:
        with transaction(store) as session:
            rows = repo.clocks_of(session, case=repo.find_case(session, number=number))
        assert len(rows) == 4
        return {c.name: (c.outcome, c.open) for c in rows}

    judge.fn(number)  # judgment meets no clock: the acknowledgement is only queued
    assert outcomes() == {"acknowledge": ("", 1), "handover": ("", 1),
                          "first_reply": ("", 1), "close": ("", 1)}
    assert deliver_pending(store_url=store, channels=defaultdict(lambda: "file"),
                           outbox_dir=tmp_path)
    # Delivered, the acknowledge clock is met; the handover clock waits for the signature.
    assert outcomes() == {"acknowledge": ("met", 0), "handover": ("", 1),
                          "first_reply": ("", 1), "close": ("", 1)}


def test_the_watchdog_starts_the_run_of_a_case_stored_without_one(
    store: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tasks import operations
    from tasks.artifacts import board
    from tasks.cases import create_from_intake
    from tasks.runtime import policy
    from tasks.watchdog import start_missing_runs

    number, _ = create_from_intake(fresh(), actor="test", at=NOW - timedelta(minutes=3))
    young, _ = create_from_intake(fresh(subject="Just in"), actor="test", at=NOW)
    rows = {r["case"]: r for r in board(at=NOW)}
    assert rows[number]["links"].endswith(" · 尚无流程")
    assert rows[young]["links"].endswith(" · 尚无流程")
    started: list[str] = []

    def fake_run(**options: Any) -> Any:
        started.append(options["flow_run_name"])
        return SimpleNamespace(id="00000000-0000-0000-0000-00000000000a")

    monkeypatch.setattr(operations, "create_run", fake_run)
    assert start_missing_runs(store_url=store, policy=policy(), now=NOW) == [number]
    assert started == [f"{number} · C"]
    assert start_missing_runs(store_url=store, policy=policy(), now=NOW) == []
    with transaction(store) as session:
        case = repo.find_case(session, number=number)
        assert case.flow_run_id == "00000000-0000-0000-0000-00000000000a"
        event = repo.events_of(session, case=case)[-1]
        assert (event.kind, event.actor) == ("run_started", "watchdog")


def test_one_reference_in_two_channels_from_two_customers_is_two_cases(store: str) -> None:
    from tasks.cases import create_from_intake

    letter, _ = create_from_intake(fresh(channel="email", external_ref="WEB-COLLIDE-1",
                                         customer=ANNA), actor="letter", at=NOW)
    web, created = create_from_intake(fresh(channel="web", external_ref="WEB-COLLIDE-1",
                                            customer=BORIS), actor="cli", at=NOW)
    assert created and web != letter
    assert "reference_reused" in kinds(store, web)
    with transaction(store) as session:
        event = [e for e in repo.events_of(session, case=repo.find_case(session, number=web))
                 if e.kind == "reference_reused"][0]
        assert event.data == {"original": letter, "channel": "email"}
        assert repo.find_case(session, number=web).ref_reused_of == letter


def test_the_same_reference_from_another_customer_in_one_channel_is_a_new_flagged_case(
    store: str,
) -> None:
    from tasks.cases import create_from_intake

    first, _ = create_from_intake(fresh(channel="web", external_ref="WEB-7", customer=ANNA),
                                  actor="cli", at=NOW)
    second, created = create_from_intake(
        fresh(channel="web", external_ref="WEB-7", customer=BORIS), actor="cli", at=NOW)
    assert created and second != first
    assert kinds(store, second) == ["received", "reference_reused"]
    assert kinds(store, first) == ["received", "reference_reused_by"]


def test_a_duplicate_through_the_cli_path_leaves_an_event_on_the_original(
    store: str,
) -> None:
    from tasks.cases import create_from_intake
    from tasks.operations import submit_intake

    number, _ = create_from_intake(fresh(channel="web", external_ref="WEB-8", customer=ANNA),
                                   actor="cli", at=NOW)
    again = submit_intake(fresh(channel="web", external_ref="WEB-8",
                                customer={**ANNA, "email": "Anna.Weber@EXAMPLE.org"}),
                          actor="cli")
    assert again["duplicate"] is True and again["case"] == number
    assert kinds(store, number) == ["received", "duplicate_submission"]


def test_a_duplicate_through_the_run_form_leaves_an_event_on_the_original(
    store: str,
) -> None:
    from tasks.cases import create_from_intake, open_case

    number, _ = create_from_intake(fresh(channel="web", external_ref="WEB-9", customer=ANNA),
                                   actor="cli", at=NOW, flow_run_id="run-1")
    payload = fresh(channel="web", external_ref="WEB-9", customer=ANNA).model_dump(mode="json")
    result = open_case.fn(payload, flow_run_id="run-2", flow_run_name="run-2")
    assert result == {"number": number, "duplicate_of": number}
    assert kinds(store, number) == ["received", "duplicate_submission"]


def test_nul_bytes_never_reach_the_store(store: str) -> None:
    from tasks.cases import create_from_intake

    intake = fresh(subject="Dead\x00 pixels", description="Row\x00 of dead\x00 pixels.",
                   customer={"name": "Zhou\x00 Min"}, external_ref="N\x00UL-1")
    number, _ = create_from_intake(intake, actor="test", at=NOW)
    with transaction(store) as session:
        case = repo.find_case(session, number=number)
        stored = (case.subject, case.customer_name, case.intake["description"],
                  case.external_ref)
    assert stored == ("Dead pixels", "Zhou Min", "Row of dead pixels.", "NUL-1")


def test_racing_submissions_of_one_reference_by_two_customers_make_two_cases(
    store: str,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def submit(i: int) -> tuple[str, bool]:
        with transaction(store) as session:
            case, created = repo.create_case(
                session, intake=fresh(channel="web", external_ref="RACE-2",
                                      customer=(ANNA, BORIS)[i % 2]),
                received_at=NOW, now=NOW, day="20261126", actor="test")
            return case.number, created

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(submit, range(16)))
    assert len({n for n, _ in results}) == 2 and sum(c for _, c in results) == 2
    with transaction(store) as session:
        rows = list(session.scalars(select(CaseRow).order_by(CaseRow.id)))
    assert [(r.ref_seq, r.ref_reused_of) for r in rows] == [(0, None), (1, rows[0].number)]
    assert kinds(store, rows[0].number).count("duplicate_submission") == 7


def test_the_watchdog_leaves_a_new_customer_message_to_its_cases_own_delivery(
    store: str, tmp_path: Path,
) -> None:
    """A customer's message queued less than watchdog.resend_after ago is its case's own
    delivery's: were the watchdog to take it, a failure of that delivery would not
    escalate. Staff messages (the watchdog's escalations) go at once."""
    from models.store.db import OutboxRow
    from notifications.outbox import deliver_pending
    from tasks.cases import create_from_intake, judge

    number, _ = create_from_intake(fresh(), actor="test", at=NOW)
    judge.fn(number)  # queues the acknowledgement (customer) and the handover (staff)
    channels = defaultdict(lambda: "file")
    with transaction(store) as session:
        queued = max(session.scalars(select(OutboxRow.created_at)))
    sent = deliver_pending(store_url=store, channels=channels, outbox_dir=tmp_path,
                           customers_before=queued)
    with transaction(store) as session:
        status = {m.role: m.status for m in session.scalars(select(OutboxRow))}
    assert sent and status["customer"] == "pending" and status["handler"] == "sent"
    deliver_pending(store_url=store, channels=channels, outbox_dir=tmp_path,
                    customers_before=queued + timedelta(seconds=1))
    with transaction(store) as session:
        assert {m.status for m in session.scalars(select(OutboxRow))} == {"sent"}
