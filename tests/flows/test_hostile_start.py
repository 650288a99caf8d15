"""A case stored but never started (its submitter's request to Prefect timed out) is on
the SLA board from its first second, and the watchdog deployment starts its run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prefect.deployments import run_deployment

from cli import commands
from models.intake import Intake
from tests.flows.driver import latest_artifact, wait_for
from tests.flows.test_lifecycle import intake

pytestmark = pytest.mark.prefect_server


def test_a_case_stored_without_a_run_is_on_the_board_and_the_watchdog_starts_it(
    served: Any,
) -> None:
    from models.store import repo, transaction
    from tasks.artifacts import board
    from tasks.cases import create_from_intake
    from tasks.runtime import settings

    received = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    form = Intake.model_validate(intake(external_ref="NO-RUN-1",
                                        received_at=received.isoformat()))
    # Stored just now: the session's own watchdog leaves it alone for start_missing_after,
    # so the board can be read before any watchdog starts its run.
    number, created = create_from_intake(form, actor="cli")
    assert created and commands.show(number)["flow_run_id"] is None
    rows = [r for r in board(at=datetime.now(UTC), limit=1000) if r["case"] == number]
    [row] = rows  # one row, at the case's nearest deadline: acknowledging it
    assert row["deadline"].split("（")[0] == "受理"
    assert row["links"].rsplit(" · ", 1)[1] == "尚无流程"
    with transaction(settings().store_url) as session:  # as if stored 3 minutes ago
        repo.find_case(session, number=number).created_at = received

    watchdog = run_deployment("watchdog/watchdog", parameters={"run_for_seconds": 1},
                              timeout=180)
    assert watchdog.state is not None and watchdog.state.is_completed()
    story = wait_for(number, "handover", timeout=180)
    started = [e for e in story["events"] if e["kind"] == "run_started"]
    assert started and started[0]["actor"] == "watchdog"
    assert story["flow_run_id"] == started[0]["data"]["flow_run_id"]
    clocks = {c["name"]: c["outcome"] for c in commands.clocks(number)}
    # The acknowledgement was delivered; the handover clock waits for the signature.
    assert (clocks["acknowledge"], clocks["handover"]) == ("met", "running")
    assert number in latest_artifact("sla-board")
