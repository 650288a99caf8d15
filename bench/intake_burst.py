"""Intake burst: N complaints at once plus D duplicates; time until all are acknowledged.

    .venv/bin/python bench/intake_burst.py                      # the default set-up
    .venv/bin/python bench/intake_burst.py --sqlite --cases 20 --duplicates 4
    .venv/bin/python bench/intake_burst.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

By default it starts the desk as `python3 dev.py up` does (`complaints up`: embedded
PostgreSQL, the Prefect server, the deployments served with the warm starter) in a temp
folder, serving only the complaint deployment; `--sqlite` starts `complaints up --sqlite`;
`--postgres URL` runs the Prefect server and the case store in two new databases of that
server (dropped at the end). Then submits N distinct complaints and D duplicates (the
external_ref of one of the N) from a pool of threads, all at once and shuffled, so a
duplicate races its original. Half the duplicates go the way `complaints submit` does
(store first, then start the run), half the way the UI's run form does (a run whose
intake task finds the case). It waits until every case's acknowledgement to the customer
is delivered, and checks that none is lost: N cases, one acknowledgement each, every
duplicate answered with its original's number or noted on it, no run Failed or Crashed.
CPU is the whole machine's busy time during the burst (/proc/stat: the databases, the
Prefect server, the flow runs and the submitters alike), divided by N.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lifecycle import environment, start  # noqa: E402

CATEGORIES = ["product_defect", "repair_quality", "delivery_delay", "service_attitude",
              "parts", "after_sales"]


def intakes(n: int) -> list[dict[str, Any]]:
    from tests.factories import make_intake

    made = []
    for i in range(n):
        made.append(make_intake(
            external_ref=f"BURST-{i:05d}", received_at="", category=CATEGORIES[i % 6],
            claimed_loss=(i * 37) % 3000, subject=f"Complaint {i} from the burst",
            customer={"name": f"Customer {i}", "phone": "", "language": "en",
                      "email": f"customer{i}@example.org"},
        ).model_dump(mode="json"))
    return made


def submit_like_cli(intake: dict[str, Any]) -> dict[str, Any]:
    from models.errors import NotServing
    from models.intake import Intake
    from tasks.operations import submit_intake

    started = time.monotonic()
    try:
        done = submit_intake(Intake.model_validate(intake), actor="bench")
    except NotServing:  # stored, its run not created: operations rerun it
        return {"ref": intake["external_ref"], "case": number_of(intake["external_ref"]),
                "via": "submit",
                "duplicate": False, "not_started": True,
                "seconds": time.monotonic() - started}
    return {"ref": intake["external_ref"], "case": done["case"], "via": "submit",
            "duplicate": done["duplicate"], "seconds": time.monotonic() - started}


def number_of(external_ref: str) -> str:
    from models.store import repo, transaction
    from tasks.runtime import settings

    with transaction(settings().store_url) as session:
        case = repo.case_by(session, external_ref=external_ref)
        assert case is not None, f"{external_ref} was not stored"
        return case.number


def submit_like_form(intake: dict[str, Any]) -> dict[str, Any]:
    from tasks.operations import create_run

    started = time.monotonic()
    run = create_run(parameters={"intake": intake})
    return {"ref": intake["external_ref"], "run": str(run.id), "via": "form",
            "duplicate": True, "seconds": time.monotonic() - started}


def acknowledged(refs: set[str]) -> dict[str, datetime]:
    """external_ref -> when its acknowledgement was delivered, for those delivered."""
    from sqlalchemy import select

    from models.store import transaction
    from models.store.db import CaseRow, OutboxRow
    from tasks.runtime import settings

    with transaction(settings().store_url) as session:
        rows = session.execute(
            select(CaseRow.external_ref, OutboxRow.sent_at)
            .join(OutboxRow, OutboxRow.case_id == CaseRow.id)
            .where(OutboxRow.purpose == "acknowledgement", OutboxRow.status == "sent"))
        return {ref: at for ref, at in rows if ref in refs and at is not None}


def settled(runs: list[str]) -> bool:
    """Every run-form duplicate has ended, or waits at its first form (it opened the case)."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    done = [StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED,
            StateType.PAUSED]
    with get_client(sync_client=True) as client:
        return client.count_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=runs),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=done)))) == len(runs)


