"""A warm flow-run starter for the served deployments: each flow run is forked from a
process that has Prefect and the project already imported, instead of a fresh
`python -m prefect.engine` interpreter (~2 s and ~1.8 CPU-s per resume).

How: the Runner that `serve` uses starts every flow run through Prefect's own
`EngineCommandStarter`, which builds the run's environment (flow run id, control-channel
port and token, deployment name, storage path, settings) and hands the command
`python -m prefect.engine` to the module-level `run_process` of
`prefect.runner._starter_engine` (its docstring names that name as the one to patch).
`install()` replaces that one name: for exactly that command, the run is instead a
process forked from a stdlib `forkserver` whose preload imported Prefect's engine and
our flow modules, and that process runs `prefect.engine`'s `__main__` block with the same
environment and working directory. Any other command goes to Prefect's `run_process`.

A run stays its own process: the Runner sees its pid, kills it to cancel, and sees its
exit code (a SIGKILL is a crash). What the forkserver imported stays as it was when
`complaints serve` started: code edits need a restart of `complaints up`; `policy.yaml`
is read by each run, so its edits apply at once. COMPLAINTS_STARTER=stock switches this
off. tests/unit/test_starter_hooks.py fails loudly if a Prefect upgrade moves the hook.
"""

from __future__ import annotations

import atexit
import inspect
import multiprocessing
import os
import runpy
import sys
import warnings
from collections.abc import Callable
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

# The engine's modules and what the pre-imported process needs to run a flow run.
PRELOAD_PREFECT = ("prefect.engine", "prefect.flow_engine", "prefect.task_engine",
                   "prefect.flows", "prefect.runtime", "prefect._internal.metrics")
HOOK = "prefect.runner._starter_engine.run_process"
_stock: dict[str, Callable[..., Any]] = {}
_running: set[Any] = set()  # runs forked and not yet reaped


def enabled() -> bool:
    return os.environ.get("COMPLAINTS_STARTER", "warm").strip().lower() != "stock"


def flow_modules(entrypoints: list[str]) -> list[str]:
    """`flows/complaint.py:complaint` -> `flows.complaint` (what the forkserver imports)."""
    return [e.split(":")[0].removesuffix(".py").replace("/", ".") for e in entrypoints]


def preload(entrypoints: list[str]) -> list[str]:
    return [*PRELOAD_PREFECT, __name__, *flow_modules(entrypoints)]


def hook_problem() -> str | None:
    """Why the hook cannot be used with the installed Prefect, or None if it can."""
    from prefect.runner import _starter_engine, runner

    where = "see flows/starter.py"
    if not callable(getattr(_starter_engine, "run_process", None)):
        return f"Prefect moved {HOOK}; {where}"
    if getattr(runner, "EngineCommandStarter", None) is not _starter_engine.EngineCommandStarter:
        return f"Prefect moved prefect.runner.runner.EngineCommandStarter; {where}"
    start = inspect.getsource(_starter_engine.EngineCommandStarter.start)
    wanted = ("await run_process(", "command=runner_command", "task_status_handler=",
              "env=sanitized_env", "cwd=cwd", '"-m", "prefect.engine"')
    missing = [w for w in wanted if w not in start]
    if missing:
        return (f"Prefect changed how EngineCommandStarter.start calls {HOOK} "
                f"(no {missing[0]!r}); {where}")
    if "EngineCommandStarter(" not in inspect.getsource(runner.Runner.__aenter__):
        return f"Prefect's Runner no longer starts served runs with EngineCommandStarter; {where}"
    return None


def install(entrypoints: list[str]) -> bool:
    """Start the pre-imported forkserver and route served runs to it; False if the stock
    starter stays (COMPLAINTS_STARTER=stock, or a Prefect that moved the hook)."""
    from prefect.logging import get_logger
    from prefect.runner import _starter_engine

    if not enabled():
        return False
    problem = hook_problem()
    if problem:
        get_logger("complaints.starter").warning("warm starter off: %s", problem)
        return False
    multiprocessing.set_forkserver_preload(preload(entrypoints))
    forkserver.ensure_running()  # now, with the serving process's environment
    _stock.setdefault("run_process", _starter_engine.run_process)
    _starter_engine.run_process = warm_run_process  # type: ignore[assignment]
    return True


