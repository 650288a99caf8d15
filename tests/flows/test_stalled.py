"""A worker killed mid-stage: the case is found stalled and rerun to closure, once."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from prefect import get_client

from cli import commands
from tasks import operations
from tasks.runtime import settings
from tests.flows import answers
from tests.flows.driver import outbox_files, respond, resume, submit, wait_for
from tests.flows.test_lifecycle import intake

pytestmark = pytest.mark.prefect_server


def test_a_case_whose_worker_dies_mid_stage_is_stalled_then_rerun_to_closure(
    served: Any,
) -> None:
    number = submit(intake(external_ref="KILL-1"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    run_id = wait_for(number, "investigation")["flow_run_id"]
    store = settings().store_url.removeprefix("sqlite:///")
    lock = sqlite3.connect(store, timeout=60, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the resumed run will block inside its stage
    try:
        resume(run_id, answers.INVESTIGATION)  # as the UI form does
        _until_running(run_id)
        time.sleep(2)
        served.kill()
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    listed = {c["case"]: c for c in operations.stalled(older_than=timedelta(0))}
    assert listed[number]["why"].startswith("flow run Running since")
    served.start()
    assert operations.rerun(number)["how"] == "same run rescheduled"
    story = wait_for(number, "solution")  # investigation was not asked again
    for stage, answer in [("solution", answers.SOLUTION_ONE), ("choice", answers.CHOICE_ONE),
                          ("execution", answers.EXECUTION), ("callback", answers.CALLBACK_OK),
                          ("review", answers.REVIEW)]:
        respond(number, stage, answer)
    story = wait_for(number, "closed")

    kinds = Counter(e["kind"] for e in story["events"])
    assert kinds["answered"] == 7 and kinds["investigated"] == 1 and kinds["rerun"] == 1
    waits = [e["step"] for e in story["events"] if e["kind"] == "waiting"]
    assert waits.count("investigation") == 1
    keys = [(m["purpose"], m["role"], m["ref"]) for m in story["messages"]]
    assert len(keys) == len(set(keys)) == len(outbox_files(number)) == 7
    assert number not in {c["case"] for c in operations.stalled(older_than=timedelta(0))}
    clocks = {c["name"]: c for c in commands.clocks(number)}
    assert clocks["first_reply"]["outcome"] == "met" and clocks["close"]["outcome"] == "met"
    assert clocks["callback"]["met_at"] is not None


def _until_running(run_id: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state is not None and state.is_running():
                return
            time.sleep(0.2)
    raise AssertionError("the resumed run never started")
