"""Served deployments take their schedules from prefect.yaml, action-check from the policy."""

from __future__ import annotations

from datetime import timedelta

from flows.serve import runner_deployments
from tasks.runtime import policy


def test_action_check_runs_as_often_as_the_policy_says_and_the_watchdog_as_declared() -> None:
    served = {d.name: d for d in runner_deployments()}
    assert {"action-check", "action-review"} <= set(served)

    def every(name: str) -> timedelta:
        return served[name].schedules[0].schedule.interval  # type: ignore[union-attr]

    assert every("action-check") == timedelta(seconds=policy().actions.check_every_seconds)
    assert every("watchdog") == timedelta(seconds=300)
    assert not served["action-review"].schedules
