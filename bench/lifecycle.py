"""Lifecycle benchmark: what one complaint costs, against the engine's floor.

    .venv/bin/python bench/lifecycle.py --cases 5

Starts its own Prefect server (SQLite, temp folder) and serves only the complaint
deployment, then takes N one-option complaints through every stage with an automatic
responder using Prefect's resume API. It then runs N of `bench/floor.py` (a trivial flow
with the same task runs and suspensions) on the same server, and the same stage logic
N times as plain Python with no orchestration. CPU is the server's plus the serving
process tree's (every flow-run process included); the responder's own polling is not
counted. Goal: project cost per case <= 1.3x the floor.
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
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")
STAGES = ["investigation", "solution", "execution", "callback", "review"]


def cpu_of(pid: int) -> float:
    """utime + stime of a process and of its waited-for children, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK


def environment() -> dict[str, str]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-lifecycle-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return {"PREFECT_HOME": str(tmp / "prefect"), "COMPLAINTS_DATA_DIR": str(tmp / "data"),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "COMPLAINTS_SERVE_ONLY":
            "complaint", "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
            "PREFECT_RUNNER_POLL_FREQUENCY": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PORT": str(port)}


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, env=dict(os.environ), stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


def drive_complaints(n: int) -> tuple[list[float], list[float]]:
    """(wall seconds per case, seconds from an answer to the next form) for n cases."""
    from cli import commands
    from tests.factories import make_intake
    from tests.flows import answers

    given = {"investigation": answers.INVESTIGATION, "solution": answers.SOLUTION_ONE,
             "execution": answers.EXECUTION, "callback": answers.CALLBACK_OK,
             "review": answers.REVIEW}
    walls, hops = [], []
    for i in range(n):
        started = time.monotonic()
        path = Path(os.environ["COMPLAINTS_DATA_DIR"]) / f"intake-{i}.json"
        path.write_text(make_intake(external_ref=f"BENCH-{i}", received_at="")
                        .model_dump_json(), encoding="utf-8")
        number = commands.submit(str(path))["case"]
        waiting_for(number, "investigation")
        for stage in STAGES:
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
            for answered in range(len(STAGES) + 1):
                asked = time.monotonic()
                while True:
                    state = client.read_flow_run(run.id).state
                    if state and (state.is_paused() or state.is_final()):
                        break
                    time.sleep(0.2)
                if answered:
                    hops.append(time.monotonic() - asked)
                if state.is_final():
                    break
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

    given = [answers.INVESTIGATION, answers.SOLUTION_ONE, answers.EXECUTION,
             answers.CALLBACK_OK, answers.REVIEW]
    before = resource.getrusage(resource.RUSAGE_SELF)
    for i in range(n):
        number, _ = create_from_intake(make_intake(external_ref=f"PLAIN-{i}", received_at=""),
                                       actor="bench")
        judge.fn(number)
        deliver.fn(number)
        for stage, answer in zip(STAGES, given, strict=True):
            answer_stage.fn(number, stage=stage, key=f"{stage}-1" if stage in (
                "solution", "execution", "callback") else stage, answer=answer)
            deliver.fn(number)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / n


def measure(server: subprocess.Popen[bytes], runner: subprocess.Popen[bytes],
            drive: Any, n: int) -> dict[str, float]:
    before = cpu_of(server.pid) + cpu_of(runner.pid)
    walls, hops = drive(n)
    time.sleep(2)  # let the last flow-run process be reaped into the runner's figures
    cpu = (cpu_of(server.pid) + cpu_of(runner.pid) - before) / n
    return {"cpu": cpu, "wall": median(walls), "hop_p50": median(hops), "hop_max": max(hops)}


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
    runners: list[subprocess.Popen[bytes]] = []
    try:
        wait_healthy(env["PREFECT_API_URL"], process=server)
        migrate(settings().store_url)
        runners.append(start([sys.executable, "-m", "cli.main", "serve"], logs / "serve.log"))
        time.sleep(8)
        project = measure(server, runners[0], drive_complaints, n)
        runners.append(start([sys.executable, str(ROOT / "bench" / "floor.py")],
                             logs / "floor.log"))
        time.sleep(8)
        floor = measure(server, runners[1], drive_floor, n)
        plain = plain_python(n)
    finally:
        for process in [*runners, server]:
            process.terminate()
    report(n, project, floor, plain)


def report(n: int, project: dict[str, float], floor: dict[str, float], plain: float) -> None:
    print(f"{n} cases each; 1 solution option, so 5 suspensions and 13 task runs per case\n")
    print("| what | CPU s / case | wall s / case (median) | answer -> next form p50 s | max s |")
    print("|---|---:|---:|---:|---:|")
    for name, row in (("complaint flow", project), ("engine floor (bench/floor.py)", floor)):
        print(f"| {name} | {row['cpu']:.2f} | {row['wall']:.1f} | {row['hop_p50']:.1f} "
              f"| {row['hop_max']:.1f} |")
    print(f"| same stage logic, plain Python | {plain:.3f} | | | |")
    print(f"\nratio complaint / floor (CPU): {project['cpu'] / floor['cpu']:.2f} (goal <= 1.3)")
    print(f"orchestration share of the complaint's CPU: {1 - plain / project['cpu']:.1%}")


if __name__ == "__main__":
    main()
