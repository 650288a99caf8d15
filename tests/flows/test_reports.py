"""The weekly report on the test server: it suspends for the general manager's signature;
approved, the bulletin reaches each department's manager and the GM once; returned with
a comment, nothing is sent; a second bulletin for the week corrects the first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from prefect import get_client
from prefect.deployments import run_deployment
from sqlalchemy import select

from models.store import bulletins, repo, transaction
from models.store.db import OutboxRow, ResponsibilityRow
from tasks.runtime import policy, settings
from tests.factories import make_intake
from tests.flows.driver import flow_run, latest_artifact, resume, until

pytestmark = pytest.mark.prefect_server

# A week no other flow test touches: its cases are the ones seeded here.
MONDAY, SUNDAY = "2026-08-03", "2026-08-09"
CLOSED = datetime(2026, 8, 5, 3, 0, tzinfo=UTC)  # Wednesday 11:00 in Shanghai


def seed_closed_case(person: str, *, closed: datetime = CLOSED, department: str = "service",
                     category: str = "service_attitude") -> str:
    """A valid tier-B case received two days before it closed, with its responsible person."""
    now = datetime.now(UTC)
    with transaction(settings().store_url) as session:
        case, _ = repo.create_case(
            session, intake=make_intake(external_ref=f"RPT-{uuid.uuid4().hex[:6]}",
                                        received_at=(now - timedelta(days=5)).isoformat()),
            received_at=now - timedelta(days=5), now=now, day=f"{closed:%Y%m%d}", actor="test")
        case.status, case.stage, case.department, case.tier = "closed", "closed", department, "B"
        case.validity, case.closed_at, case.category = "valid", closed, category
        case.received_at = closed - timedelta(days=2)  # older than intake's window allows
        session.add(ResponsibilityRow(case_id=case.id, person=person, department=department,
                                      at=closed - timedelta(days=1)))
        return case.number


def start_weekly(monday: str = MONDAY, sunday: str = SUNDAY) -> str:
    run = run_deployment("weekly-report/weekly-report", timeout=0,
                         parameters={"period_from": monday, "period_to": sunday})
    return str(run.id)


def waiting_for_signature(run_id: str, suffix: str = "") -> str:
    """The pause key once the run is suspended at the signature form (a key ending in
    `suffix`: "--2" is the form asked a second time)."""
    def key() -> str:
        state = flow_run(run_id).state
        found = str(state.state_details.pause_key) if state and state.is_paused() else ""
        return found if found.endswith(suffix) else ""
    try:
        return str(until(key, "never asked"))
    except AssertionError:
        raise AssertionError(f"weekly report {run_id} never asked for the signature{suffix}: "
                             f"{run_story(run_id)}") from None


def run_story(run_id: str) -> str:
    """The run's state and its log lines, for a failure's message."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(
            flow_run_id=LogFilterFlowRunId(any_=[UUID(run_id)])), limit=50)
    state = flow_run(run_id).state
    return f"{state.name if state else '?'}: {state.message if state else ''}; logs: " + \
        " | ".join(entry.message[:400] for entry in logs)


def sign(run_id: str, answer: dict[str, Any]) -> None:
    """Resume with the answer, once the run has saved its form (driver.resume)."""
    resume(run_id, answer)


def bulletin_messages(number: str) -> list[OutboxRow]:
    with transaction(settings().store_url) as session:
        return list(session.scalars(select(OutboxRow).where(
            OutboxRow.purpose == "bulletin", OutboxRow.ref.startswith(f"{number}:"))))


def draft_of(run_id: str) -> Any:
    with transaction(settings().store_url) as session:
        row = bulletins.draft_of(session, flow_run_id=run_id)
        assert row is not None
        session.expunge(row)
        return row


def test_the_signed_bulletin_reaches_every_department_once_and_a_returned_one_nothing(
    served: Any,
) -> None:
    seed_closed_case("高军")
    first = start_weekly()
    key = waiting_for_signature(first)
    number = draft_of(first).number
    assert key == f"bulletin-{number.lower()}"  # Prefect keys are lower case
    assert "高军" in latest_artifact("weekly-report")
    assert not bulletin_messages(number)  # nothing goes before the signature

    sign(first, {"decision": "approve", "signed_by": "李明（总经理）", "comment": ""})
    until(lambda: flow_run(first).state.is_completed(), "the signed report never completed")
    issued = draft_of(first)
    assert (issued.status, issued.decided_by) == ("issued", "李明（总经理）")
    assert issued.content["bulletin"]["total"] in ("200.00", "200")
    sent = until(lambda: [m for m in bulletin_messages(number) if m.status == "sent"]
                 if all(m.status == "sent" for m in bulletin_messages(number)) else [],
                 "the bulletin was never sent")
    managers = {d.manager.email for d in policy().departments.values()}
    assert sorted(m.address_email for m in sent) == sorted(
        [*managers, policy().general_manager.email])  # each once

    second = start_weekly()
    waiting_for_signature(second)
    correction = draft_of(second)
    assert correction.corrects == number
    sign(second, {"decision": "return", "signed_by": "李明（总经理）", "comment": ""})
    waiting_for_signature(second, "--2")  # a return needs its comment: asked again
    sign(second, {"decision": "return", "signed_by": "李明（总经理）",
                  "comment": "服务部的业务量还没有报上来，补齐后再发"})
    until(lambda: flow_run(second).state.is_completed(), "the returned report never completed")
    assert draft_of(second).status == "returned"
    assert bulletin_messages(correction.number) == []
    assert len(bulletin_messages(number)) == len(sent)  # the first is not sent again


