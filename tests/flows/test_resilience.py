"""Restarts, Prefect's Retry, and a task that exhausts its retries."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.states import Failed, Scheduled

from tests.flows import answers
from tests.flows.driver import outbox_files, respond, submit, wait_for
from tests.flows.test_lifecycle import intake

pytestmark = pytest.mark.prefect_server


def test_a_case_resumed_after_a_crash_and_a_retry_repeats_no_stage_and_no_message(
    served: Any,
) -> None:
    number = submit(intake(external_ref="RESTART-1"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    respond(number, "investigation", answers.INVESTIGATION)
    wait_for(number, "solution")
    served.restart()  # the serving process dies while the case waits
    respond(number, "solution", answers.SOLUTION_ONE)
    respond(number, "choice", answers.CHOICE_ONE)
    story = wait_for(number, "execution")
    _retry_like_the_ui(story["flow_run_id"])  # resets Prefect's pause keys
    story = wait_for(number, "execution")
    for stage, answer in [("execution", answers.EXECUTION), ("callback", answers.CALLBACK_OK),
                          ("review", answers.REVIEW)]:
        respond(number, stage, answer)
    story = wait_for(number, "closed")

    kinds = Counter(e["kind"] for e in story["events"])
    assert kinds["judged"] == kinds["signed"] == kinds["investigated"] == 1
    assert kinds["solution_proposed"] == kinds["option_chosen"] == 1
    assert kinds["closed"] == 1 and kinds["answered"] == 7
    keys = [(m["purpose"], m["role"], m["ref"]) for m in story["messages"]]
    assert len(keys) == len(set(keys)) == 7
    assert len(outbox_files(number)) == 7
    assert _task_runs(story["flow_run_id"])["investigation · investigation"] == 1


def _retry_like_the_ui(flow_run_id: str) -> None:
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run_id, Failed(message="simulated"), force=True)
        client.set_flow_run_state(flow_run_id, Scheduled(name="AwaitingRetry"), force=True)


def _task_runs(flow_run_id: str) -> Counter[str]:
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[flow_run_id])))
    return Counter(run.name for run in runs)


def test_a_delivery_that_exhausts_its_retries_escalates_to_the_right_manager(
    served: Any, tmp_path: Path,
) -> None:
    served.restart(COMPLAINTS_CHANNEL_CUSTOMER=f"json://127.0.0.1:{_closed_port()}/",
                   COMPLAINTS_POLICY_FILE=str(_fast_retry_policy(tmp_path)))
    try:
        general = submit(intake(claimed_loss=0, external_ref="FAIL-C"))["case"]
        major = submit(intake(emotion="extreme", external_ref="FAIL-A"))["case"]
        for number, rung in [(general, "department_manager"), (major, "general_manager")]:
            story = wait_for(number, "handover")
            # The acknowledgement is not delivered, so its clock runs on: the watchdog may
            # warn about it too. The failure is escalated once, to the right manager.
            failures = [e for e in story["escalations"] if e["clock"].startswith("failure:")]
            assert [e["rung"] for e in failures] == [rung]
            assert "task 'deliver" in failures[0]["reason"]
            status = {(m["purpose"], m["role"]): m["status"] for m in story["messages"]}
            assert status[("acknowledgement", "customer")] == "pending"  # kept, not lost
            assert status[("escalation", rung)] == "sent"
            files = [f.name for f in outbox_files(number)]
            assert any(f.endswith(f"_escalation_{rung}.eml") for f in files), files
    finally:
        served.restart()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fast_retry_policy(tmp_path: Path) -> Path:
    root = Path(__file__).resolve().parents[2]
    policy = yaml.safe_load((root / "policy.yaml").read_text(encoding="utf-8"))
    fast = {"retries": 2, "retry_delay_seconds": 0.2, "timeout_seconds": 30}
    policy["default_task"] = fast
    for tier in policy["tiers"].values():
        tier["task"] = fast
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path
