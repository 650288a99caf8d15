"""The warm starter (flows/starter.py) leans on one Prefect internal and on a clean
pre-import: these tests fail loudly when a Prefect upgrade moves the one, or when an
import starts a thread or opens a socket in the process every flow run is forked from."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

from flows.serve import declared
from flows.starter import hook_problem, preload, warm_run_process
from tests.conftest import ROOT


def test_prefect_still_starts_served_runs_through_the_hooked_run_process() -> None:
    problem = hook_problem()
    assert problem is None, f"{problem} (the warm starter would fall back to the stock one)"


def test_the_hook_takes_every_argument_prefects_run_process_takes() -> None:
    from prefect.utilities.processutils import run_process

    ours = inspect.signature(warm_run_process).parameters
    for name, param in inspect.signature(run_process).parameters.items():
        assert name in ours or param.kind is param.VAR_KEYWORD, (
            f"Prefect moved prefect.runner._starter_engine.run_process: it takes {name!r} now; "
            "see flows/starter.py")


def test_a_forked_process_is_a_process_handle_the_runner_can_read() -> None:
    """The Runner reads a run's pid and exit code through ProcessHandle; it must accept a
    multiprocessing process (exitcode, no returncode)."""
    import multiprocessing

    from prefect.runner._process_manager import ProcessHandle

    process = multiprocessing.get_context("fork").Process(target=os._exit, args=(3,))
    process.start()
    process.join()
    handle = ProcessHandle(process)  # type: ignore[arg-type]
    assert (handle.pid, handle.returncode) == (process.pid, 3), (
        "Prefect moved ProcessHandle's exit code; see flows/starter.py")


def test_the_pre_import_starts_no_thread_and_opens_no_socket() -> None:
    """What the forkserver imports, imported in a fresh interpreter: every flow run is
    forked from it, and a fork copies no thread and shares every socket."""
    modules = preload([entry["entrypoint"] for entry in declared()])
    code = ("import json, sys; from flows.starter import preload_report; "
            "print(json.dumps(preload_report(sys.argv[1:])))")
    done = subprocess.run([sys.executable, "-c", code, *modules], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"threads": ["MainThread"], "sockets": []}, (
        f"importing {modules} left {report}: make that import lazy")
