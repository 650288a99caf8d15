"""Watchdog benchmark: sweep cost and breach-to-outbox latency with N open cases.

    .venv/bin/python bench/watchdog.py --cases 10000 100000 [--postgres URL] [--minutes 10]

Seeds N open tier-B cases whose close clocks fall due spread evenly over the next 24 h,
each clock planned as the watchdog leaves it (next check at its next rung). Then it
replays `--minutes` of the default schedule (a sweep every policy.watchdog.sweep_every
seconds) on a simulated clock, timing every real sweep. A breach's latency is how long
after its due time the escalation row and its outbox message are committed:
(sweep start - due) + that sweep's wall time. Goal: p99 <= 60 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.policy import load_policy  # noqa: E402
from models.settings import PROJECT_ROOT  # noqa: E402
from models.store import engine_for, migrate, transaction  # noqa: E402
from models.store.db import CaseRow, ClockRow, EscalationRow  # noqa: E402
from tasks.watchdog import sweep  # noqa: E402

POLICY = load_policy(PROJECT_ROOT / "policy.yaml")
T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def seed(url: str, n: int) -> float:
    started = time.perf_counter()
    engine = engine_for(url)
    step = DAY / n
    for lo in range(0, n, 20_000):
        hi = min(n, lo + 20_000)
        with engine.begin() as conn:
            conn.execute(insert(CaseRow), [_case(i) for i in range(lo, hi)])
            ids = dict(conn.execute(select(CaseRow.number, CaseRow.id).where(
                CaseRow.number.in_([f"B-{i:07d}" for i in range(lo, hi)]))).all())
            clocks = []
            for i in range(lo, hi):
                due = T0 + step * (i + 1)
                start = due - DAY
                first_rung = start + DAY * 0.5
                clocks.append({"case_id": ids[f"B-{i:07d}"], "name": "close", "round": 1,
                               "started_at": start, "due_at": due, "outcome": "",
                               "paused_seconds": 0, "open": 1,
                               "next_check_at": first_rung if first_rung > T0 else due})
            conn.execute(insert(ClockRow), clocks)
    return time.perf_counter() - started


def _case(i: int) -> dict[str, object]:
    return {"number": f"B-{i:07d}", "status": "open", "stage": "investigation",
            "waiting_for": "investigation", "round": 1, "tier": "B", "level": "intermediate",
            "department": "technical", "channel": "web", "category": "product_defect",
            "language": "zh", "customer_name": "Bench", "customer_phone": "+8613800000000",
            "customer_email": "", "subject": "Benchmark case", "claimed_loss": 100,
            "intake": {}, "received_at": T0 - DAY, "created_at": T0 - DAY,
            "updated_at": T0 - DAY, "close_kind": "", "failures": 0}


def run(url: str, n: int, minutes: float) -> dict[str, float]:
    migrate(url)
    seconds = seed(url, n)
    every = POLICY.watchdog.sweep_every_seconds
    walls: dict[datetime, float] = {}
    now = T0
    empty = _timed(url, T0 - timedelta(hours=1))  # nothing due: the index alone
    while now <= T0 + timedelta(minutes=minutes):
        walls[now] = _timed(url, now)
        now += timedelta(seconds=every)
    with transaction(url) as session:
        rows = session.execute(select(EscalationRow.at, ClockRow.due_at).join(
            ClockRow, ClockRow.case_id == EscalationRow.case_id).where(
            EscalationRow.rung == "department_manager")).all()
    latency = sorted((at - due).total_seconds() + walls[at] for at, due in rows)
    sweeps = sorted(walls.values())
    return {"cases": n, "seed_s": seconds, "empty_ms": empty * 1000,
            "sweep_p50_ms": _pct(sweeps, 50) * 1000, "sweep_p99_ms": _pct(sweeps, 99) * 1000,
            "breaches": len(latency), "lat_p50_s": _pct(latency, 50),
            "lat_p99_s": _pct(latency, 99)}


def _timed(url: str, now: datetime) -> float:
    started = time.perf_counter()
    sweep(store_url=url, policy=POLICY, now=now)
    return time.perf_counter() - started


def _pct(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def store(kind: str, postgres: str, n: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/cases-{n}.db"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with engine_for(postgres).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres else "?"
    return f"{postgres}{sep}options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--postgres", default="", help="also run on this PostgreSQL URL")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    print(f"sweep every {POLICY.watchdog.sweep_every_seconds:g} s, {args.minutes:g} simulated "
          "minutes; latency = breach due -> escalation and outbox row committed\n")
    print("| store | open cases | seed s | empty sweep ms | sweep p50 ms | sweep p99 ms "
          "| breaches | latency p50 s | latency p99 s | p99 / 60 s goal |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        for n in args.cases:
            r = run(store(kind, args.postgres, n), n, args.minutes)
            print(f"| {kind} | {n:,} | {r['seed_s']:.1f} | {r['empty_ms']:.1f} "
                  f"| {r['sweep_p50_ms']:.1f} | {r['sweep_p99_ms']:.1f} | {r['breaches']:,} "
                  f"| {r['lat_p50_s']:.1f} | {r['lat_p99_s']:.1f} "
                  f"| {r['lat_p99_s'] / 60:.2f} |", flush=True)


if __name__ == "__main__":
    main()
