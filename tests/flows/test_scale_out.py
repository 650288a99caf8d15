"""The scale-out path, as documented in the README: the Prefect server and the case store
both on PostgreSQL, the deployments registered with `complaints deploy` (`prefect deploy
--all`, then the run forms in the staff's language) on the process work pool
`complaints`, a `prefect worker` running the cases, and the server's auth string required
of every client. Then the case store is cut, as a database restart would, while a case
takes a stage answer.

The worker reaches the case store through a proxy the test can cut; the test itself
reads the store directly. The watchdog and letters schedules are paused here so that
only the case under test meets the outage.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import POSTGRES_URL, ROOT, SESSION_DIR, _free_port
from tests.flows import answers
from tests.flows.conftest import _stop
from tests.flows.driver import flow_run, outbox_files, respond, submit, until, wait_for
from tests.flows.proxy import Proxy
from tests.flows.test_lifecycle import intake, kinds

pytestmark = [pytest.mark.prefect_server, pytest.mark.postgres]
AUTH = f"operations:{uuid.uuid4().hex}"
# Short task retries, so an outage longer than them takes seconds, not minutes.
RETRIES = {"retries": 3, "retry_delay_seconds": 4, "timeout_seconds": 120}


class System:
    """Handles of the PostgreSQL-backed system the module's tests share."""

    def __init__(self, api: str, proxy: Proxy, home: Path) -> None:
        self.api, self.proxy, self.home = api, proxy, home


def _database(name: str, *, drop: bool = False) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def _url(name: str, driver: str, port: int | None = None) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL).set(drivername=driver, database=name)
    if port is not None:
        url = url.set(host="127.0.0.1", port=port)
    return url.render_as_string(False)


def _policy(home: Path) -> Path:
    policy = yaml.safe_load((ROOT / "policy.yaml").read_text(encoding="utf-8"))
    policy["default_task"] = RETRIES
    for tier in policy["tiers"].values():
        tier["task"] = RETRIES
    path = home / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture(scope="module")
