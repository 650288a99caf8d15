"""The deployments that watch (tag `watcher` in prefect.yaml: the watchdog, letters): one
run covers its whole schedule interval, so each must run from the moment the desk is
served, and a run whose process died must not look alive.

`start_first_runs` starts a run of each at once when serving starts (Prefect's scheduler
would first start one an interval later), unless one is about to start anyway.
`crash_silent_runs` is Prefect's zombie detection (flow run heartbeats, docs "detect
zombie flows") kept as one automation on the server: a watcher run that has sent a
heartbeat and then goes silent for `SILENT` is marked Crashed. Heartbeats come every
`HEARTBEAT_SECONDS` (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, set for the served runs).
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

TAG = "watcher"
HEARTBEAT_SECONDS = 30  # Prefect's minimum; its default (180) would find a dead run late
SILENT = timedelta(seconds=90)
AUTOMATION = "complaints: a silent watcher run is crashed"
SOON = timedelta(seconds=15)


def start_first_runs(names: list[str], *, since: datetime, seconds: float = 120) -> list[str]:
    """Once the served deployments `names` are registered (updated after `since`), start
    one run of each that has none scheduled within SOON; returns the flow run ids."""
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while True:
            found = [d for d in client.read_deployments(deployment_filter=DeploymentFilter(
                name=DeploymentFilterName(any_=names))) if d.updated and d.updated >= since]
            if {d.name for d in found} >= set(names) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        started = []
        for deployment in found:
            if _due_soon(client, deployment.id):
                continue
            run = client.create_flow_run_from_deployment(deployment.id,
                                                         tags=["started-with-the-desk"])
            started.append(str(run.id))
    return started


def _due_soon(client: Any, deployment_id: UUID) -> bool:
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    runs = client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.SCHEDULED, StateType.PENDING])),
            expected_start_time=FlowRunFilterExpectedStartTime(
                before_=datetime.now(UTC) + SOON)),  # type: ignore[arg-type]
        limit=1)
    return bool(runs)


def crash_silent_runs() -> None:
    """Create (or renew) the automation that marks a silent watcher run Crashed."""
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    with contextlib.suppress(ValueError):  # ValueError: none yet
        Automation.read(name=AUTOMATION, _sync=True).delete(_sync=True)  # type: ignore[call-overload]
    ends = ("heartbeat", "Completed", "Failed", "Cancelled", "Crashed", "Cancelling")
    Automation(
        name=AUTOMATION,
        description=f"A run of a deployment tagged {TAG!r} sends a heartbeat every "
                    f"{HEARTBEAT_SECONDS} s while its process lives; silent for "
                    f"{int(SILENT.total_seconds())} s, its process is gone.",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={f"prefect.flow-run.{end}" for end in ends},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            match_related=ResourceSpecification({"prefect.resource.role": "tag",
                                                 "prefect.resource.id": f"prefect.tag.{TAG}"}),
            for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1,
            within=SILENT),
        actions=[ChangeFlowRunState(
            name="Crashed", state=StateType.CRASHED, force=True,
            message=f"No heartbeat for {int(SILENT.total_seconds())} s: the run's process "
                    "is gone (the serving process died or was killed)")],
    ).create(_sync=True)  # type: ignore[call-arg]
