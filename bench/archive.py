"""Archive benchmark: the monthly two-year retention run over N closed cases.

    .venv/bin/python bench/archive.py [--cases 100000] [--postgres URL]

Seeds N cases closed between 2023-06 and 2024-05 (all older than two years on the run's
date, 2026-11-26), each with 4 events, 3 stage answers (the customer's words in them),
2 clocks, an escalation, a responsible person, an action and an outbox message, then
times `archive_closed_cases` (export, read back, scrub) in a process of its own, so its
peak memory is the archive's alone. Seeding ends as two years of use would leave the
store (PostgreSQL vacuumed and analysed, SQLite's log checkpointed). PostgreSQL runs in
a scratch schema dropped after (--postgres, or COMPLAINTS_TEST_POSTGRES_URL).
Goal (issue #13): 100,000 cases <= 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.policy import load_policy  # noqa: E402
from models.store import engine_for, migrate, transaction  # noqa: E402
from models.store.db import (  # noqa: E402
    ActionRow,
    CaseRow,
    ClockRow,
    EscalationRow,
    EventRow,
    OutboxRow,
    ResponsibilityRow,
    StepRow,
)

POLICY = load_policy(ROOT / "policy.yaml")
NOW = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)  # the 1st-of-month run's moment, roughly
FIRST_CLOSE = datetime(2023, 6, 1, tzinfo=UTC)
SPAN = timedelta(days=365)
GOAL_S = 60.0
WORDS = "客户周敏说冰箱压缩机日夜嗡嗡作响，订单号 88-1234，住在长宁路5号。" * 3


def seed(url: str, n: int) -> float:
    started = time.perf_counter()
    with engine_for(url).begin() as conn:
        for lo in range(0, n, 5_000):
            ids = range(lo + 1, min(n, lo + 5_000) + 1)
            conn.execute(insert(CaseRow), [_case(i, n) for i in ids])
            for table, rows in _children(ids, n).items():
                conn.execute(insert(table), rows)
    settle(url)
    return time.perf_counter() - started


def settle(url: str) -> None:
    """The store as two years of use leave it, not as a bulk load does: PostgreSQL
    vacuumed and analysed (autovacuum's work), SQLite's write-ahead log checkpointed."""
    engine = engine_for(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()  # SQLite checkpoints its log when the last connection closes


def _closed(i: int, n: int) -> datetime:
    return FIRST_CLOSE + SPAN * (i / n)


def _case(i: int, n: int) -> dict[str, Any]:
    closed = _closed(i, n)
    received = closed - timedelta(days=6)
    return {"id": i, "number": f"A-{i:07d}", "status": "closed", "stage": "review",
            "tier": "BCDA"[i % 4], "level": "general", "department": "technical",
            "channel": "phone", "category": ("product_defect", "repair_cost")[i % 2],
            "language": "zh", "customer_name": "周敏", "customer_phone": "+8613812345678",
            "customer_email": "zhou@example.com", "subject": "冰箱压缩机噪音",
            "claimed_loss": 100, "intake": {"channel": "phone", "description": WORDS,
                                            "customer": {"name": "周敏", "language": "zh"}},
            "judgment": {"tier": "B", "reasons": ["customer's emotion strong: tier B"]},
            "received_at": received, "created_at": received, "updated_at": closed,
            "closed_at": closed, "close_kind": "first", "validity": "valid",
            "callback_result": "satisfied", "satisfaction_score": 4, "phone_key": f"k{i}"}


def _children(ids: range, n: int) -> dict[Any, list[dict[str, Any]]]:
    rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in (
        EventRow, StepRow, ClockRow, EscalationRow, ResponsibilityRow, ActionRow, OutboxRow)}
    for i in ids:
        at = _closed(i, n)
        for kind, data in (("received", {"channel": "phone"}), ("judged", {"tier": "B"}),
                           ("solution_rejected", {"reason": WORDS, "rejections": 1}),
                           ("closed", {"close_kind": "first"})):
            rows[EventRow].append({"case_id": i, "at": at, "actor": "李明", "kind": kind,
                                   "step": "", "data": data})
        for key, payload in (("investigation", {"facts": WORDS, "validity": "valid"}),
                             ("callback-1", {"customer_feedback": WORDS, "score": 4}),
                             ("review", {"root_cause": WORDS, "method": "five_whys"})):
            rows[StepRow].append({"case_id": i, "key": key, "stage": key.split("-")[0],
                                  "status": "answered", "payload": payload, "actor": "李明",
                                  "at": at})
        for name in ("handover", "close"):
            rows[ClockRow].append({"case_id": i, "name": name, "round": 1, "started_at": at,
                                   "due_at": at, "met_at": at, "outcome": "met", "open": 0})
        rows[EscalationRow].append({"case_id": i, "clock": "handover-1", "rung": "warn-50",
                                    "reason": "half the handover time used", "at": at})
        rows[ResponsibilityRow].append({"case_id": i, "person": "李明",
                                        "department": "technical", "at": at})
        rows[ActionRow].append({"case_id": i, "kind": "corrective", "what": WORDS,
                                "owner": "李明", "due_at": at, "check": "抽查", "created_at": at})
        rows[OutboxRow].append({"case_id": i, "purpose": "acknowledgement", "role": "customer",
                                "address_email": "zhou@example.com", "subject": "周敏您好",
                                "html": f"<p>{WORDS}</p>", "text": WORDS, "status": "sent",
                                "created_at": at})
    return rows


def timed_run(url: str, data_dir: str, dry_run: bool) -> dict[str, Any]:
    """One archive run in this process: wall seconds, CPU seconds (this process and, on
    a local PostgreSQL, the server process of its connection), resident memory before it
    and at its peak (MB; the peak includes the imports, loaded before it starts), and
    the machine's 1-minute load average at its end (other work slows the wall time)."""
    from tasks.archive import archive_closed_cases

    before, server = _status_mb("VmRSS"), _server_cpu(url)
    started, cpu = time.perf_counter(), time.process_time()
    result = archive_closed_cases(store_url=url, data_dir=Path(data_dir), policy=POLICY,
                                  now=NOW, dry_run=dry_run)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_s": cpu, "server_cpu_s": _server_cpu(url) - server,
            "cases": result.cases, "files": len(result.files), "rss_before_mb": before,
            "peak_mb": _status_mb("VmHWM"), "load": os.getloadavg()[0]}


