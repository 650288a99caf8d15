"""Serve the deployments declared in prefect.yaml, as they are declared there.

The embedded default runs this in one process: each flow run still gets its own
process (forked from a pre-imported one, see flows/starter.py), and a suspended run
holds none.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.flows import load_flow_from_entrypoint

from flows.starter import install
from models.settings import PROJECT_ROOT
from tasks import watchers

SPEC = PROJECT_ROOT / "prefect.yaml"
log = logging.getLogger("complaints.serve")


def declared(path: Path = SPEC) -> list[dict[str, Any]]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(spec.get("deployments") or [])


def runner_deployments(path: Path = SPEC) -> list[RunnerDeployment]:
    """Every deployment of the file, or those named in COMPLAINTS_SERVE_ONLY (comma-separated;
    the benchmarks serve only `complaint`, so scheduled runs do not blur their figures)."""
    only = {n.strip() for n in os.environ.get("COMPLAINTS_SERVE_ONLY", "").split(",") if n.strip()}
    deployments = []
    for entry in declared(path):
        if only and entry["name"] not in only:
            continue
        flow: Flow[..., Any] = load_flow_from_entrypoint(
            str(PROJECT_ROOT / entry["entrypoint"]))
        deployment: RunnerDeployment = flow.to_deployment(  # type: ignore[assignment]
            name=entry["name"], description=staff_description(entry),
            tags=entry.get("tags") or [], parameters=entry.get("parameters") or {},
            concurrency_limit=entry.get("concurrency_limit"), **_schedule(entry),
        )
        _in_staff_language(deployment)
        deployments.append(deployment)
    return deployments


def _in_staff_language(deployment: RunnerDeployment) -> None:
    """The run form's titles and help in the staff's language (flows/run_forms.py)."""
    from prefect.utilities.callables import ParameterSchema

    schema = deployment._parameter_openapi_schema.model_dump(exclude_none=True)
    deployment._parameter_openapi_schema = ParameterSchema(**staff_schema(
        schema, deployment.name))


def staff_schema(schema: dict[str, Any], deployment: str) -> dict[str, Any]:
    """A deployment's parameter schema (as Prefect builds it from the flow's signature) in
    the staff's language."""
    from flows.run_forms import translate
    from tasks.runtime import policy

    return translate(schema, deployment=deployment, language=policy().staff_language)


def staff_description(entry: dict[str, Any]) -> str | None:
    """What the deployment's page says, in the staff's language (the catalog's
    `deployment:` section; prefect.yaml's own text for one the catalog lacks)."""
    from models.i18n import words
    from tasks.runtime import policy

    said = words(policy().staff_language).get("deployment", {}).get(entry["name"])
    return str(said) if said else entry.get("description")


def localize_registered(path: Path = SPEC) -> list[str]:
    """Give the deployments `prefect deploy` registered from the file the run forms that
    `complaints up` serves: `prefect deploy` always registers the flow signature's English
    schema, so each deployment's `parameter_openapi_schema` is set afterwards, from that
    same schema translated, and its description. Returns the deployments' full names
    ("flow/deployment")."""
    from prefect import get_client
    from prefect.client.schemas.actions import DeploymentUpdate
    from prefect.utilities.callables import parameter_schema

    done = []
    with get_client(sync_client=True) as client:
        for entry in declared(path):
            flow: Flow[..., Any] = load_flow_from_entrypoint(
                str(PROJECT_ROOT / entry["entrypoint"]))
            schema = staff_schema(parameter_schema(flow).model_dump(exclude_none=True),
                                  entry["name"])
            full_name = f"{flow.name}/{entry['name']}"
            deployment = client.read_deployment_by_name(full_name)
            client.update_deployment(deployment.id, DeploymentUpdate(
                parameter_openapi_schema=schema, description=staff_description(entry)))
            done.append(full_name)
    return done


# Served deployments whose interval an operator sets in policy.yaml, not in prefect.yaml.
POLICY_INTERVALS = {"action-check": lambda policy: policy.actions.check_every_seconds}


def _schedule(entry: dict[str, Any]) -> dict[str, Any]:
    schedules = entry.get("schedules") or []
    if not schedules:
        return {}
    first = schedules[0]
    if entry["name"] in POLICY_INTERVALS:
        from tasks.runtime import policy

        return {"interval": POLICY_INTERVALS[entry["name"]](policy())}
    if "interval" in first:
        return {"interval": first["interval"]}
    if "cron" in first:  # a report's wall-clock time, in the time zone it names
        from prefect.schedules import Cron

        return {"schedules": [Cron(first["cron"], timezone=first.get("timezone"))]}
    raise ValueError(f"deployment {entry['name']}: schedules need an interval or a cron")


def main(limit: int | None = None) -> None:
    """Serve; each flow run is forked from a pre-imported process (flows/starter.py)
    unless COMPLAINTS_STARTER=stock. The watchers' first runs start at once."""
    deployments = runner_deployments()
    # Before the forkserver starts: the runs it forks send heartbeats this often.
    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", str(watchers.HEARTBEAT_SECONDS))
    install([entry["entrypoint"] for entry in declared()])
    names = [d.name for d in deployments if watchers.TAG in (d.tags or [])]
    threading.Thread(target=_start_watching, args=(names, datetime.now(UTC)), daemon=True,
                     name="first watcher runs").start()
    serve(*deployments, limit=limit, query_seconds=poll_seconds())


def _start_watching(names: list[str], since: datetime) -> None:
    """Beside `serve`: watcher runs left by a dead process are marked Crashed, the SLA
    board is published (seconds before the watchdog's first run could), then the
    watchers' first runs start. A failure here is logged; serving goes on."""
    try:
        watchers.crash_silent_runs(now=datetime.now(UTC))
        if "watchdog" in names:
            from tasks.artifacts import publish_sla_board

            publish_sla_board()
        if names:
            watchers.start_first_runs(names, since=since)
    except Exception:  # the desk still serves; the scheduler starts the watchers later
        log.exception("Could not start the watchers' first runs")


def poll_seconds() -> float | None:
    """COMPLAINTS_POLL_SECONDS (PREFECT_RUNNER_POLL_FREQUENCY takes whole seconds only)."""
    value = os.environ.get("COMPLAINTS_POLL_SECONDS", "").strip()
    return float(value) if value else None


if __name__ == "__main__":
    main()
