"""The embedded default: a real Prefect server on PostgreSQL plus the served deployments.

`up` starts PostgreSQL under `<data dir>/postgres` (`cli.embedded`; `--sqlite` keeps the
old SQLite files instead, and a database the operator named is used as it is), then the
Prefect server (`cli.prefect_server`: what `prefect server start` runs, not ephemeral
mode, since its scheduler and pause-expiry services must run, with a guard against
templated answers) and `complaints serve` as two child processes; once the deployments
are served it writes its address to `<data dir>/desk.json` (`cli.desk`) and prints the UI
address. It stops all of them — the serving process, the server, anything left of its
process tree, PostgreSQL last — when either child ends or on Ctrl-C, SIGTERM or SIGHUP
(in the foreground or the background; `complaints down` sends the SIGTERM).

What the default protects: the server listens on 127.0.0.1 only, answers cross-origin
requests only from its own UI's origin, and requires Prefect's CSRF token for every
state-changing request, so a web page open in a staff member's browser cannot read or
change runs. What it does not: any local user or process can still fetch a CSRF token
and use the API. `--auth user:password` (or PREFECT_SERVER_API_AUTH_STRING) makes the
server, the UI and the served deployments require the auth string; listening on any
other address without it is refused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from models.errors import InputError
from models.settings import PROJECT_ROOT
from tasks.runtime import settings

RUN_DEFAULTS = {
    # Suspended runs need persisted results. Runs are picked up within 0.5 s of creation
    # (flows/serve.py; Prefect's own setting takes whole seconds only), and the idle
    # serving process then costs 0.005 CPU-s/s (bench/lifecycle.py).
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
    # A server under a burst answers 500 (SQLite locked, PostgreSQL pool exhausted) for
    # requests it rolled back: flow runs try them again instead of crashing.
    "PREFECT_CLIENT_RETRY_EXTRA_CODES": "500",
    "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    "COMPLAINTS_POLL_SECONDS": "0.5",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "INFO",
}


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def server_env(port: int, *, host: str = "127.0.0.1", auth: str = "") -> dict[str, str]:
    """The environment of the server and the served deployments; refuses (InputError) to
    listen beyond this machine without an auth string."""
    home = settings().data_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **RUN_DEFAULTS, "PREFECT_HOME": str(home)}
    env.setdefault("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "10")  # schedules soon
    if auth:
        if ":" not in auth.strip(":"):
            raise InputError("--auth: give user:password")
        env["PREFECT_SERVER_API_AUTH_STRING"] = auth
    if env.get("PREFECT_SERVER_API_AUTH_STRING"):  # the served deployments log in with it
        env.setdefault("PREFECT_API_AUTH_STRING", env["PREFECT_SERVER_API_AUTH_STRING"])
    elif host not in LOOPBACK:
        raise InputError(f"--host: listening on {host} opens the desk to the network; "
                         "give --auth user:password (or PREFECT_SERVER_API_AUTH_STRING), "
                         "or listen on 127.0.0.1")
    origins = {f"http://{name}:{port}" for name in ("127.0.0.1", "localhost", host)}
    env.update(PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
               PREFECT_SERVER_API_HOST=host, PREFECT_SERVER_API_PORT=str(port),
               PREFECT_SERVER_CSRF_PROTECTION_ENABLED="true",
               PREFECT_SERVER_CORS_ALLOWED_ORIGINS=",".join(sorted(origins)),
               COMPLAINTS_HOME=str(PROJECT_ROOT))
    return env


def wait_healthy(api_url: str, *, seconds: float = 120, process: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the Prefect server at {api_url} did not answer in {seconds:.0f} s")


def up(*, port: int, host: str = "127.0.0.1", auth: str = "", sqlite: bool = False) -> None:
    """Run the desk until Ctrl-C, SIGTERM or SIGHUP (or a child ends), then stop it all."""
    from cli import desk
    from models.store import migrate

    env = server_env(port, host=host, auth=auth)
    running = desk.running(settings().data_dir)
    if running is not None:
        raise InputError(f"the desk of {settings().data_dir} is up already at "
                         f"{running.ui_url} (pid {running.pid}); `complaints down` stops it")
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        # Set explicitly: `complaints up &` in a non-interactive shell starts with SIGINT
        # ignored, and the children would inherit that; a handler is reset on exec.
        if signum is not None:
            signal.signal(signum, _interrupt)
    try:
        with databases(env, sqlite=sqlite) as where:
            migrate(env.get("COMPLAINTS_DATABASE_URL") or settings().store_url)
            _run(env, port=port, host=host, where=where)
    except KeyboardInterrupt:
        pass
    print("Complaint desk stopped.", flush=True)


# While PostgreSQL starts, a stop is held (`embedded.start` cut short would leave a
# PostgreSQL running that nothing stops) and acted on when it is up.
_stop_held = {"holding": False, "asked": False}


def _interrupt(signum: int, frame: Any) -> None:
    if _stop_held["holding"]:
        _stop_held["asked"] = True
        return
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # stopping: let nothing cut that short
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise KeyboardInterrupt


@contextmanager
def _holding_stop() -> Iterator[None]:
    _stop_held["holding"] = True
    try:
        yield
    finally:
        _stop_held["holding"] = False


def _stop_if_asked() -> None:
    if _stop_held["asked"]:
        _interrupt(signal.SIGTERM, None)


@contextmanager
def databases(env: dict[str, str], *, sqlite: bool) -> Iterator[str]:
    """Put the Prefect server and the case store in `env`; yields where the data lives.

    The embedded PostgreSQL by default; SQLite files with --sqlite; nothing started when
    the operator named a database (PREFECT_API_DATABASE_CONNECTION_URL or
    COMPLAINTS_DATABASE_URL: what is not named stays on SQLite, as before)."""
    data = settings().data_dir
    if sqlite or env.get("PREFECT_API_DATABASE_CONNECTION_URL") or env.get(
            "COMPLAINTS_DATABASE_URL"):
        if sqlite:  # not the embedded server's, should one still run on this data folder
            env.setdefault("COMPLAINTS_DATABASE_URL", f"sqlite:///{(data / 'cases.db').as_posix()}")
        _size_pool(env)
        yield (f"SQLite files in {data}" if sqlite else "the databases you named "
               "(PREFECT_API_DATABASE_CONNECTION_URL, COMPLAINTS_DATABASE_URL)")
        return
    from cli import embedded

    with _holding_stop():
        server = embedded.start(data)
    try:
        _stop_if_asked()
        env.update(PREFECT_API_DATABASE_CONNECTION_URL=server.prefect_url,
                   COMPLAINTS_DATABASE_URL=server.store_url)
        _size_pool(env)
        yield f"PostgreSQL in {server.pgdata} (databases prefect, complaints)"
    finally:
        embedded.stop(server)


def _size_pool(env: dict[str, str]) -> None:
    """The server's connection pool, for the runs the serving process runs at once: each
    holds a few requests, and the runner, the UI and the server's services some more (the
    default 5 + 10 ran out under a burst; 20 + 20 served 1,100 submissions at limit 5)."""
    if not env.get("PREFECT_API_DATABASE_CONNECTION_URL", "").startswith("postgresql"):
        return
    size = str(2 * int(env.get("PREFECT_RUNNER_PROCESS_LIMIT", "5")) + 10)
    env.setdefault("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE", size)
    env.setdefault("PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW", size)


def _run(env: dict[str, str], *, port: int, host: str, where: str) -> None:
    from cli import desk

    children: list[subprocess.Popen[bytes]] = []
    try:
        children.append(subprocess.Popen([sys.executable, "-m", "cli.prefect_server", "--host",
                                          host, "--port", str(port)], env=env, cwd=PROJECT_ROOT))
        # The serving process starts beside the server: its imports overlap the server's
        # start, and it waits for the server before it registers anything.
        children.append(subprocess.Popen([sys.executable, "-m", "cli.main", "serve"], env=env,
                                         cwd=PROJECT_ROOT))
        wait_healthy(env["PREFECT_API_URL"], process=children[0])
        desk.wait_served(f"{env['PREFECT_API_URL']}/deployments/name/{settings().deployment}",
                         auth=env.get("PREFECT_API_AUTH_STRING", ""), process=children[1])
        auth = bool(env.get("PREFECT_SERVER_API_AUTH_STRING"))
        found = desk.publish(settings().data_dir, api_url=env["PREFECT_API_URL"],
                             ui_url=f"http://127.0.0.1:{port}", port=port, auth=auth)
        login = " (log in with the auth string)" if auth else ""
        print(f"\nComplaint desk is up.\n  Prefect UI:  http://127.0.0.1:{port}{login}\n"
              f"  Intake form: http://127.0.0.1:{port}/v2/deployments (complaint -> Run)\n"
              f"  Data:        {where}\n  Outbox:      {settings().outbox_path}\n"
              f"  Address:     {found} (what the other commands read)\n"
              "Stop with Ctrl-C, SIGTERM or `complaints down`.\n", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(1)
    finally:
        desk.withdraw(settings().data_dir)
        desk.stop(children)


def serve() -> None:
    for key, value in RUN_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("COMPLAINTS_HOME", str(PROJECT_ROOT))
    os.chdir(PROJECT_ROOT)
    from flows.serve import main
    from models.store import migrate

    migrate(settings().store_url)
    if os.environ.get("PREFECT_API_URL"):  # `up` starts this beside the server
        wait_healthy(os.environ["PREFECT_API_URL"], seconds=180)
    main()
