"""Reports benchmark: the weekly and monthly report, the penalty bulletin and the daily
early warnings over a store of N cases received over 24 months, and the report's files.

    .venv/bin/python bench/reports.py                  # 1,000,000 cases, SQLite
    .venv/bin/python bench/reports.py --cases 100000   # a quick run
    COMPLAINTS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/reports.py              # SQLite, then PostgreSQL

The store is bench/reports_seed.py's (its docstring says what a case gets). The SQLite
file is kept in /tmp keyed by N and SEED_VERSION, so later runs reuse it; PostgreSQL
seeds a scratch schema, VACUUM ANALYZEs it (the state autovacuum leaves) and drops it
at the end. SQLite is not ANALYZEd: the desk never runs ANALYZE, so the plans are the
ones it gets.

Each row runs in a fresh child process (imports and the first connection before the
baseline), for the week 2026-10-26..11-01, the month 2026-10 and the day 2026-11-05:
3 timed runs (median wall seconds), then one more under tracemalloc. Memory is the peak
of Python allocations in that run (tracemalloc), the child's growth of peak RSS
(VmHWM after the runs minus before the first: the driver's and SQLite's own C
memory too, not the PostgreSQL server's) and the child's peak RSS, interpreter and
libraries included (Prefect is not imported), which the memory ratio uses. CPU is the
child's own (for PostgreSQL the server's work is not in it); the machine is shared, so
each row also shows the 1-minute load average. The rows (ROWS): each part, then the
reports as tasks/reports.py build_report computes them: "= weekly report" is the week's
figures, the stored warnings and the bulletin; "= monthly report" the month's figures,
the warnings and the analysis (no bulletin: the monthly run issues none; "penalty
bulletin, month" is what a weekly run asked for a whole month would add); "render ..."
is notifications.report_files.write_report of that report into a fresh folder, the
report built before the baseline (its max is the first run, which also imports openpyxl
and loads the fonts, as a fresh flow-run process does). Goals (issue #13): <= 2 s and
<= 200 MB per report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reports_seed import SEED_VERSION, seed  # noqa: E402

# As run on Friday 2026-11-06 (the seed's "now"): last week, which ends October and so
# issues its department penalties; the month before; yesterday's warnings.
WEEK, MONTH, DAY = date(2026, 10, 26), date(2026, 10, 1), date(2026, 11, 5)
ZONE = "Asia/Shanghai"  # policy.yaml's calendar.timezone, which the seed uses too
GOAL_SECONDS, GOAL_MB = 2.0, 200.0
RUNS = 3
ROWS = ("weekly figures", "penalty bulletin", "= weekly report", "monthly figures",
        "monthly analysis", "= monthly report", "penalty bulletin, month", "early warnings",
        "render weekly report", "render monthly report")
Run = Callable[[Any, Any], Any]


def build(kind: str, session: Any, policy: Any) -> Any:
    """The Report of the benchmark's week or month, as tasks/reports.py builds it."""
    from sqlalchemy import select

    from models.reports.model import Report
    from models.reports.periods import bounds, month_of, week_of
    from models.store.db import WarningRow
    from models.store.report_figures import weekly_figures
    from models.store.report_monthly import monthly_analysis
    from models.store.report_penalties import bulletin

    period = week_of(WEEK, ZONE) if kind == "weekly" else month_of(MONTH, ZONE)
    start, end = bounds(period)
    warnings = list(session.scalars(select(WarningRow.data).where(
        WarningRow.raised_at >= start, WarningRow.raised_at < end).order_by(WarningRow.id)))
    figures = weekly_figures(session, period=period, policy=policy)
    return Report(
        period=period, generated_at=datetime(2026, 11, 6, 9, tzinfo=UTC), figures=figures,
        bulletin=bulletin(session, period=period, policy=policy) if kind == "weekly" else None,
        monthly=monthly_analysis(session, period=period, policy=policy)
        if kind == "monthly" else None, warnings=warnings, language=policy.staff_language)


def query(name: str) -> Run:
    """The database work of a row: run(session, policy)."""
    from models.reports.periods import month_of, week_of
    from models.store.report_figures import weekly_figures
    from models.store.report_monthly import monthly_analysis
    from models.store.report_penalties import bulletin
    from models.store.report_warnings import early_warnings

    week, month = week_of(WEEK, ZONE), month_of(MONTH, ZONE)
    return {
        "weekly figures": lambda s, p: weekly_figures(s, period=week, policy=p),
        "penalty bulletin": lambda s, p: bulletin(s, period=week, policy=p),
        "= weekly report": lambda s, p: build("weekly", s, p),
        "monthly figures": lambda s, p: weekly_figures(s, period=month, policy=p),
        "monthly analysis": lambda s, p: monthly_analysis(s, period=month, policy=p),
        "= monthly report": lambda s, p: build("monthly", s, p),
        "penalty bulletin, month": lambda s, p: bulletin(s, period=month, policy=p),
        "early warnings": lambda s, p: early_warnings(s, day=DAY, policy=p),
    }[name]


