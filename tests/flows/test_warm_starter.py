"""The warm starter (flows/starter.py) as `complaints serve` runs it: a resumed run is a
process of its own, forked from the pre-imported one; killing it is a crash the Runner
reports, cancelling it ends that process only, and COMPLAINTS_STARTER=stock is Prefect's
own starter."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect import get_client
from prefect.states import Cancelling

from tasks.runtime import settings
from tests.conftest import ROOT
from tests.flows import answers
from tests.flows.driver import flow_run, resume, submit, until, wait_for
from tests.flows.test_lifecycle import intake
from tests.flows.test_stalled import _until_running

pytestmark = pytest.mark.prefect_server


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _forkserver(serving: int) -> int:
    servers = [p for p in _children(serving)
               if b"forkserver" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(servers) == 1, "complaints serve runs no pre-imported forkserver"
    return servers[0]


def _process_of(run_id: str, server: int, seconds: float = 60) -> int:
    """The forked process running `run_id` (flows/starter.py names it after the run)."""
    name = f"run-{run_id}"[:15]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in _children(server):
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                    return pid
        time.sleep(0.1)
    raise AssertionError(f"no process forked from the forkserver runs {run_id}")


@contextlib.contextmanager
def _running_and_stuck(number: str) -> Iterator[str]:
    """The case's run resumed and blocked inside its stage (the store is held)."""
    run_id = wait_for(number, "handover")["flow_run_id"]
    lock = sqlite3.connect(settings().store_url.removeprefix("sqlite:///"), timeout=60,
                           isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        resume(run_id, answers.HANDOVER_SIGN)
        _until_running(run_id)
        yield run_id
    finally:
        lock.execute("ROLLBACK")
        lock.close()


def _final_state(run_id: str, seconds: float = 180) -> str:
    def ended() -> str:
        state = flow_run(run_id).state
        return str(state.type.value) if state is not None and state.is_final() else ""

    return str(until(ended, f"run {run_id} never ended", seconds=seconds, every=0.5))


def test_a_killed_flow_run_process_is_reported_crashed_and_the_next_run_still_starts(
    served: Any,
) -> None:
    server = _forkserver(served.process.pid)
    with _running_and_stuck(submit(intake(external_ref="WARM-KILL"))["case"]) as run_id:
        pid = _process_of(run_id, server)
        assert b"-m\x00prefect.engine" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        os.kill(pid, signal.SIGKILL)
    assert _final_state(run_id) == "CRASHED"
    wait_for(submit(intake(external_ref="WARM-AFTER"))["case"], "handover")
    assert _forkserver(served.process.pid) == server


def test_cancelling_a_flow_run_ends_its_process_only(served: Any) -> None:
    server = _forkserver(served.process.pid)
    with _running_and_stuck(submit(intake(external_ref="WARM-CANCEL"))["case"]) as run_id:
        pid = _process_of(run_id, server)
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(run_id, Cancelling(), force=True)
        assert _final_state(run_id) == "CANCELLED"
    assert not Path(f"/proc/{pid}").exists() or pid not in _children(server)
    assert _forkserver(served.process.pid) == server


def test_complaints_starter_stock_leaves_prefects_starter_in_place() -> None:
    code = ("from flows.starter import install; "
            "from prefect.runner import _starter_engine as e; "
            "from prefect.utilities import processutils as p; "
            "print(install(['flows/complaint.py:complaint']), e.run_process is p.run_process)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COMPLAINTS_STARTER": "stock"})
    assert done.stdout.split() == ["False", "True"], done.stderr[-2000:]
