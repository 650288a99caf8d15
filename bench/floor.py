"""The engine's floor for the lifecycle benchmark: a trivial flow with as many task runs
and suspensions as one complaint with a single solution option (17 task runs: intake,
judgment, delivery, then a stage and a delivery for each of 7 suspensions: handover,
investigation, solution, the customer's choice, execution, callback, review), doing
nothing else. Replays use Prefect's own idiom (cached, persisted task results); the
complaint flow instead skips done stages from its store without creating task runs.

    python bench/floor.py        serves the `floor/floor` deployment (PREFECT_API_URL),
                                 polling as `complaints serve` does (COMPLAINTS_POLL_SECONDS)
"""

from __future__ import annotations

import os

from prefect import flow, serve, task
from prefect.flow_runs import suspend_flow_run

STAGES = ("handover", "investigation", "solution", "choice", "execution", "callback", "review")


@task(persist_result=True)
def step(name: str) -> str:
    return name


@flow(name="floor", persist_result=True)
def floor() -> int:
    step("intake")
    step("judgment")
    step("deliver-judgment")
    for stage in STAGES:
        suspend_flow_run(wait_for_input=str, key=stage)
        step(stage)
        step(f"deliver-{stage}")
    return len(STAGES)


if __name__ == "__main__":
    poll = os.environ.get("COMPLAINTS_POLL_SECONDS")
    serve(floor.to_deployment(name="floor"),  # type: ignore[arg-type]
          query_seconds=float(poll) if poll else None)
