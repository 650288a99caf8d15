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
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "up", "--port", str(port),
                                "--auth", AUTH], cwd=ROOT, env=env, stdout=subprocess.PIPE,
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
        _assert_cross_site_requests_are_refused(port)
        assert (tmp_path / "data" / "prefect" / "prefect.db").exists()  # SQLite, not ephemeral
        assert (tmp_path / "data" / "cases.db").exists()
        # The server's scheduler creates runs for the scheduled deployments (Prefect 3.8's
        # did not, silently, with SQLAlchemy 2.1): the letters deployment runs every minute.
        assert _scheduled_runs(port, "letters", seconds=90) > 0
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def _assert_cross_site_requests_are_refused(port: int) -> None:
    """Defect 9.10: CORS only for the UI's own origin, CSRF tokens for every change."""
    import json

    api = f"http://127.0.0.1:{port}/api"
    for origin, allowed in (("http://evil.example", False), (f"http://127.0.0.1:{port}", True)):
        request = urllib.request.Request(f"{api}/health", method="OPTIONS", headers={
            **HEADERS, "Origin": origin, "Access-Control-Request-Method": "POST"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                granted = response.headers.get("access-control-allow-origin")
        except urllib.error.HTTPError as refused:
            granted = refused.headers.get("access-control-allow-origin")
        assert granted == (origin if allowed else None), (origin, granted)
    body = json.dumps({"limit": 1}).encode()
    request = urllib.request.Request(f"{api}/flow_runs/filter", data=body, headers={
        "content-type": "application/json", **HEADERS})
    try:
        urllib.request.urlopen(request, timeout=5)
        raise AssertionError("a POST without a CSRF token was taken")
    except urllib.error.HTTPError as refused:
        assert refused.code == 403


def test_complaints_up_refuses_to_listen_beyond_this_machine_without_an_auth_string(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COMPLAINTS_"))}
    env["COMPLAINTS_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "cli.main", "up", "--host", "0.0.0.0",
                           "--port", str(_free_port())], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--host" in done.stderr and "--auth" in done.stderr


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
    api = f"http://127.0.0.1:{port}/api"
    with urllib.request.urlopen(urllib.request.Request(f"{api}/csrf-token?client=test-up",
                                                       headers=HEADERS), timeout=5) as response:
        token = json.loads(response.read())["token"]
    csrf = {"Prefect-Csrf-Token": token, "Prefect-Csrf-Client": "test-up"}
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"{api}/flow_runs/filter", data=body, headers={
            "content-type": "application/json", **HEADERS, **csrf})
        with urllib.request.urlopen(request, timeout=5) as response:
            runs = json.loads(response.read())
        if runs:
            return len(runs)
        time.sleep(2)
    return 0