def _server_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL process serving the pooled connection (the archive
    uses one at a time, so the pool's one); 0 on SQLite, nan if it is not readable."""
    if not url.startswith("postgresql"):
        return 0.0
    with engine_for(url).connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def in_child(url: str, data_dir: Path, dry_run: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", url, str(data_dir)] + (
        ["--dry-run"] if dry_run else [])
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def bench(kind: str, url: str, n: int, tmp: Path) -> None:
    migrate(url)
    seed_s = seed(url, n)
    data = tmp / f"data-{kind}"
    dry = in_child(url, data, dry_run=True)
    real = in_child(url, data, dry_run=False)
    with transaction(url) as session:
        archived = session.scalar(select(func.count()).where(CaseRow.archived_at.is_not(None)))
    size = sum(p.stat().st_size for p in data.rglob("*.jsonl.gz")) / 1e6
    print(f"| {kind} | {real['cases']:,} | {seed_s:.1f} | {dry['seconds']:.1f} "
          f"| {real['seconds']:.1f} | {real['cpu_s']:.1f} + {real['server_cpu_s']:.1f} "
          f"| {real['cases'] / real['seconds']:,.0f} "
          f"| {real['rss_before_mb']:.0f} / {real['peak_mb']:.0f} | {real['files']} "
          f"| {size:.1f} | {archived:,} | {real['load']:.1f} "
          f"| {real['seconds'] / GOAL_S:.2f} |", flush=True)


def scratch(postgres: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with engine_for(postgres).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres else "?"
    return f"{postgres}{sep}options=-csearch_path%3D{schema}", schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("COMPLAINTS_TEST_POSTGRES_URL", ""))
    parser.add_argument("--child", nargs=2, metavar=("URL", "DATA_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(timed_run(*args.child, dry_run=args.dry_run)))
        return
    print(f"archive run at {NOW.date()}: cases closed {FIRST_CLOSE.date()} .. "
          f"{(FIRST_CLOSE + SPAN).date()}, batches of 1,000; peak memory = RSS of the "
          "archive's own process\n")
    print("| store | cases | seed s | dry run s | archive s | CPU s archive + server | cases/s "
          "| RSS MB at start / peak | files | archive MB | archived in store | load avg "
          "| s / 60 s goal |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    tmp = Path(tempfile.mkdtemp(prefix="bench-archive-"))  # a store and archive: ~1 GB
    try:
        bench("sqlite", f"sqlite:///{tmp}/cases.db", args.cases, tmp)
        if args.postgres:
            url, schema = scratch(args.postgres)
            try:
                bench("postgresql", url, args.cases, tmp)
            finally:
                engine_for(url).dispose()
                with engine_for(args.postgres).begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
