"""The deployments that watch (tag `watcher` in prefect.yaml: the watchdog, letters): one
run covers its whole schedule interval, so each must run from the moment the desk is
served, and a run whose process died must not look alive.

`start_first_runs` starts a run of each at once when serving starts (Prefect's scheduler
would first start one an interval later), unless one is about to start anyway.
`crash_silent_runs` marks Crashed a Running watcher run that has sent no heartbeat
(Prefect's flow run heartbeat events, every `HEARTBEAT_SECONDS`: PREFECT_FLOWS_HEARTBEAT_
FREQUENCY, set for the served runs) for `SILENT`; serving runs it at start, the watchdog
at every board. Prefect's own way (an automation with a proactive trigger, docs "detect
zombie flows") never fired on the embedded server in our tests, so we look ourselves.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

TAG = "watcher"
HEARTBEAT_SECONDS = 30  # Prefect's minimum; its default (180) would find a dead run late
SILENT = timedelta(seconds=90)
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


def crash_silent_runs(*, now: datetime, but: str = "") -> list[str]:
    """Mark Crashed every Running watcher run (but `but`, the caller) that has sent no
    heartbeat for SILENT: its process is gone. Returns their flow run ids."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    since = now - SILENT
    with get_client(sync_client=True) as client:
        running = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            tags=FlowRunFilterTags(all_=[TAG]), state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.RUNNING]))), limit=50)
        suspects = [r for r in running if str(r.id) != but
                    and r.state is not None and r.state.timestamp < since]
        alive = _beating(client, [str(r.id) for r in suspects], since) if suspects else set()
        silent = [str(r.id) for r in suspects if str(r.id) not in alive]
        for run_id in silent:
            client.set_flow_run_state(UUID(run_id), Crashed(message=(
                f"No heartbeat for {int(SILENT.total_seconds())} s: the run's process is "
                "gone (the serving process died or was killed)")), force=True)
    return silent


def _beating(client: Any, run_ids: list[str], since: datetime) -> set[str]:
    """The runs among `run_ids` that sent a heartbeat event since `since`."""
    response = client.request("POST", "/events/filter", json={"limit": 50, "filter": {
        "occurred": {"since": since.isoformat()},
        "event": {"name": ["prefect.flow-run.heartbeat"]},
        "resource": {"id": [f"prefect.flow-run.{run_id}" for run_id in run_ids]},
        "order": "DESC"}})
    return {e["resource"]["prefect.resource.id"].removeprefix("prefect.flow-run.")
            for e in response.json().get("events", [])}
