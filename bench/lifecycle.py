"""Lifecycle benchmark: what one complaint costs, warm starter against stock and the floor.

    .venv/bin/python bench/lifecycle.py --cases 3

Starts its own Prefect server (SQLite, temp folder) and, one after the other in one run:
serves only the complaint deployment with the warm starter (flows/starter.py) and takes N
one-option complaints through every stage; the same with COMPLAINTS_STARTER=stock; then N
runs of `bench/floor.py` (a trivial flow with the same task runs and suspensions) on the
stock starter. Runner polling is what `complaints up` uses (cli/system.py RUN_DEFAULTS).
The responder answers each form 2 s after it appears, through Prefect's resume API: a
suspended run's process still has to exit before its resume can start a new one, so an
instant answer would measure that exit too, which no person answering a form ever waits
for. CPU is the server's plus the serving process tree's (the forkserver and every
flow-run process included); the responder's own polling is not counted.
Goals (issue #10): warm CPU per case <= 0.5x the stock floor and <= 8 CPU-s; answer ->
next form p50 <= 1.5 s, p95 <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")
STAGES = ["handover", "investigation", "solution", "choice", "execution", "callback", "review"]
ROUND_KEYED = ("solution", "choice", "execution", "callback")  # keyed `stage-1` in round 1
THINK = 2.0  # seconds the responder takes to answer a form that has appeared
IDLE = 15.0  # seconds over which the idle serving process's CPU is measured


def cpu_of(pid: int) -> float:
    """utime + stime of a process and of its waited-for children, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK


def tree_cpu(pid: int) -> float:
    """cpu_of a process and of its live descendants (the forkserver reaps the flow runs
    it forks, so their CPU is in its figures, not yet in the serving process's)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | more, bool(more)
    return sum(cpu_of(p) for p in tree)


def environment() -> dict[str, str]:
    from cli.system import RUN_DEFAULTS

    tmp = Path(tempfile.mkdtemp(prefix="bench-lifecycle-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return {"PREFECT_HOME": str(tmp / "prefect"), "COMPLAINTS_DATA_DIR": str(tmp / "data"),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "COMPLAINTS_SERVE_ONLY":
            "complaint", "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
            "PREFECT_RUNNER_POLL_FREQUENCY": RUN_DEFAULTS["PREFECT_RUNNER_POLL_FREQUENCY"],
            "COMPLAINTS_POLL_SECONDS": RUN_DEFAULTS["COMPLAINTS_POLL_SECONDS"],
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PORT": str(port)}


def start(args: list[str], log: Path, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


def drive_complaints(n: int, tag: str = "BENCH") -> tuple[list[float], list[float]]:
    """(wall seconds per case, seconds from an answer to the next form) for n cases."""
    from cli import commands
    from tests.factories import make_intake
    from tests.flows import answers

    given = {"handover": answers.HANDOVER_SIGN, "investigation": answers.INVESTIGATION,
             "solution": answers.SOLUTION_ONE, "choice": answers.CHOICE_ONE,
             "execution": answers.EXECUTION, "callback": answers.CALLBACK_OK,
             "review": answers.REVIEW}
    walls, hops = [], []
    for i in range(n):
        started = time.monotonic()
        path = Path(os.environ["COMPLAINTS_DATA_DIR"]) / f"intake-{tag}-{i}.json"
        path.write_text(make_intake(external_ref=f"{tag}-{i}", received_at="")
                        .model_dump_json(), encoding="utf-8")
        number = commands.submit(str(path))["case"]
        waiting_for(number, STAGES[0])
        for stage in STAGES:
            time.sleep(THINK)
            asked = time.monotonic()
            answer = path.with_name(f"{number}-{stage}.json")
            answer.write_text(json.dumps(given[stage]), encoding="utf-8")
            commands.respond(number, stage, str(answer))
            nxt = STAGES.index(stage) + 1
            waiting_for(number, STAGES[nxt] if nxt < len(STAGES) else "closed")
            hops.append(time.monotonic() - asked)
        walls.append(time.monotonic() - started)
    return walls, hops


def waiting_for(number: str, stage: str, seconds: float = 300) -> None:
    """Until the case's run is suspended at `stage`, or completed for 'closed'."""
    from prefect import get_client

    from cli import commands

    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            story = commands.show(number)
            run = client.read_flow_run(story["flow_run_id"]).state
            if stage == "closed" and story["status"] == "closed" and run and run.is_completed():
                return
            if story["waiting_for"].split("-")[0] == stage and run and run.is_paused():
                return
            time.sleep(0.2)
    raise RuntimeError(f"{number} never reached {stage}")


def drive_floor(n: int) -> tuple[list[float], list[float]]:
    from prefect import get_client
    from prefect.deployments import run_deployment
    from prefect.flow_runs import resume_flow_run

    walls, hops = [], []
    for _ in range(n):
        started = time.monotonic()
        run = run_deployment("floor/floor", timeout=0)
        with get_client(sync_client=True) as client:
            asked = time.monotonic()
            for answered in range(len(STAGES) + 1):
                while True:
                    state = client.read_flow_run(run.id).state
                    if state and (state.is_paused() or state.is_final()):
                        break
                    time.sleep(0.2)
                if answered:
                    hops.append(time.monotonic() - asked)
                if state.is_final():
                    break
                time.sleep(THINK)
                asked = time.monotonic()
                resume_flow_run(run.id, run_input={"value": "ok"})
                time.sleep(0.3)  # until the server shows it rescheduled
        walls.append(time.monotonic() - started)
    return walls, hops