def system() -> Iterator[System]:
    if not POSTGRES_URL:
        pytest.skip("COMPLAINTS_TEST_POSTGRES_URL is not set")
    from cli.system import wait_healthy
    from models.settings import get_settings
    from models.store import migrate

    tag = uuid.uuid4().hex[:8]
    prefect_db, store_db = f"t_prefect_{tag}", f"t_store_{tag}"
    home = SESSION_DIR / f"scale-out-{tag}"
    home.mkdir()
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    from sqlalchemy.engine import make_url

    target = make_url(POSTGRES_URL)
    proxy = Proxy((target.host or "127.0.0.1", target.port or 5432))
    common = {
        **os.environ, "PREFECT_API_URL": api, "PREFECT_API_AUTH_STRING": AUTH,
        "COMPLAINTS_DATA_DIR": str(home / "data"), "COMPLAINTS_HOME": str(ROOT),
        "COMPLAINTS_POLICY_FILE": str(_policy(home)),
        "COMPLAINTS_DATABASE_URL": _url(store_db, "postgresql+psycopg"),
    }
    server_env = {**common, "PREFECT_HOME": str(home / "server"),
                  "PREFECT_SERVER_API_AUTH_STRING": AUTH,
                  "PREFECT_API_DATABASE_CONNECTION_URL": _url(prefect_db, "postgresql+asyncpg")}
    client_env = {**common, "PREFECT_HOME": str(home / "client")}
    worker_env = {**common, "PREFECT_HOME": str(home / "worker"),
                  "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_CLIENT_RETRY_EXTRA_CODES": "500",
                  "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
                  "COMPLAINTS_DATABASE_URL": _url(store_db, "postgresql+psycopg", proxy.port)}
    prefect = [sys.executable, "-m", "prefect"]
    # `complaints submit` checks the server named in the environment before it stores.
    saved = {k: os.environ.get(k) for k in common
             if k.startswith("COMPLAINTS_") or k in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
    with ExitStack() as stack:
        for name in (prefect_db, store_db):
            _database(name)
            stack.callback(_database, name, drop=True)
        stack.callback(proxy.close)
        server = _start([sys.executable, "-m", "cli.prefect_server", "--host", "127.0.0.1",
                         "--port", str(port)], server_env, home / "server.log")
        stack.callback(_stop, server)
        wait_healthy(api, seconds=180, process=server)
        migrate(common["COMPLAINTS_DATABASE_URL"])
        _run([*prefect, "work-pool", "create", "complaints", "--type", "process"], client_env)
        _run([sys.executable, "-m", "cli.main", "deploy"], client_env)
        # This process becomes a client of the PostgreSQL system for the module's tests.
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        os.environ.update({k: common[k] for k in saved})
        get_settings.cache_clear()
        stack.callback(_restore, saved)
        stack.enter_context(temporary_settings({PREFECT_API_URL: api,
                                                PREFECT_API_AUTH_STRING: AUTH}))
        _pause_schedules()
        worker = _start([*prefect, "worker", "start", "--pool", "complaints"], worker_env,
                        home / "worker.log")
        stack.callback(_stop, worker)
        # `submit` takes cases once a worker polls the pool (the deployment is READY).
        from cli.desk import serving

        until(lambda: serving(api, "complaint/complaint", auth=AUTH),
              f"no worker polled: {(home / 'worker.log').read_text()[-2000:]}", seconds=120)
        yield System(api, proxy, home)


def _pause_schedules() -> None:
    """The watchdog, letters and action-check would meet the outage too and blur which
    run met it."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterDeploymentId,
    )

    with get_client(sync_client=True) as client:
        scheduled = client.read_deployments(deployment_filter=DeploymentFilter(
            name=DeploymentFilterName(any_=["watchdog", "letters", "action-check"])))
        assert len(scheduled) == 3, scheduled
        for deployment in scheduled:
            client.pause_deployment(deployment.id)
        for run in client.read_flow_runs(flow_run_filter=FlowRunFilter(deployment_id=(
                FlowRunFilterDeploymentId(any_=[d.id for d in scheduled])))):
            client.delete_flow_run(run.id)


def _restore(saved: dict[str, str | None]) -> None:
    from models.settings import get_settings

    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


def test_a_case_runs_start_to_end_on_postgresql_through_a_process_worker(
    system: System,
) -> None:
    number = submit(intake(external_ref=f"SCALE-{uuid.uuid4().hex[:6]}"))["case"]
    for stage, answer in [("handover", answers.HANDOVER_SIGN),
                          ("investigation", answers.INVESTIGATION),
                          ("solution", answers.SOLUTION_ONE), ("choice", answers.CHOICE_ONE),
                          ("execution", answers.EXECUTION), ("callback", answers.CALLBACK_OK),
                          ("review", answers.REVIEW)]:
        respond(number, stage, answer)
    story = wait_for(number, "closed")

    assert kinds(story)[-3:] == ["answered", "reviewed", "closed"]
    assert Counter(kinds(story))["answered"] == 7
    run = flow_run(story["flow_run_id"])
    assert run.work_pool_name == "complaints" and run.name == f"{number} · B"
    assert {m["status"] for m in story["messages"]} == {"sent"}
    assert len(outbox_files(number)) == len(story["messages"])
    from models.store import engine_for
    from tasks.runtime import settings

    assert engine_for(settings().store_url).dialect.name == "postgresql"


def test_the_deployed_run_forms_are_the_served_ones_in_the_staff_language(
    system: System,
) -> None:
    from prefect import get_client
    from prefect.flows import load_flow_from_entrypoint
    from prefect.utilities.callables import parameter_schema

    from flows.serve import declared, runner_deployments
    from models.i18n import words

    served = {d.name: d._parameter_openapi_schema.model_dump(exclude_none=True)
              for d in runner_deployments()}
    deployed: dict[str, Any] = {}
    described: dict[str, Any] = {}
    with get_client(sync_client=True) as client:
        for entry in declared():
            name = load_flow_from_entrypoint(str(ROOT / entry["entrypoint"])).name
            found = client.read_deployment_by_name(f"{name}/{entry['name']}")
            deployed[entry["name"]] = found.parameter_openapi_schema
            described[entry["name"]] = found.description
    english = parameter_schema(load_flow_from_entrypoint(
        str(ROOT / "flows/complaint.py:complaint"))).model_dump(exclude_none=True)

    assert deployed == served
    assert described == {d.name: d.description for d in runner_deployments()}
    assert described["complaint"] == words("zh")["deployment"]["complaint"]
    catalog = words("zh")["run_form"]
    intake = deployed["complaint"]["properties"]["intake"]
    assert intake["title"] == catalog["complaint"]["intake"]["title"] != (
        english["properties"]["intake"]["title"])
    assert deployed["complaint"]["definitions"]["Intake"]["title"] == (
        catalog["model"]["intake"]["_title"])


def test_the_server_refuses_a_client_without_its_auth_string(system: System) -> None:
    body = {"limit": 1}
    assert httpx.post(f"{system.api}/flow_runs/filter", json=body).status_code == 401
    wrong = base64.b64encode(b"operations:wrong").decode()
    assert httpx.post(f"{system.api}/flow_runs/filter", json=body,
                      headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode(AUTH.encode()).decode()
    assert httpx.post(f"{system.api}/flow_runs/filter", json=body,
                      headers={"Authorization": f"Basic {right}"}).status_code == 200
    assert httpx.get(f"{system.api}/health").status_code == 200  # probes stay open


def test_a_store_outage_shorter_than_the_retries_is_absorbed(system: System) -> None:
    number = submit(intake(external_ref=f"OUTAGE-S-{uuid.uuid4().hex[:6]}"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    wait_for(number, "investigation")
    system.proxy.cut()
    respond(number, "investigation", answers.INVESTIGATION)
    until(lambda: system.proxy.refused > 0, "the resumed run never met the outage", seconds=60)
    system.proxy.restore()
    story = wait_for(number, "solution")

    assert Counter(kinds(story))["investigated"] == 1
    assert not [e for e in story["escalations"] if e["clock"].startswith("failure:")]
    assert flow_run(story["flow_run_id"]).state.is_paused()


def test_a_store_outage_longer_than_the_retries_fails_escalates_and_reruns_cleanly(
    system: System,
) -> None:
    from cli import commands
    from tasks.operations import rerun

    number = submit(intake(external_ref=f"OUTAGE-L-{uuid.uuid4().hex[:6]}"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    before = wait_for(number, "investigation")
    run_id = before["flow_run_id"]
    system.proxy.cut()
    respond(number, "investigation", answers.INVESTIGATION)
    until(lambda: flow_run(run_id).state.is_failed(), "the run never gave up", seconds=120)
    during = commands.show(number)
    system.proxy.restore()  # the failure hook is still trying: it escalates now
    until(lambda: commands.show(number)["escalations"], "no escalation after the outage",
          seconds=60)

    story = commands.show(number)
    [escalation] = story["escalations"]
    assert (escalation["clock"], escalation["rung"]) == (f"failure:{run_id}",
                                                         "department_manager")
    assert ("escalation", "department_manager") in {(m["purpose"], m["role"])
                                                    for m in story["messages"]}
    # Nothing half-written: what the store held when the run failed is what it held
    # before (the answer never got in), or the whole answer.
    assert during["events"] == before["events"] or "investigated" in kinds(during)

    rerun(number)
    story = wait_for(number, "solution")
    counts = Counter(kinds(story))
    assert counts["investigated"] == counts["escalated"] == 1
    assert Counter((m["purpose"], m["role"], m["ref"]) for m in story["messages"]).most_common(
        1)[0][1] == 1
