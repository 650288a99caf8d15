"""The main command: PostgreSQL (or SQLite), a real Prefect server, the deployments served."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, _free_port

AUTH = "operations:up-test-secret"
HEADERS = {"Authorization": "Basic " + base64.b64encode(AUTH.encode()).decode()}


def test_complaints_up_starts_a_server_serves_the_deployments_and_prints_the_ui(
    tmp_path: Path,
) -> None:
    """The default: the Prefect server's database and the case store in the embedded
    PostgreSQL under <data>/postgres. With the server's auth string set, as a shared
    machine should run it: the served deployments log in with it, a client without it is
    refused. A shell beside the desk submits a case; SIGTERM stops it all, PostgreSQL too."""
    port = _free_port()
    data = tmp_path / "data"
    started = time.monotonic()
    process = _up(data, "--port", str(port), "--auth", AUTH)
    try:
        seen = _read_until(process, "Stop with Ctrl-C", seconds=180)
        assert f"PostgreSQL in {data.resolve() / 'postgres'}" in seen, seen
        # The SLA board is published as the deployments are served, before the
        # watchdog's first run (the time is measured by bench/startup.py, not here).
        board = f"http://127.0.0.1:{port}/api/artifacts/sla-board/latest"
        assert _get(board, seconds=120) == 200
        print(f"SLA board {time.monotonic() - started:.1f} s after `complaints up` started")
        deployment = f"http://127.0.0.1:{port}/api/deployments/name/complaint/complaint"
        assert _get(deployment, seconds=60) == 200, seen
        try:
            urllib.request.urlopen(deployment, timeout=5)
            raise AssertionError("the server answered a client without its auth string")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
        _assert_cross_site_requests_are_refused(port)
        assert not (data / "prefect" / "prefect.db").exists()
        assert not (data / "cases.db").exists()
        assert _rows(data, "prefect", "SELECT count(*) FROM deployment") >= 1
        # The server's scheduler creates runs for the scheduled deployments (Prefect 3.8's
        # did not, silently, with SQLAlchemy 2.1): the letters deployment, every 5 minutes.
        assert _scheduled_runs(port, "letters", seconds=90) > 0
        number = _complaints(data, port, "submit", _intake(tmp_path))["case"]
        assert _rows(data, "complaints", "SELECT count(*) FROM cases") == 1
        assert _complaints(data, port, "show", number)["case"] == number
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=90)
    assert process.returncode == 0
    assert not (data / "postgres" / "postmaster.pid").exists()  # PostgreSQL stopped cleanly


def test_complaints_up_sqlite_keeps_the_prefect_server_and_the_cases_in_sqlite_files(
    tmp_path: Path,
) -> None:
    port = _free_port()
    data = tmp_path / "data"
    process = _up(data, "--port", str(port), "--sqlite")
    try:
        seen = _read_until(process, "Stop with Ctrl-C", seconds=180)
        assert f"SQLite files in {data}" in seen, seen
        deployment = f"http://127.0.0.1:{port}/api/deployments/name/complaint/complaint"
        assert _get(deployment, seconds=60) == 200, seen
        assert (data / "prefect" / "prefect.db").exists()  # SQLite, not ephemeral
        assert (data / "cases.db").exists()
        assert not (data / "postgres").exists()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0


def test_a_desk_killed_hard_starts_again_on_the_same_data(tmp_path: Path) -> None:
    """SIGKILL to the desk's process group and to PostgreSQL, as a power cut would: the
    stale pid file is no obstacle, PostgreSQL recovers, the case stored before is there.
    The data folder is deep, beyond what a Unix socket's path may hold."""
    data = tmp_path / ("deep-" * 12) / ("data-" * 6) / "data"
    port = _free_port()
    process = _up(data, "--port", str(port))
    try:
        _read_until(process, "Stop with Ctrl-C", seconds=180)
        assert _get(f"http://127.0.0.1:{port}/api/deployments/name/complaint/complaint",
                    seconds=60) == 200
        number = _complaints(data, port, "submit", _intake(tmp_path))["case"]
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    postmaster = int((data / "postgres" / "postmaster.pid").read_text().split()[0])
    os.kill(postmaster, signal.SIGKILL)
    port = _free_port()
    process = _up(data, "--port", str(port))
    try:
        _read_until(process, "Stop with Ctrl-C", seconds=180)
        assert _complaints(data, port, "show", number)["case"] == number
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=90)
    assert not (data / "postgres" / "postmaster.pid").exists()


def _up(data: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "cli.main", "up", *args], cwd=ROOT,
                            env=_clean_env(data), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _clean_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COMPLAINTS_"))}
    return {**env, "COMPLAINTS_DATA_DIR": str(data), "PREFECT_HOME": str(data / "client")}


def _complaints(data: Path, port: int, *args: str) -> dict[str, Any]:
    """A `complaints` command from another shell: it finds the embedded store itself."""
    env = {**_clean_env(data), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_API_AUTH_STRING": AUTH}
    done = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _intake(tmp_path: Path) -> str:
    from datetime import UTC, datetime

    from tests.factories import make_intake

    intake = make_intake(received_at=datetime.now(UTC).isoformat(timespec="seconds"))
    path = tmp_path / f"intake-{time.monotonic_ns()}.json"
    path.write_text(intake.model_dump_json(), encoding="utf-8")
    return str(path)


def _rows(data: Path, database: str, query: str) -> int:
    import psycopg

    from models.settings import embedded_url

    url = embedded_url(data.resolve() / "postgres", database, "psycopg")
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


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