def plain_python(n: int) -> float:
    """CPU seconds per case of the same stage logic, called directly, no Prefect."""
    from tasks.cases import create_from_intake, judge
    from tasks.delivery import deliver
    from tasks.stages import answer_stage
    from tests.factories import make_intake
    from tests.flows import answers

    given = [answers.HANDOVER_SIGN, answers.INVESTIGATION, answers.SOLUTION_ONE,
             answers.CHOICE_ONE, answers.EXECUTION, answers.CALLBACK_OK, answers.REVIEW]
    before = resource.getrusage(resource.RUSAGE_SELF)
    for i in range(n):
        number, _ = create_from_intake(make_intake(external_ref=f"PLAIN-{i}", received_at=""),
                                       actor="bench")
        judge.fn(number)
        deliver.fn(number)
        for stage, answer in zip(STAGES, given, strict=True):
            answer_stage.fn(number, stage=stage, key=f"{stage}-1" if stage in ROUND_KEYED
                            else stage, answer=answer)
            deliver.fn(number)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / n


def measure(server: subprocess.Popen[bytes], runner: subprocess.Popen[bytes],
            drive: Any, n: int) -> dict[str, float]:
    time.sleep(8)  # the runner registers its deployment and settles
    idle = tree_cpu(runner.pid)
    time.sleep(IDLE)
    idle = (tree_cpu(runner.pid) - idle) / IDLE
    before = cpu_of(server.pid) + tree_cpu(runner.pid)
    walls, hops = drive(n)
    time.sleep(2)  # let the last flow-run process be reaped into the runner's figures
    cpu = (cpu_of(server.pid) + tree_cpu(runner.pid) - before) / n
    ranked = sorted(hops)
    return {"idle": idle, "cpu": cpu, "wall": median(walls), "hop_p50": median(hops),
            "hop_p95": ranked[max(0, -(-len(ranked) * 95 // 100) - 1)], "hop_max": max(hops)}


def served(args: list[str], log: Path, drive: Any, n: int, server: subprocess.Popen[bytes],
           **env: str) -> dict[str, float]:
    runner = start(args, log, **env)
    try:
        row = measure(server, runner, drive, n)
        print(log.stem, row, flush=True)  # kept if a later part fails
        return row
    finally:
        runner.terminate()
        runner.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=5)
    n = parser.parse_args().cases
    env = environment()
    os.environ.update(env)
    from cli.system import wait_healthy
    from models.store import migrate
    from tasks.runtime import settings

    logs = Path(env["COMPLAINTS_DATA_DIR"]).parent
    server = start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                    "--port", env["PORT"]], logs / "server.log")
    serve = [sys.executable, "-m", "cli.main", "serve"]
    try:
        wait_healthy(env["PREFECT_API_URL"], process=server)
        migrate(settings().store_url)
        rows = {
            "complaint flow, warm starter": served(
                serve, logs / "warm.log", partial(drive_complaints, tag="WARM"), n, server,
                COMPLAINTS_STARTER="warm"),
            "complaint flow, stock starter": served(
                serve, logs / "stock.log", partial(drive_complaints, tag="STOCK"), n, server,
                COMPLAINTS_STARTER="stock"),
            "engine floor (bench/floor.py), stock": served(
                [sys.executable, str(ROOT / "bench" / "floor.py")], logs / "floor.log",
                drive_floor, n, server),
        }
        plain = plain_python(n)
    finally:
        server.terminate()
    report(n, rows, plain)


def report(n: int, rows: dict[str, dict[str, float]], plain: float) -> None:
    print(f"{n} cases each; 1 solution option, so {len(STAGES)} suspensions and "
          f"{3 + 2 * len(STAGES)} task runs per case; "
          f"each form answered {THINK:.0f} s after it appears\n")
    print("| what | CPU s / case | wall s / case (median) | answer -> next form p50 s "
          "| p95 s | max s | idle runner CPU s / s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['cpu']:.2f} | {row['wall']:.1f} | {row['hop_p50']:.2f} "
              f"| {row['hop_p95']:.2f} | {row['hop_max']:.2f} | {row['idle']:.3f} |")
    print(f"| same stage logic, plain Python | {plain:.3f} | | | | | |")
    warm, stock, floor = rows.values()
    print(f"\nwarm CPU / stock floor: {warm['cpu'] / floor['cpu']:.2f} (goal <= 0.5); "
          f"warm CPU per case {warm['cpu']:.2f} s (goal <= 8)")
    print(f"warm answer -> next form: p50 {warm['hop_p50']:.2f} s (goal <= 1.5), "
          f"p95 {warm['hop_p95']:.2f} s (goal <= 3)")
    print(f"warm / stock, same complaint flow: CPU {warm['cpu'] / stock['cpu']:.2f}, "
          f"p50 {warm['hop_p50'] / stock['hop_p50']:.2f}")


if __name__ == "__main__":
    main()
