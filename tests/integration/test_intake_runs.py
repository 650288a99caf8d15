"""What a flow run does at intake when submitters try twice, and how flow-level store
calls ride out a store that is briefly unreachable."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from models.store import repo, transaction
from models.store.db import CaseRow
from tests.factories import make_intake


def test_a_second_run_named_after_a_stored_case_ends_as_its_duplicate(store: str) -> None:
    from tasks.cases import create_from_intake, open_case

    # received now; no external_ref: only the run's name ties it to the case
    intake = make_intake(received_at="")
    number, _ = create_from_intake(intake, actor="cli")
    payload = intake.model_dump(mode="json")
    first = open_case.fn(payload, flow_run_id="run-1", flow_run_name=f"{number} · C")
    second = open_case.fn(payload, flow_run_id="run-2", flow_run_name=f"{number} · C")
    again = open_case.fn(payload, flow_run_id="run-1", flow_run_name=f"{number} · C")

    assert first == again == {"number": number, "duplicate_of": ""}
    assert second == {"number": number, "duplicate_of": number}
    with transaction(store) as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 1
        case = repo.find_case(session, number=number)
        assert case.flow_run_id == "run-1"
        assert [e.kind for e in repo.events_of(session, case=case)] == [
            "received", "duplicate_submission"]


def _store_down() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection"))


def test_flow_level_store_calls_are_tried_again_while_the_store_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tasks import runtime

    naps: list[float] = []
    monkeypatch.setattr(runtime.time, "sleep", naps.append)
    outcomes: list[Any] = [_store_down(), _store_down(), "case C-1"]

    def read() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    assert runtime.patiently(read) == "case C-1"
    assert naps == [runtime.policy().default_task.retry_delay_seconds] * 2


def test_flow_level_store_calls_give_up_after_the_retries_and_never_retry_a_bug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tasks import runtime

    naps: list[float] = []
    monkeypatch.setattr(runtime.time, "sleep", naps.append)
    calls: list[str] = []

    def down() -> None:
        calls.append("down")
        raise _store_down()

    def bug() -> None:
        calls.append("bug")
        raise KeyError("stage")

    with pytest.raises(OperationalError):
        runtime.patiently(down)
    assert calls.count("down") == runtime.policy().default_task.retries + 1
    with pytest.raises(KeyError):
        runtime.patiently(bug)
    assert calls.count("bug") == 1
