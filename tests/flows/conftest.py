"""One real Prefect server for the session, and the deployments of prefect.yaml served
by `complaints serve` in a child process, exactly as the embedded default runs them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT, SESSION_DIR


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, env=dict(os.environ),
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    from cli.system import wait_healthy

    api = os.environ["PREFECT_API_URL"]
    port = api.rsplit(":", 1)[1].split("/")[0]
    log = SESSION_DIR / "prefect-server.log"
    # As `complaints up` runs it: CSRF tokens required, so every client path is tested
    # with them (Prefect's client fetches its token itself).
    server = subprocess.Popen([sys.executable, "-m", "cli.prefect_server",
                               "--host", "127.0.0.1", "--port", port], cwd=ROOT,
                              env={**os.environ, "PREFECT_SERVER_CSRF_PROTECTION_ENABLED": "true"},
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_healthy(api, seconds=120, process=server)
    except RuntimeError as exc:
        _stop(server)
        pytest.fail(f"{exc}; see {log}:\n{log.read_text()[-3000:]}")
    yield api
    _stop(server)


class Served:
    """The serving process; `restart()` kills it as a crash would and starts it again."""

    def __init__(self) -> None:
        self.log = SESSION_DIR / "serve.log"
        self.process = self._launch({})

    def _launch(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        self.launched = datetime.now(UTC)
        with self.log.open("ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve"], cwd=ROOT,
                                       env={**os.environ, **env}, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_registered(process)
        return process

    def _wait_registered(self, process: subprocess.Popen[bytes]) -> None:
        from prefect import get_client
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

        from flows.serve import declared

        names = {entry["name"] for entry in declared()}  # served one after another
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"complaints serve exited: {self.log.read_text()[-3000:]}")
            with get_client(sync_client=True) as client:
                found = client.read_deployments(deployment_filter=DeploymentFilter(
                    name=DeploymentFilterName(any_=sorted(names))))
            # The complaint deployment polled by this process's runner: `submit` takes
            # cases only then (its status READY), and runs start.
            polled = [d for d in found if d.name == "complaint" and d.last_polled
                      and d.last_polled >= self.launched and d.status == "READY"]
            if {d.name for d in found} >= names and polled:
                return
            time.sleep(0.3)
        raise RuntimeError(f"deployments never registered: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the serving process and its flow-run processes, as when the worker
        machine dies: no shutdown code of ours or Prefect's runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def start(self, **env: str) -> None:
        self.process = self._launch(env)

    def restart(self, **env: str) -> None:
        self.kill()
        self.start(**env)


@pytest.fixture(scope="session")
def served(prefect_server: str) -> Iterator[Served]:
    from models.store import migrate
    from tasks.runtime import settings

    migrate(settings().store_url)
    serving = Served()
    yield serving
    _stop(serving.process)