def measure(url: str, name: str) -> dict[str, Any]:
    """In this (fresh) process: one row's median seconds and peak memory."""
    from models.policy import load_policy
    from models.store import transaction

    policy = load_policy(ROOT / "policy.yaml")
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-files-"))
    with transaction(url) as session:  # connect and import before the baseline
        session.connection()
        once = _renderer(build(name.split()[1], session, policy), folder) \
            if name.startswith("render") else _in_transaction(url, query(name), policy)
    before = peak_rss_kib()
    walls, cpus = [], []
    for _ in range(RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        once()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    once()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = peak_rss_kib()
    shutil.rmtree(folder)
    return {"report": name, "median_s": statistics.median(walls), "max_s": max(walls),
            "cpu_s": statistics.median(cpus), "traced_mb": traced / 2**20,
            "rss_mb": (peak - before) / 1024, "peak_mb": peak / 1024,
            "load": os.getloadavg()[0]}


def peak_rss_kib() -> int:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork
    and exec, so a child would start at its parent's peak (the seeding's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def _in_transaction(url: str, run: Run, policy: Any) -> Callable[[], Any]:
    from models.store import transaction

    def once() -> Any:
        with transaction(url) as session:
            return run(session, policy)
    return once


def _renderer(report: Any, folder: Path) -> Callable[[], Any]:
    from notifications.report_files import write_report

    runs = iter(range(RUNS + 1))
    return lambda: write_report(report, folder / str(next(runs)))


def in_child(url: str, name: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--measure", url, "--row", name],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{name}: the child failed\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def sqlite_url(n: int) -> str:
    return f"sqlite:////tmp/bench-reports-{n}-v{SEED_VERSION}.db"


def postgres_schema(base: str) -> tuple[str, str]:
    from sqlalchemy import text

    from models.store import engine_for

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with engine_for(base).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options=-csearch_path%3D{schema}"


def drop_schema(base: str, schema: str) -> None:
    from sqlalchemy import text

    from models.store import engine_for

    with engine_for(base).begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def measured(kind: str, url: str, n: int, seeded: str, rows: list[str]) -> None:
    print(f"<!-- {kind}: {server(url)}; load average {load()} before -->", flush=True)
    for name in rows:
        print(row(kind, n, seeded, in_child(url, name)), flush=True)
    print(f"<!-- {kind}: load average {load()} after -->", flush=True)


def server(url: str) -> str:
    from sqlalchemy import text

    from models.store import engine_for

    with engine_for(url).connect() as conn:
        if url.startswith("sqlite"):
            return "SQLite " + str(conn.execute(text("SELECT sqlite_version()")).scalar())
        return str(conn.execute(text("SHOW server_version")).scalar()).join(("PostgreSQL ", ""))


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def row(kind: str, n: int, seeded: str, r: dict[str, Any]) -> str:
    time_ratio = r["median_s"] / GOAL_SECONDS
    memory_ratio = r["peak_mb"] / GOAL_MB
    met = "yes" if max(time_ratio, memory_ratio) <= 1 else "NO"
    return (f"| {kind} | {n:,} | {seeded} | {r['report']} | {r['median_s']:.3f} "
            f"| {r['max_s']:.3f} | {r['cpu_s']:.3f} | {r['traced_mb']:.1f} | {r['rss_mb']:.1f} "
            f"| {r['peak_mb']:.0f} | {time_ratio:.2f} | {memory_ratio:.2f} | {met} "
            f"| {r['load']:.2f} |")


def header(args: argparse.Namespace) -> None:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"<!-- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, "
          f"{memory:.0f} GiB; Python {platform.python_version()}; "
          f"bench/reports.py --cases {args.cases} -->")
    print(f"week {WEEK}..+6 d, month {MONTH:%Y-%m}, warnings for {DAY}; median and max wall "
          f"of {RUNS} runs, each row in a fresh process; CPU: this process's (not the "
          f"PostgreSQL server's); memory: tracemalloc peak, peak RSS growth, the process's "
          f"peak RSS (the memory ratio); goals {GOAL_SECONDS:g} s, {GOAL_MB:g} MB\n")
    print("| store | cases | seed s | report | median s | max s | CPU s | traced MB "
          "| RSS growth MB | peak RSS MB | time / goal | memory / goal | goals met | load 1 min |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--only", default="", help="the rows whose name contains this")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)
    parser.add_argument("--row", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.row)))
        return
    rows = [name for name in ROWS if args.only in name]
    postgres = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL", "")
    header(args)
    if not args.no_sqlite:
        url = sqlite_url(args.cases)
        seconds = seed(url, args.cases)
        measured("sqlite", url, args.cases, f"{seconds:.0f}" if seconds else "cached", rows)
    if not postgres:
        return
    schema, url = postgres_schema(postgres)
    try:
        seconds = seed(url, args.cases)
        measured("postgresql", url, args.cases, f"{seconds:.0f}", rows)
    finally:
        drop_schema(postgres, schema)


if __name__ == "__main__":
    main()