def test_complaints_report_runs_the_monthly_report_on_the_desk_and_hands_over_its_files(
    served: Any, tmp_path: Any, capsys: Any,
) -> None:
    import json

    from cli.main import main

    seed_closed_case("高军")
    assert main(["report", "monthly", "--from", "2026-08-01", "--to", "2026-08-31",
                 "--out", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["state"] == "Completed" and printed["period"] == "2026-08-01..2026-08-31"
    names = {p.split("/")[-1] for p in printed["files"]}
    assert {"report.md", "report.html", "report.xlsx", "days.png"} <= names
    assert all(p.startswith(str(tmp_path)) for p in printed["files"])
    assert "2026年8月" in (tmp_path / printed["folder"].split("/")[-1] / "report.md").read_text(
        encoding="utf-8")
    with transaction(settings().store_url) as session:
        sent = session.scalars(select(OutboxRow.address_email).where(
            OutboxRow.purpose == "monthly_report",
            OutboxRow.ref.contains(printed["run"]))).all()
    assert sorted(sent) == sorted([policy().service_director.email,  # type: ignore[union-attr]
                                   policy().general_manager.email])

    assert main(["report", "weekly", "--from", "2026-08-03"]) == 2
    assert "--to: give both dates" in capsys.readouterr().err
    assert main(["report", "weekly", "--from", "3.8.2026", "--to", "2026-08-09"]) == 2
    assert "--from: '3.8.2026' is not a date; use YYYY-MM-DD" in capsys.readouterr().err


def test_an_early_warning_is_sent_once_to_the_gm_and_the_department_and_shown_on_the_board(
    served: Any,
) -> None:
    for day in (17, 18, 19, 20, 21):  # five parts complaints in the week to 23 August
        seed_closed_case("马军", closed=datetime(2026, 8, day + 2, 3, 0, tzinfo=UTC),
                         department="parts", category="parts")
    first = run_deployment("early-warnings/early-warnings", timeout=120,
                           parameters={"day": "2026-08-23"})
    assert first.state is not None and first.state.is_completed()
    key = "surge:parts:2026-W34"
    assert key in first.state.result()["raised"]
    with transaction(settings().store_url) as session:
        sent = session.scalars(select(OutboxRow).where(
            OutboxRow.purpose == "early_warning", OutboxRow.ref.startswith(f"{key}:"))).all()
        assert sorted(m.address_email for m in sent) == sorted(
            [policy().general_manager.email, policy().departments["parts"].manager.email])
        assert all("配件" in m.subject + m.text and "本周 5 件" in m.text for m in sent)

    again = run_deployment("early-warnings/early-warnings", timeout=120,
                           parameters={"day": "2026-08-23"})
    assert again.state is not None and key not in again.state.result()["raised"]
    with transaction(settings().store_url) as session:
        assert len(session.scalars(select(OutboxRow.id).where(
            OutboxRow.purpose == "early_warning",
            OutboxRow.ref.startswith(f"{key}:"))).all()) == 2  # sent once

    run_deployment("watchdog/watchdog", parameters={"run_for_seconds": 1}, timeout=120)
    board = latest_artifact("sla-board")
    assert "近7天的投诉预警" in board and "本周 5 件" in board


def test_the_volume_form_stores_a_month_and_refuses_an_unknown_department_in_one_line(
    served: Any,
) -> None:
    from models.reports.model import Period
    from models.store.volumes import period_volume

    done = run_deployment("volume/volume", timeout=120, parameters={
        "month": "2026-07", "department": "technical", "volume": 3100,
        "entered_by": "林雪（客服中心）"})
    assert done.state is not None and done.state.is_completed()
    with transaction(settings().store_url) as session:
        july = Period(kind="monthly", start=datetime(2026, 7, 1).date(),
                      end=datetime(2026, 7, 31).date())
        assert str(period_volume(session, period=july, department="technical")) == "3100.00"
    refused = run_deployment("volume/volume", timeout=120, parameters={
        "month": "2026-07", "department": "tech", "volume": 10, "entered_by": "林雪"})
    assert refused.state is not None and refused.state.is_failed()
    assert refused.state.message.startswith("department: 'tech' is not one of ")