def _is_engine(command: list[str]) -> bool:
    from prefect.utilities.processutils import get_sys_executable

    return list(command) == [get_sys_executable(), "-m", "prefect.engine"]


async def warm_run_process(command: list[str], *, stream_output: Any = False,
                           task_status: Any = None, task_status_handler: Any = None,
                           env: dict[str, str] | None = None, cwd: Any = None,
                           **kwargs: Any) -> Any:
    """`run_process` for `python -m prefect.engine`: fork the run from the warm process,
    report it as started, block until it exits (the Runner then reads its exit code)."""
    import anyio

    unknown = set(kwargs) - {"start_new_session"}
    if not _is_engine(command) or unknown or stream_output not in (True, False):
        return await _stock["run_process"](
            command, stream_output=stream_output, task_status=task_status,
            task_status_handler=task_status_handler, env=env, cwd=cwd, **kwargs)
    process = multiprocessing.get_context("forkserver").Process(
        target=run_engine, name="prefect-flow-run",
        args=(dict(env or os.environ), str(cwd or os.getcwd()),
              bool(kwargs.get("start_new_session")), bool(stream_output)))
    await anyio.to_thread.run_sync(process.start)
    _running.add(process)
    try:
        if task_status is not None:
            task_status.started(task_status_handler(process) if task_status_handler
                                else process.pid)
        await anyio.to_thread.run_sync(process.join, abandon_on_cancel=True)
    except BaseException:  # the Runner stopping: its run ends with it, as with the stock one
        _end(process)
        raise
    finally:
        _running.discard(process)
    return process


def _end(process: Any) -> None:
    if process.is_alive():
        process.terminate()
        process.join(10)
    if process.is_alive():
        process.kill()


@atexit.register
def _end_all() -> None:
    """The serving process exiting leaves no run of its own behind."""
    for process in list(_running):
        _end(process)


def run_engine(env: dict[str, str], cwd: str, new_session: bool, output: bool) -> None:
    """In the forked process: become what `python -m prefect.engine` would be with `env`
    in `cwd`, then run that module's `__main__` block (it exits 0, 1 or by signal)."""
    if new_session:
        os.setsid()
    if not output:
        _silence()
    _name_process(f"run-{env.get('PREFECT__FLOW_RUN_ID', '')}"[:15])
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = [sys.argv[0]]  # the engine takes a flow run id from argv[1] if there is one
    from prefect.context import SettingsContext, SyncClientContext, get_settings_context
    from prefect.settings import Settings

    # Settings were read at import from the serving process's environment: read them
    # again from the run's. One sync client serves loading the run and running it.
    with SettingsContext(profile=get_settings_context().profile, settings=Settings()), \
            SyncClientContext.get_or_create(), warnings.catch_warnings():
        # runpy warns that prefect.engine is imported already: it is, on purpose; its
        # __main__ block runs in a namespace of its own and leaves the module alone.
        warnings.filterwarnings("ignore", "'prefect.engine' found in sys.modules",
                                RuntimeWarning)
        runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)


def _name_process(name: str) -> None:
    """`ps -o comm` shows which flow run a process is (the forked ones share a cmdline)."""
    if sys.platform == "linux":
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME


def _silence() -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(null, fd)
    os.close(null)


def preload_report(modules: list[str]) -> dict[str, Any]:
    """Threads and sockets left after importing `modules` (the import-hygiene check)."""
    for name in modules:
        __import__(name)
    import threading

    sockets = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            if os.readlink(fd).startswith("socket:"):
                sockets.append(fd.name)
        except OSError:  # the listing's own descriptor, closed by now
            continue
    return {"threads": [t.name for t in threading.enumerate()], "sockets": sockets}