def audit(originals: list[dict[str, Any]], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """What a lost or doubled case would show: counts straight from the store and Prefect."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from sqlalchemy import select

    from models.store import transaction
    from models.store.db import CaseRow, EventRow, OutboxRow
    from tasks.runtime import settings

    refs = {i["external_ref"] for i in originals}
    with transaction(settings().store_url) as session:
        cases = {ref: (number, run) for ref, number, run in session.execute(
            select(CaseRow.external_ref, CaseRow.number, CaseRow.flow_run_id)
            .where(CaseRow.external_ref.in_(refs)))}
        acks = Counter(ref for (ref,) in session.execute(
            select(CaseRow.external_ref).join(OutboxRow, OutboxRow.case_id == CaseRow.id)
            .where(OutboxRow.purpose == "acknowledgement")))
        noted = {str(data.get("flow_run_id")) for (data,) in session.execute(
            select(EventRow.data).where(EventRow.kind == "duplicate_submission"))}
    by_ref = {ref: number for ref, (number, _) in cases.items()}
    owners = {run for _, run in cases.values() if run}
    submitted = [a for a in answers if a["via"] == "submit"]
    wrong = [a for a in submitted if by_ref.get(a["ref"]) != a["case"]]
    doubled = sum(1 for a in submitted if not a["duplicate"]) - len(refs)
    forms = [a["run"] for a in answers if a["via"] == "form"]
    # A run-form duplicate either found its case (noted on it) or, faster than the
    # original's submitter, opened the case itself (then the submitter got "duplicate").
    form_wrong = sum(1 for run in forms if run not in noted and run not in owners)
    with get_client(sync_client=True) as client:
        bad = client.count_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[*owners, *forms]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.FAILED, StateType.CRASHED]))))
    return {"cases": len(cases), "lost": len(refs - set(cases)),
            "acks_not_one": sum(1 for ref in refs if acks[ref] != 1),
            "duplicates_answered_wrong": len(wrong) + max(doubled, 0) + form_wrong,
            "duplicate_submissions_noted": len(noted), "runs_failed": bad}


def burst(n: int, duplicates: int, threads: int, seconds: float) -> dict[str, Any]:
    import prefect.deployments  # noqa: F401  # imported once here, not by 32 threads at once

    from tasks import operations  # noqa: F401

    originals = intakes(n)
    copies = [dict(random.Random(7 + k).choice(originals)) for k in range(duplicates)]
    work = [(submit_like_cli, i) for i in originals]
    work += [(submit_like_form if k % 2 else submit_like_cli, c) for k, c in enumerate(copies)]
    random.Random(11).shuffle(work)
    refs = {i["external_ref"] for i in originals}
    began, began_at = time.monotonic(), datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        answers = list(pool.map(lambda job: job[0](job[1]), work))
    submitted = time.monotonic() - began
    # What operations would do next: `complaints rerun` each case stored but not started.
    from tasks.operations import rerun

    not_started = [a["case"] for a in answers if a.get("not_started")]
    for number in not_started:
        rerun(number)
    deadline, progress_at, count = began + seconds, time.monotonic(), 0
    while True:
        acked = acknowledged(refs)
        if len(acked) > count:
            progress_at, count = time.monotonic(), len(acked)
        if len(acked) == len(refs) or time.monotonic() > deadline:
            break
        if time.monotonic() - progress_at > 300:
            print("no acknowledgement for 5 minutes: some cases are stuck", file=sys.stderr)
            break
        time.sleep(2)
    all_acked = time.monotonic() - began
    forms = [a["run"] for a in answers if a["via"] == "form"]
    give_up = min(deadline, time.monotonic() + 300)
    while not settled(forms) and time.monotonic() < give_up:
        time.sleep(2)
    latency = sorted((at.replace(tzinfo=at.tzinfo or UTC) - began_at).total_seconds()
                     for at in acked.values())
    return {"submitted_s": submitted, "all_acked_s": all_acked, "acked": len(acked),
            "not_started": len(not_started),
            "ack_latency": latency, "submit_s": [a["seconds"] for a in answers],
            **audit(originals, answers)}


def postgres_databases(url: str) -> dict[str, str]:
    """Two new databases on the server of `url`: the Prefect server's and the store's."""
    import psycopg
    from sqlalchemy.engine import make_url

    base, tag = make_url(url), f"{os.getpid()}_{int(time.time())}"
    names = {"prefect": f"bench_prefect_{tag}", "store": f"bench_store_{tag}"}
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'CREATE DATABASE "{name}"')
    return {
        # 32 submitters, the runner and five flow runs at once exhaust the default pool
        # (5 + 10 overflow): create_flow_run then fails with 500.
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE": "20",
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW": "20",
        "PREFECT_API_DATABASE_CONNECTION_URL": base.set(
            drivername="postgresql+asyncpg", database=names["prefect"]).render_as_string(False),
        "COMPLAINTS_DATABASE_URL": base.set(database=names["store"]).render_as_string(False),
    }


def drop_databases(url: str, env: dict[str, str]) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from models.store import engine_for

    engine_for(env["COMPLAINTS_DATABASE_URL"]).dispose()
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        for key in ("PREFECT_API_DATABASE_CONNECTION_URL", "COMPLAINTS_DATABASE_URL"):
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(env[key]).database}" WITH (FORCE)')


def admin_dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(False)


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine since boot (/proc/stat: all but idle, iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--duplicates", type=int, default=100)
    parser.add_argument("--threads", type=int, default=32, help="concurrent submitters")
    parser.add_argument("--sqlite", action="store_true", help="complaints up --sqlite")
    parser.add_argument("--postgres", default="", metavar="URL",
                        help="run the Prefect server and the case store on this PostgreSQL")
    parser.add_argument("--timeout", type=float, default=7200,
                        help="give up waiting for acknowledgements after this many seconds")
    args = parser.parse_args()
    if args.postgres:
        stop, logs = external(args.postgres)
    else:
        stop, logs = desk(["--sqlite"] if args.sqlite else [])
    try:
        cpu_before = machine_cpu()
        result = burst(args.cases, args.duplicates, args.threads, args.timeout)
        result["cpu"] = machine_cpu() - cpu_before
    finally:
        stop()
    report(args, result, logs)


def desk(extra: list[str]) -> tuple[Any, Path]:
    """`complaints up` in a temp folder, serving only the complaint deployment."""
    from bench.answers import free_port

    data, port = Path(tempfile.mkdtemp(prefix="bench-burst-")) / "data", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COMPLAINTS_"))}
    env.update(COMPLAINTS_DATA_DIR=str(data), COMPLAINTS_SERVE_ONLY="complaint")
    data.mkdir(parents=True)
    log = (data.parent / "desk.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "up", "--port", str(port),
                                *extra], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    os.environ.update(COMPLAINTS_DATA_DIR=str(data), PREFECT_LOGGING_LEVEL="WARNING",
                      PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
                      PREFECT_CLIENT_RETRY_EXTRA_CODES="500")
    deadline = time.monotonic() + 300
    while "Stop with" not in (data.parent / "desk.log").read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"complaints up did not start: see {data.parent / 'desk.log'}")
        time.sleep(1)
    from bench.answers import wait_deployment

    wait_deployment()

    def stop() -> None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)

    return stop, data.parent


def external(url: str) -> tuple[Any, Path]:
    """The Prefect server (as `complaints up` runs it) and the case store in two new
    databases of the PostgreSQL at `url`, and one serving process."""
    env = environment()
    databases = postgres_databases(url)
    env.update(databases)
    os.environ.update(env)
    from cli.system import wait_healthy
    from models.store import migrate
    from tasks.runtime import settings

    logs = Path(env["COMPLAINTS_DATA_DIR"]).parent
    server = start([sys.executable, "-m", "cli.prefect_server", "--host", "127.0.0.1",
                    "--port", env["PORT"]], logs / "server.log")
    wait_healthy(env["PREFECT_API_URL"], process=server)
    migrate(settings().store_url)
    runner = start([sys.executable, "-m", "cli.main", "serve"], logs / "serve.log")
    time.sleep(8)

    def stop() -> None:
        for process in (runner, server):
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_databases(url, databases)

    return stop, logs


def report(args: argparse.Namespace, r: dict[str, Any], logs: Path) -> None:
    def pct(values: list[float], q: int) -> float:
        return quantiles(values, n=100)[q - 1] if len(values) > 1 else (values or [0.0])[0]

    limit = os.environ.get("PREFECT_RUNNER_PROCESS_LIMIT", "5")
    where = ("an external PostgreSQL" if args.postgres else "SQLite (complaints up --sqlite)"
             if args.sqlite else "the embedded PostgreSQL (complaints up)")
    print(f"Prefect server and case store on {where}; {args.cases} complaints + "
          f"{args.duplicates} duplicates, {args.threads} submitters, one serving process running "
          f"{limit} flow runs at a time; logs in {logs}\n")
    print("| submissions | all stored + runs created s | all acknowledged s | cases/s "
          "| submit p50 / p99 s | ack after burst start p50 / p99 s | CPU s / case |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.cases + args.duplicates:,} | {r['submitted_s']:.1f} | {r['all_acked_s']:.1f} "
          f"| {r['acked'] / r['all_acked_s']:.2f} "
          f"| {pct(r['submit_s'], 50):.2f} / {pct(r['submit_s'], 99):.2f} "
          f"| {pct(r['ack_latency'], 50):.0f} / {pct(r['ack_latency'], 99):.0f} "
          f"| {r['cpu'] / max(args.cases, 1):.2f} |")
    print(f"\ncases stored: {r['cases']} of {args.cases}; lost: {r['lost']}; acknowledged: "
          f"{r['acked']}; cases without exactly one acknowledgement: {r['acks_not_one']}")
    print(f"stored but their run not created within a minute of tries (server overloaded), "
          f"then rerun as operations would: {r['not_started']}")
    print(f"duplicates answered with another number or stored twice: "
          f"{r['duplicates_answered_wrong']}; noted on their case (run-form duplicates): "
          f"{r['duplicate_submissions_noted']}; runs Failed or Crashed: {r['runs_failed']}")
    ok = (r["lost"] == 0 and r["acked"] == args.cases and r["acks_not_one"] == 0
          and r["duplicates_answered_wrong"] == 0 and r["runs_failed"] == 0)
    print("none lost, duplicates collapsed" if ok else "FAILED: see the counts above")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
