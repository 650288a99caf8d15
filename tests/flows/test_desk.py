"""The desk finds itself and stops whole (issue #12, 8): `complaints up` writes where it
listens into the data folder; the other commands use that address without
PREFECT_API_URL and refuse, storing nothing, when the desk is not up; SIGTERM, SIGINT
and `complaints down` leave no process and no port behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT, _free_port
from tests.flows.driver import until
from tests.flows.test_up import AUTH, _clean_env, _intake, _read_until, _up


def complaints(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A `complaints` command from another shell, with no PREFECT_API_URL unless given."""
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT,
                          env={**_clean_env(data), **env}, capture_output=True, text=True,
                          timeout=180)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def cases(data: Path) -> int:
    with sqlite3.connect(data / "cases.db") as db:
        return int(db.execute("SELECT count(*) FROM cases").fetchone()[0])


def listening(port: int) -> bool:
    return any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
               for c in psutil.net_connections("tcp"))


def test_commands_find_the_running_desk_refuse_when_it_is_down_and_down_stops_it(
    tmp_path: Path,
) -> None:
    data, port = tmp_path / "data", _free_port()
    process = _up(data, "--port", str(port), "--sqlite", "--auth", AUTH)
    try:
        _read_until(process, "Stop with Ctrl-C", seconds=180)
        address = data / "desk.json"
        assert address.stat().st_mode & 0o077 == 0
        written = json.loads(address.read_text(encoding="utf-8"))
        assert written["api_url"] == f"http://127.0.0.1:{port}/api" and written["auth"] is True
        assert AUTH.split(":")[1] not in address.read_text(encoding="utf-8")
        assert "PREFECT_API_AUTH_STRING" in one_line(complaints(data, "stalled"))
        login = {"PREFECT_API_AUTH_STRING": AUTH}
        submitted = complaints(data, "submit", _intake(tmp_path), **login)
        assert submitted.returncode == 0, submitted.stderr
        number = json.loads(submitted.stdout)["case"]
        shown = complaints(data, "show", number, **login)
        assert shown.returncode == 0 and json.loads(shown.stdout)["case"] == number
        stalled = complaints(data, "stalled", **login)
        assert stalled.returncode == 0 and json.loads(stalled.stdout) == []
        stopped = complaints(data, "down")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=90)
    assert stopped.returncode == 0 and stopped.stdout.startswith("Complaint desk stopped"), \
        stopped.stderr
    assert stopped.stdout.count("\n") == 1 and process.returncode == 0
    assert not address.exists() and not listening(port)
    _refuses_and_stores_nothing(tmp_path, data, port)


def _refuses_and_stores_nothing(tmp_path: Path, data: Path, port: int) -> None:
    """Down: no address file; a stale one whose process is gone; an address given that
    does not answer. Each refused in one line before the store is touched."""
    before = cases(data)
    assert "the desk is not up" in one_line(complaints(data, "submit", _intake(tmp_path)))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (data / "desk.json").write_text(json.dumps({
        "pid": dead.pid, "started": time.time(), "api_url": f"http://127.0.0.1:{port}/api",
        "ui_url": f"http://127.0.0.1:{port}", "port": port, "auth": False}), encoding="utf-8")
    assert "the desk is not up" in one_line(complaints(data, "submit", _intake(tmp_path)))
    nowhere = {"PREFECT_API_URL": f"http://127.0.0.1:{_free_port()}/api"}
    said = one_line(complaints(data, "submit", _intake(tmp_path), **nowhere))
    assert "does not answer; nothing was stored" in said
    assert cases(data) == before
    assert "the desk is not up" in one_line(complaints(data, "down"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_a_desk_started_in_the_background_leaves_no_process_and_no_port(
    tmp_path: Path, signum: signal.Signals,
) -> None:
    """`complaints up &` from a script: a non-interactive shell starts it with SIGINT
    ignored. The whole tree as it was before the signal is gone after it, PostgreSQL too."""
    data, port = tmp_path / "data", _free_port()
    log = tmp_path / "up.log"
    shell = subprocess.run(
        ["sh", "-c", f'"$0" -m cli.main up --port {port} > "$1" 2>&1 & echo $!',
         sys.executable, str(log)], cwd=ROOT, env=_clean_env(data), capture_output=True,
        text=True, timeout=30, start_new_session=True)
    desk = psutil.Process(int(shell.stdout))
    try:
        until(lambda: "Stop with Ctrl-C" in log.read_text(encoding="utf-8"),
              f"the desk never came up:\n{_tail(log)}", seconds=180, every=0.5)
        number = complaints(data, "submit", _intake(tmp_path))
        assert number.returncode == 0, number.stderr
        until(lambda: any("forkserver" in " ".join(p.cmdline())
                          for p in desk.children(recursive=True)),
              f"no forkserver under the desk:\n{_tail(log)}", seconds=60, every=0.5)
        tree = [desk, *desk.children(recursive=True)]
        postmaster = int((data / "postgres" / "postmaster.pid").read_text().split()[0])
        tree.append(psutil.Process(postmaster))
        desk.send_signal(signum)
        desk.wait(timeout=120)
    finally:
        if desk.is_running():
            os.killpg(os.getpgid(desk.pid), signal.SIGKILL)
    _, alive = psutil.wait_procs(tree, timeout=30)
    left = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], [" ".join(p.cmdline()) for p in left]
    assert not listening(port) and not (data / "desk.json").exists()
    assert "Complaint desk stopped." in log.read_text(encoding="utf-8")


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8")[-3000:]
