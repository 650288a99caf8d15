"""The watchdog deployment escalates a breached case; a manager's ack stops the climb."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from prefect.deployments import run_deployment

from cli.main import main
from tests.flows.driver import latest_artifact, submit, until, wait_for
from tests.flows.test_lifecycle import intake

pytestmark = pytest.mark.prefect_server


def test_the_watchdog_deployment_escalates_a_breach_and_ack_stops_the_climb(
    served: Any, capsys: pytest.CaptureFixture[str],
) -> None:
    long_ago = datetime.now(timezone(timedelta(hours=8))) - timedelta(days=3)
    number = submit(intake(claimed_loss=0, external_ref="LATE-1",
                           received_at=long_ago.replace(microsecond=0).isoformat()))["case"]
    wait_for(number, "handover")
    watchdog = run_deployment("watchdog/watchdog", parameters={"run_for_seconds": 1},
                              timeout=120)
    assert watchdog.state is not None and watchdog.state.is_completed()
    story = wait_for(number, "handover")
    close = [e for e in story["escalations"] if e["clock"] == "close-1"]
    assert [e["rung"] for e in close] == ["warn-50", "warn-75", "department_manager"]
    assert story["level"] == "intermediate" and story["close_kind"] == "second"
    assert story["status"] == "open"  # a breach never ends the case
    sent = {(m["purpose"], m["role"], m["status"]) for m in story["messages"]}
    assert ("escalation", "department_manager", "sent") in sent

    board = latest_artifact("sla-board")
    assert number in board and "已超时" in board
    # The card shows the escalation and the raised level without waiting for a form.
    card = f"case-{number.lower()}"
    until(lambda: "→ 部门经理：时限已超" in latest_artifact(card)
          and "**级别** 中等" in latest_artifact(card),
          "the card never showed the escalation and the raised level")

    assert main(["ack", number, "--by", "Technical manager"]) == 0
    assert "close-1/department_manager" in capsys.readouterr().out
    assert "已由Technical manager确认" in latest_artifact(card)
    assert main(["clocks", number]) == 0
    assert '"outcome": "breached"' in capsys.readouterr().out
