"""The embedded PostgreSQL of `complaints up` on its own: deep folders, a server left
running by a desk killed hard, a stale pid file naming someone else's process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg

from cli import embedded


def _count(server: embedded.Embedded) -> int:
    with psycopg.connect(server.store_url.replace("+psycopg", "")) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
        conn.execute("INSERT INTO kept VALUES (1)")
        row = conn.execute("SELECT count(*) FROM kept").fetchone()
    assert row is not None
    return int(row[0])


def test_a_deep_data_folder_gets_a_short_socket_and_keeps_its_data(tmp_path: Path) -> None:
    data = tmp_path / ("deep-folder-" * 10) / "data"
    server = embedded.start(data)
    try:
        assert len(str(server.socket_dir)) <= embedded.MAX_SOCKET_DIR
        assert server.pgdata == (data / "postgres").resolve()
        assert _count(server) == 1
    finally:
        embedded.stop(server)
    assert not (server.pgdata / "postmaster.pid").exists()
    assert not server.socket_dir.exists()  # nothing left in TMPDIR
    again = embedded.start(data)
    try:
        assert _count(again) == 2
    finally:
        embedded.stop(again)


def test_a_server_left_running_is_adopted_and_a_stale_pid_file_is_no_obstacle(
    tmp_path: Path,
) -> None:
    server = embedded.start(tmp_path / "data")
    adopted = embedded.start(tmp_path / "data")  # as `up` after a desk killed hard
    assert adopted == server
    assert _count(adopted) == 1
    embedded.stop(adopted)
    # A pid file that names a live process that is not PostgreSQL (pids are reused
    # after a reboot), of PostgreSQL's own user: PostgreSQL alone would refuse to start.
    same_user = {"user": server.user, "group": server.user} if server.user else {}
    other = subprocess.Popen(["sleep", "120"], **same_user)  # type: ignore[call-overload]
    try:
        pid_file = server.pgdata / "postmaster.pid"
        pid_file.write_text(f"{other.pid}\n{server.pgdata}\n0\n5432\n{server.socket_dir}\n\n"
                            "0 0\nready\n", encoding="utf-8")
        restarted = embedded.start(tmp_path / "data")
        try:
            assert _count(restarted) == 2
        finally:
            embedded.stop(restarted)
    finally:
        other.kill()
        other.wait()
