"""The main command: a real Prefect server on SQLite, the deployments served, the UI printed."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, _free_port

AUTH = "operations:up-test-secret"
HEADERS = {"Authorization": "Basic " + base64.b64encode(AUTH.encode()).decode()}


def test_complaints_up_starts_a_server_serves_the_deployments_and_prints_the_ui(
    tmp_path: Path,
) -> None:
    """With the server's auth string set, as a shared machine should run it: the served
    deployments log in with it, a client without it is refused."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COMPLAINTS_"))}
    env["COMPLAINTS_DATA_DIR"] = str(tmp_path / "data")
    env["PREFECT_SERVER_API_AUTH_STRING"] = AUTH
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "up", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        seen = _read_until(process, f"Prefect UI:  http://127.0.0.1:{port}", seconds=180)
        deployment = f"http://127.0.0.1:{port}/api/deployments/name/complaint/complaint"
        assert _get(deployment, seconds=60) == 200, seen
        try:
            urllib.request.urlopen(deployment, timeout=5)
            raise AssertionError("the server answered a client without its auth string")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
        assert (tmp_path / "data" / "prefect" / "prefect.db").exists()  # SQLite, not ephemeral
        assert (tmp_path / "data" / "cases.db").exists()
        # The server's scheduler creates runs for the scheduled deployments (it did not,
        # silently, with SQLAlchemy 2.1): the letters deployment runs every minute.
        assert _scheduled_runs(port, "letters", seconds=90) > 0
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def _read_until(process: subprocess.Popen[str], marker: str, *, seconds: float) -> str:
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"never printed {marker!r}:\n{''.join(seen)[-3000:]}")


def _get(url: str, *, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=HEADERS),
                                        timeout=5) as response:
                return int(response.status)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _scheduled_runs(port: int, deployment: str, *, seconds: float) -> int:
    import json

    deadline = time.monotonic() + seconds
    body = json.dumps({"deployments": {"name": {"any_": [deployment]}}}).encode()
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/flow_runs/filter",
                                         data=body, headers={"content-type": "application/json",
                                                             **HEADERS})
        with urllib.request.urlopen(request, timeout=5) as response:
            runs = json.loads(response.read())
        if runs:
            return len(runs)
        time.sleep(2)
    return 0
