"""Reports benchmark: the weekly figures, the monthly analysis and the penalty bulletin
over a store of N cases received over 24 months.

    .venv/bin/python bench/reports.py                  # 1,000,000 cases
    .venv/bin/python bench/reports.py --cases 100000   # a quick run
    COMPLAINTS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/reports.py              # SQLite, then PostgreSQL

Seeds, with executemany (SQLite) or COPY (PostgreSQL), N cases received evenly from
2024-12-01 to 2026-12-01 (Asia/Shanghai) with what the flows leave: 3 clocks a case
(acknowledge, close, and callback once closed), an event and a step each, a responsible
person per valid case, an action for 1 in 10 closed cases, an escalation for 1 in 10,
and volumes for every month and department. The SQLite file is kept in /tmp keyed by N
and SEED_VERSION, so later runs reuse it; PostgreSQL seeds a scratch schema, VACUUM
ANALYZEs it (the state autovacuum leaves) and drops it at the end. SQLite is not
ANALYZEd: the desk never runs ANALYZE, so the plans are the ones it gets.

Then, in a fresh child process per store (so seeding does not inflate its memory), each
report runs for the week 2026-11-23..29 and the month 2026-11: 3 timed runs (median
wall seconds), then one more under tracemalloc. Memory is the peak of Python
allocations during a run (tracemalloc) and the child's growth of peak RSS
(ru_maxrss after the runs minus before the first; it includes the database driver's
and SQLite's own C memory, which tracemalloc does not see). The bulletin is timed when
models/store/report_penalties.py exists. Goals (issue #13): <= 2 s, <= 200 MB each.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reports_seed import SEED_VERSION, seed  # noqa: E402

WEEK, MONTH = date(2026, 11, 23), date(2026, 11, 1)
# Not in the schema: measured with --proposed-indexes, to show what each would change.
PROPOSED = {"ix_clocks_name_met_at": "clocks (name, met_at, case_id)",
            "ix_clocks_name_due_outcome": "clocks (name, due_at, outcome)"}
GOAL_SECONDS, GOAL_MB = 2.0, 200.0
RUNS = 3


def reports() -> list[tuple[str, Any]]:
    """(name, run(session, policy)): each part, then each report as its flow computes it
    (the monthly report is the month's figures plus the analysis)."""
    from models.reports.periods import month_of, week_of
    from models.store.report_figures import weekly_figures
    from models.store.report_monthly import monthly_analysis

    week, month = week_of(WEEK, "Asia/Shanghai"), month_of(MONTH, "Asia/Shanghai")

    def weekly(s: Any, p: Any) -> Any:
        return weekly_figures(s, period=week, policy=p)

    def figures(s: Any, p: Any) -> Any:
        return weekly_figures(s, period=month, policy=p)

    def analysis(s: Any, p: Any) -> Any:
        return monthly_analysis(s, period=month, policy=p)

    parts = [("weekly figures", weekly), ("monthly figures", figures),
             ("monthly analysis", analysis)]
    try:
        from models.store.report_penalties import bulletin  # another helper writes it
    except ImportError:
        bulletin = None
    if bulletin is not None:
        parts.append(("penalty bulletin", lambda s, p: bulletin(s, period=week, policy=p)))
    return [*parts,
            ("= weekly report", lambda s, p: [run(s, p) for name, run in parts
                                              if name in ("weekly figures", "penalty bulletin")]),
            ("= monthly report", lambda s, p: (figures(s, p), analysis(s, p)))]


def measure(url: str) -> list[dict[str, Any]]:
    """In this (fresh) process: each report's median seconds and peak memory."""
    from models.policy import load_policy
    from models.store import transaction

    policy = load_policy(ROOT / "policy.yaml")
    with transaction(url) as session:  # connect and import before the baseline
        session.connection()
    results = []
    for name, report in reports():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        walls = []
        for _ in range(RUNS):
            started = time.perf_counter()
            with transaction(url) as session:
                report(session, policy)
            walls.append(time.perf_counter() - started)
        tracemalloc.start()
        with transaction(url) as session:
            report(session, policy)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
        results.append({"report": name, "median_s": statistics.median(walls),
                        "traced_mb": traced / 2**20, "rss_mb": grown / 1024})
    return results


def in_child(url: str) -> list[dict[str, Any]]:
    done = subprocess.run([sys.executable, __file__, "--measure", url], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


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


def proposed_indexes(url: str, *, create: bool) -> None:
    from sqlalchemy import text

    from models.store import engine_for

    with engine_for(url).begin() as conn:
        for name, on in PROPOSED.items():
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {on}" if create
                              else f"DROP INDEX IF EXISTS {name}"))
        if create and not url.startswith("sqlite"):
            conn.execute(text("ANALYZE clocks"))


def measured(kind: str, url: str, n: int, seeded: str, proposed: bool) -> None:
    for r in in_child(url):
        print(row(kind, n, seeded, r), flush=True)
    if not proposed:
        return
    proposed_indexes(url, create=True)
    try:
        for r in in_child(url):
            print(row(f"{kind} + proposed", n, seeded, r), flush=True)
    finally:
        proposed_indexes(url, create=False)


def row(kind: str, n: int, seeded: str, r: dict[str, Any]) -> str:
    time_ratio = r["median_s"] / GOAL_SECONDS
    memory_ratio = max(r["traced_mb"], r["rss_mb"]) / GOAL_MB
    met = "yes" if max(time_ratio, memory_ratio) <= 1 else "NO"
    return (f"| {kind} | {n:,} | {seeded} | {r['report']} | {r['median_s']:.3f} "
            f"| {r['traced_mb']:.1f} | {r['rss_mb']:.1f} | {time_ratio:.2f} "
            f"| {memory_ratio:.2f} | {met} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--proposed-indexes", action="store_true",
                        help="measure again with the indexes in PROPOSED (then drop them)")
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    postgres = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL", "")
    print(f"week {WEEK}..+6 d, month {MONTH:%Y-%m}; median of {RUNS} runs in a fresh "
          f"process; memory: tracemalloc peak / ru_maxrss growth; goals {GOAL_SECONDS:g} s, "
          f"{GOAL_MB:g} MB\n")
    print("| store | cases | seed s | report | median s | traced MB | RSS growth MB "
          "| time / goal | memory / goal | goals met |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---|")
    url = sqlite_url(args.cases)
    seconds = seed(url, args.cases)
    seeded = f"{seconds:.0f}" if seconds else "cached"
    measured("sqlite", url, args.cases, seeded, args.proposed_indexes)
    if not postgres:
        return
    schema, url = postgres_schema(postgres)
    try:
        seconds = seed(url, args.cases)
        measured("postgresql", url, args.cases, f"{seconds:.0f}", args.proposed_indexes)
    finally:
        drop_schema(postgres, schema)


if __name__ == "__main__":
    main()
