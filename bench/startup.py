"""Start-up benchmark: how soon after `complaints up` the UI answers and the SLA board
is published (issue #12: the board within 15 s of start-up).

    .venv/bin/python bench/startup.py [--runs 3] [--sqlite]

Each run starts `complaints up` on a fresh data folder and a free port, times the line
that prints the UI's address and the first version of the `sla-board` artifact (the
serving process publishes it before the watchdog's first run), then stops the desk with
SIGTERM. A fresh folder is the slow case: the embedded PostgreSQL is initialised and
both databases are migrated first.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one(sqlite: bool) -> tuple[float, float]:
    """(seconds to the UI's address printed, seconds to the first board)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="startup-") as folder:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PREFECT_", "COMPLAINTS_"))}
        env.update(COMPLAINTS_DATA_DIR=f"{folder}/data", PREFECT_HOME=f"{folder}/client")
        args = [sys.executable, "-m", "cli.main", "up", "--port", str(port)]
        started = time.monotonic()
        process = subprocess.Popen([*args, *(["--sqlite"] if sqlite else [])], cwd=ROOT,
                                   env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        try:
            assert process.stdout is not None
            ui = 0.0
            for line in process.stdout:
                if "Stop with Ctrl-C" in line:
                    ui = time.monotonic() - started
                    break
            board = _board(port, started)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=120)
    return ui, board


def _board(port: int, started: float, seconds: float = 180) -> float:
    url = f"http://127.0.0.1:{port}/api/artifacts/sla-board/latest"
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return time.monotonic() - started
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"no SLA board {seconds:.0f} s after start-up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    results = [one(args.sqlite) for _ in range(args.runs)]
    ui = [r[0] for r in results]
    board = [r[1] for r in results]
    setup = "--sqlite" if args.sqlite else "embedded PostgreSQL"
    print(f"| set-up | runs | UI printed, median s | board, median s | board, max s | "
          f"max / goal {GOAL:.0f} s |")
    print("|---|---|---|---|---|---|")
    print(f"| {setup} | {args.runs} | {statistics.median(ui):.1f} | "
          f"{statistics.median(board):.1f} | {max(board):.1f} | {max(board) / GOAL:.2f} |")


if __name__ == "__main__":
    main()
