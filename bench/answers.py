"""Concurrent answers: 50 suspended cases answered at the same instant through the resume
API (what the UI's Submit calls), on the desk as `complaints up` starts it.

    .venv/bin/python bench/answers.py                 # the default set-up
    .venv/bin/python bench/answers.py --sqlite        # complaints up --sqlite, beside it

Starts `complaints up` in a temp data folder, submits N complaints, waits until every one
is suspended at its first form (handover, 签收), then resumes all N from N threads at once
with a signature; each case then moves on to its investigation form. It
counts what a person pressing Submit would see — accepted, or an error ("Oops") — and,
after waiting for every run, what was lost: an answer the server accepted that never
reached the case. Prints one line per set-up.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_desk(extra: list[str]) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`complaints up` in a temp folder; the environment a client of it needs."""
    data, port = Path(tempfile.mkdtemp(prefix="bench-answers-")) / "data", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COMPLAINTS_"))}
    env["COMPLAINTS_DATA_DIR"] = str(data)
    desk = subprocess.Popen([sys.executable, "-m", "cli.main", "up", "--port", str(port),
                             *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    client = {"COMPLAINTS_DATA_DIR": str(data), "PREFECT_API_URL":
              f"http://127.0.0.1:{port}/api", "PREFECT_LOGGING_LEVEL": "WARNING"}
    assert desk.stdout is not None
    deadline = time.monotonic() + 300
    for line in desk.stdout:
        if "Stop with" in line or time.monotonic() > deadline:
            break
    threading.Thread(target=lambda: [None for _ in desk.stdout or []], daemon=True).start()
    return desk, client


def wait_deployment(name: str = "complaint/complaint", seconds: float = 180) -> None:
    """Until the served deployment is registered and its runner has had time to poll."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + seconds
    while True:
        try:
            with get_client(sync_client=True) as client:
                client.read_deployment_by_name(name)
            time.sleep(2)
            return
        except (ObjectNotFound, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def submit_cases(n: int) -> list[str]:
    from cli import commands
    from tests.factories import make_intake

    folder = Path(os.environ["COMPLAINTS_DATA_DIR"])
    numbers = []
    for i in range(n):
        path = folder / f"intake-{i}.json"
        path.write_text(make_intake(external_ref=f"ANSWERS-{i}", received_at="")
                        .model_dump_json(), encoding="utf-8")
        numbers.append(commands.submit(str(path))["case"])
    return numbers


def suspended_at(number: str, stage: str) -> str:
    """The run id once the case waits for `stage` and its run is paused, else ''."""
    from prefect import get_client

    from cli import commands

    story = commands.show(number)
    if story["waiting_for"] != stage or not story["flow_run_id"]:
        return ""
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(story["flow_run_id"]).state
    return story["flow_run_id"] if state and state.is_paused() else ""


def wait_all(numbers: list[str], stage: str, seconds: float) -> dict[str, str]:
    found: dict[str, str] = {}
    deadline = time.monotonic() + seconds
    while len(found) < len(numbers) and time.monotonic() < deadline:
        for number in numbers:
            if number not in found:
                run = suspended_at(number, stage)
                if run:
                    found[number] = run
        time.sleep(1)
    return found


def answer(run_id: str) -> tuple[str, float]:
    """What the person pressing Submit sees: 'accepted', or the error."""
    from prefect import get_client
    from prefect.client.schemas.responses import SetStateStatus

    from tests.flows import answers

    started = time.monotonic()
    try:
        with get_client(sync_client=True) as client:
            result = client.resume_flow_run(run_id, run_input={
                **answers.HANDOVER_SIGN, "form_key": "handover"})
    except Exception as exc:  # the UI shows "Oops. Something went wrong."
        return f"error {type(exc).__name__}", time.monotonic() - started
    ok = result.status == SetStateStatus.ACCEPT
    return ("accepted" if ok else f"not accepted {result.status.value}",
            time.monotonic() - started)


def run_once(n: int, extra: list[str]) -> str:
    desk, client = start_desk(extra)
    os.environ.update(client)
    from models.settings import get_settings

    get_settings.cache_clear()
    try:
        wait_deployment()
        numbers = submit_cases(n)
        runs = wait_all(numbers, "handover", seconds=60 + 20 * n)
        assert len(runs) == n, f"only {len(runs)} of {n} cases reached handover"
        barrier = threading.Barrier(n)

        def at_once(run_id: str) -> tuple[str, float]:
            barrier.wait()
            return answer(run_id)

        started = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            seen = list(pool.map(at_once, [runs[number] for number in numbers]))
        moved = wait_all(numbers, "investigation", seconds=60 + 20 * n)
        took = time.monotonic() - started
        accepted = sum(1 for what, _ in seen if what == "accepted")
        lost = sum(1 for number, (what, _) in zip(numbers, seen, strict=True)
                   if what == "accepted" and number not in moved)
        errors = sorted({what for what, _ in seen if what != "accepted"})
        p50, p95 = (quantiles([s for _, s in seen], n=20)[i] for i in (9, 18))
        return (f"| {' '.join(extra) or 'default'} | {n} | {accepted} | {n - accepted} "
                f"| {lost} | {len(moved)} | {p50:.2f} / {p95:.2f} | {took:.0f} | "
                f"{', '.join(errors) or '-'} |")
    finally:
        os.killpg(desk.pid, signal.SIGINT)
        try:
            desk.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(desk.pid, signal.SIGKILL)


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--cases", type=int, default=50)
    args.add_argument("--sqlite", action="store_true", help="also run `complaints up --sqlite`")
    args.add_argument("--one", default=None, help=argparse.SUPPRESS)
    options = args.parse_args()
    if options.one is not None:  # one set-up per process: Prefect reads its settings once
        print(run_once(options.cases, options.one.split()), flush=True)
        return
    print("| set-up | answers | accepted | errors seen | lost | moved on | resume p50 / p95 s "
          "| all moved s | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|", flush=True)
    for extra in ([""] + (["--sqlite"] if options.sqlite else [])):
        subprocess.run([sys.executable, __file__, "--cases", str(options.cases),
                        f"--one={extra}"], check=False)


if __name__ == "__main__":
    main()
