"""Where the desk listens, and how it stops: the address file `complaints up` writes,
what the other commands make of it, `complaints down`, and `up`'s own stop.

`up` writes `<data dir>/desk.json` (mode 0600) once the Prefect server answers and the
deployments are served: its own pid and that process's start time (so that a pid reused
by another process is not taken for the desk), the API and UI addresses, the port, and
whether the server requires an auth string. It removes the file when it stops; a desk
killed hard leaves it behind, and its dead pid says so. The auth string itself is not
written: a command takes it from PREFECT_API_AUTH_STRING, as every Prefect client does,
and a copy on disk would be one more place the secret could leak from (a backup of the
data folder, a support bundle).

A command that talks to the desk, run without PREFECT_API_URL, reads the file and sets
PREFECT_API_URL for itself before Prefect is imported (Prefect reads its settings on
import). If the desk is not up — no file, its process gone, or the address not answering
`/api/health` — the command refuses in one line before it stores anything: Prefect would
otherwise start a temporary server of its own, which no served deployment watches.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from models.errors import ComplaintError

FILE = "desk.json"


class DeskNotUp(ComplaintError):
    """No desk answers where this data folder says it listens (the message says how to
    start one)."""


@dataclass(frozen=True)
class Desk:
    pid: int
    started: float  # the pid's process start time (psutil), against pid reuse
    api_url: str
    ui_url: str
    port: int
    auth: bool  # the server requires an auth string; it is not written here


def path(data_dir: Path) -> Path:
    return data_dir / FILE


def publish(data_dir: Path, *, api_url: str, ui_url: str, port: int, auth: bool) -> Path:
    """Write this process's address file (atomically, readable by its owner only)."""
    import psutil

    desk = Desk(os.getpid(), psutil.Process().create_time(), api_url, ui_url, port, auth)
    target = path(data_dir)
    partial = target.with_name(f".{FILE}.{os.getpid()}")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(asdict(desk), out, indent=2)
    os.replace(partial, target)
    return target


def withdraw(data_dir: Path) -> None:
    """Remove the address file if this process wrote it (another desk's stays)."""
    found = _read(path(data_dir))
    if found is not None and found.pid == os.getpid():
        path(data_dir).unlink(missing_ok=True)


def running(data_dir: Path) -> Desk | None:
    """The desk of `data_dir` while its process runs; None if none does."""
    import psutil

    found = _read(path(data_dir))
    if found is None:
        return None
    try:
        alive = abs(psutil.Process(found.pid).create_time() - found.started) < 1
    except psutil.Error:
        alive = False
    return found if alive else None


def _read(file: Path) -> Desk | None:
    try:
        return Desk(**json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def find(data_dir: Path) -> str:
    """The Prefect API the commands use: PREFECT_API_URL if set, else the running desk's
    (then set as PREFECT_API_URL for this process); DeskNotUp if there is none."""
    given = os.environ.get("PREFECT_API_URL", "").strip()
    if given:
        return given
    desk = running(data_dir)
    if desk is None:
        raise DeskNotUp(f"the desk is not up (no running desk in {path(data_dir)}): start "
                        "it with `complaints up`, or set PREFECT_API_URL")
    if not answers(desk.api_url):
        raise DeskNotUp(f"the desk is not up: {desk.api_url} does not answer (its process "
                        f"{desk.pid} runs; starting or stopping?)")
    if desk.auth and not os.environ.get("PREFECT_API_AUTH_STRING"):
        raise DeskNotUp(f"PREFECT_API_AUTH_STRING: the desk at {desk.api_url} requires its "
                        "auth string; set it in the environment (user:password)")
    os.environ["PREFECT_API_URL"] = desk.api_url
    return desk.api_url


def answers(api_url: str, *, seconds: float = 5) -> bool:
    """Whether the Prefect server answers its health check (which needs no auth string)."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=seconds) as got:
            return bool(got.status == 200)
    except (OSError, ValueError):  # no answer, or no URL at all
        return False


def serving(api_url: str, deployment: str, *, auth: str = "", seconds: float = 5) -> bool:
    """Whether a process serves the deployment ('<flow>/<deployment>') on that server:
    it exists and is READY (its runner polled in the last minute; Prefect's foreman
    marks it NOT_READY after that)."""
    import base64
    import json

    headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth \
        else {}
    url = f"{api_url.rstrip('/')}/deployments/name/{deployment}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=seconds) as got:
            return bool(json.loads(got.read()).get("status") == "READY")
    except (OSError, ValueError):  # none, or no answer
        return False


def down(data_dir: Path, *, seconds: float = 120) -> str:
    """Stop the desk of `data_dir` as its SIGTERM does; return once its process has ended
    and its port is free."""
    desk = running(data_dir)
    if desk is None:
        raise DeskNotUp("the desk is not up")
    deadline = time.monotonic() + seconds
    with suppress(ProcessLookupError):
        os.kill(desk.pid, signal.SIGTERM)
    while _alive(desk.pid):
        if time.monotonic() > deadline:
            raise ComplaintError(f"the desk (pid {desk.pid}) did not stop within "
                                 f"{seconds:.0f} s; see its output, or `kill -KILL {desk.pid}`")
        time.sleep(0.2)
    while _listening(desk.port):
        if time.monotonic() > deadline:
            raise ComplaintError(f"the desk stopped, but port {desk.port} is still taken")
        time.sleep(0.2)
    return f"Complaint desk stopped (pid {desk.pid}; port {desk.port} is free)."


def _alive(pid: int) -> bool:
    """Running, not ended (an ended process stays a zombie until its parent reaps it)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_served(deployment_url: str, *, auth: str, process: subprocess.Popen[bytes]) -> None:
    """Until the serving process has registered the complaint deployment and polls for its
    runs (READY: `submit` refuses before that, as a case stored then could wait for its
    run): only then is the address written."""
    api_url, name = deployment_url.split("/deployments/name/", 1)
    deadline = time.monotonic() + 180
    while process.poll() is None and time.monotonic() < deadline:
        if serving(api_url, name, auth=auth):
            return
        time.sleep(0.3)
    raise RuntimeError(f"{deployment_url} was not served in time (serving process exit "
                       f"code {process.poll()})")


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    """Stop what `up` started: the serving process first (its runs end with it while the
    server still answers), then the server; then whatever is left of the process tree as
    it was before (a run the serving process did not end, the warm starter's forkserver)."""
    import psutil

    tree = psutil.Process().children(recursive=True)
    for child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    left = [p for p in {*tree, *psutil.Process().children(recursive=True)} if p.is_running()]
    for process in left:
        with suppress(psutil.Error):
            process.terminate()
    _, alive = psutil.wait_procs(left, timeout=10)
    for process in alive:
        with suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=10)
