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


def test_letters_are_read_within_a_minute_by_at_most_twelve_runs_an_hour() -> None:
    """Issue #12: one letters run watches the inbox for its interval, looking every
    LOOK_EVERY seconds. The longest wait for a letter is across two runs: from one run's
    last look (at most LOOK_EVERY before its watch ends) to the next run's first look;
    15 s of the minute are left for starting that run."""
    from flows.letters import LOOK_EVERY
    from flows.serve import declared

    served = {d.name: d for d in runner_deployments()}
    interval = served["letters"].schedules[0].schedule.interval.total_seconds()  # type: ignore[union-attr]
    [entry] = [e for e in declared() if e["name"] == "letters"]
    watch = entry["parameters"]["watch_seconds"]
    assert 3600 / interval <= 12
    assert LOOK_EVERY <= 60 and watch < interval
    assert (interval - watch) + LOOK_EVERY <= 45
