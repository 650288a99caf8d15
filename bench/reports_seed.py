"""The reports benchmark's store: N cases over 24 months, written in bulk.

Rows are made in chunks of CHUNK cases by a seeded random generator (the same store for
the same N), then written with executemany in one transaction per chunk (SQLite) or
COPY (PostgreSQL). See bench/reports.py for what the rows are.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from models.policy import load_policy
from models.settings import PROJECT_ROOT
from models.store import engine_for, migrate

SEED_VERSION = 1  # change when the rows change: the cached SQLite file is keyed by it
CHUNK = 50_000
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 12, 1, tzinfo=ZONE).timestamp()
END = datetime(2026, 12, 1, tzinfo=ZONE).timestamp()  # "now": later cases are open
HOUR, DAY = 3600.0, 86400.0
POLICY = load_policy(PROJECT_ROOT / "policy.yaml")
CATEGORIES = sorted(c.value for c in POLICY.routing)
PEOPLE = [f"Staff {i:03d}" for i in range(300)]
RUNGS = ["department_manager"] * 7 + ["general_manager"] * 2 + ["public_relations"]

COLUMNS = {
    "cases": "id number ref_seq status stage waiting_for round tier level department channel "
             "category language customer_name customer_phone customer_email subject "
             "claimed_loss intake received_at created_at updated_at closed_at close_kind "
             "failures taken_by signed_by validity unreasonable_type irrational follow_up "
             "tracker rejections callback_result satisfaction_score phone_key email_key "
             "repeat_of root_cause_dimension repeat_by_neglect",
    "clocks": "case_id name round started_at due_at met_at outcome paused_seconds open",
    "events": "case_id at actor kind step data",
    "steps": "case_id key stage status payload actor at",
    "escalations": "case_id clock rung reason at acknowledged_by",
    "responsibilities": "case_id person department at",
    "actions": "case_id kind what owner due_at check created_at flow_run_id checked_at "
               "checked_by done effective note",
}
Rows = dict[str, list[tuple[Any, ...]]]


def chunk(lo: int, hi: int, n: int, stamp: Callable[[float | None], Any]) -> Rows:
    """The rows of cases lo..hi-1 (ids lo+1..hi)."""
    rng = random.Random(lo)
    rows: Rows = {table: [] for table in COLUMNS}
    for i in range(lo, hi):
        _case(rng, i + 1, START + (i + rng.random()) * (END - START) / n, rows, stamp)
    return rows


def _case(rng: random.Random, cid: int, received: float, rows: Rows,
          stamp: Callable[[float | None], Any]) -> None:
    close = received + rng.uniform(HOUR, 20 * DAY)
    closed = close if rng.random() < 0.96 and close < END else None
    round_ = 2 if closed and rng.random() < 0.06 else 1
    category = rng.choice(CATEGORIES)
    department = POLICY.routing[category]  # type: ignore[index]
    validity = "" if not closed and rng.random() < 0.5 else (
        "invalid" if rng.random() < 0.1 else "valid")
    irrational = rng.choices(["", "first", "second"], [96, 3, 1])[0]
    follow = rng.choice(["watch", "monitor"]) if irrational else ""
    result = rng.choices(["satisfied", "dissatisfied", "not_reached"], [78, 14, 8])[0] \
        if closed else ""
    score = {"satisfied": rng.randint(4, 5), "dissatisfied": rng.randint(1, 3)}.get(result)
    repeat = f"B{cid - 7:07d}" if rng.random() < 0.06 else ""
    dimension = rng.choices(["people", "goods", "place", ""], [40, 35, 20, 5])[0] if closed else ""
    person = rng.choice(PEOPLE)
    r, c = stamp(received), stamp(closed)
    rows["cases"].append((
        cid, f"B{cid:07d}", 0, "closed" if closed else "open", "closed" if closed else "solution",
        "", round_, rng.choices("DCBA", [50, 30, 15, 5])[0], "general", department, "phone",
        category, "zh", "Bench Customer", "+8613800000000", "", "Benchmark case", 100, "{}",
        r, r, c or r, c, "resolved" if closed else "", 0, person, person, validity, "",
        irrational, follow, "", 0, result, score, "", "", repeat, dimension,
        int(bool(repeat) and rng.random() < 0.3)))
    _clocks(rng, cid, received, closed, round_, rows, stamp)
    rows["events"].append((cid, r, "bench", "received", "", '{"channel": "phone"}'))
    rows["steps"].append((cid, "handover", "handover", "answered", '{"signed": true}', person,
                          stamp(received + HOUR)))
    if validity == "valid":
        rows["responsibilities"].append((cid, rng.choice(PEOPLE), department,
                                         stamp(received + 2 * DAY)))
    if rng.random() < 0.1:
        rows["escalations"].append((cid, "close", rng.choice(RUNGS), "bench",
                                    stamp(received + 7 * DAY), ""))
    if closed and rng.random() < 0.1:
        due = closed + 14 * DAY
        checked = due + DAY if due + DAY < END and rng.random() < 0.7 else None
        done = int(rng.random() < 0.9) if checked else None
        rows["actions"].append((cid, "corrective", "Bench action", person, stamp(due), "check",
                                c, "", stamp(checked), "", done,
                                int(bool(done) and rng.random() < 0.8) if checked else None, ""))


def _clocks(rng: random.Random, cid: int, received: float, closed: float | None, round_: int,
            rows: Rows, stamp: Callable[[float | None], Any]) -> None:
    def clock(name: str, rnd: int, start: float, due: float, met: float | None,
              deferred: bool = False) -> None:
        outcome = ("deferred" if deferred else "met" if met <= due else "breached") \
            if met is not None else ("breached" if due < END else "")
        rows["clocks"].append((cid, name, rnd, stamp(start), stamp(due), stamp(met), outcome,
                               0, 0 if met is not None else 1))

    clock("acknowledge", 1, received, received + 2 * HOUR,
          received + rng.uniform(0, 3 * HOUR))
    clock("close", round_, received, received + 7 * DAY, closed,
          deferred=bool(closed) and rng.random() < 0.01)
    if closed:
        called = closed - 12 * HOUR
        clock("callback", round_, called, called + DAY, called + rng.uniform(HOUR, 30 * HOUR))


def seed(url: str, n: int) -> float:
    """Seconds spent seeding; 0 when a cached SQLite file already holds the N cases."""
    if url.startswith("sqlite"):
        if _cached(url, n):
            return 0.0
        _remove(url)  # a seed that did not finish
    started = time.perf_counter()
    migrate(url)
    raw = engine_for(url).raw_connection()
    try:
        writer = _sqlite_writer if url.startswith("sqlite") else _postgres_writer
        writer(raw, n)
    finally:
        raw.close()
    _volumes_and_stats(url)
    return time.perf_counter() - started


def _cached(url: str, n: int) -> bool:
    path = Path(url.split("///", 1)[1])
    if not path.exists():
        return False
    with engine_for(url).connect() as conn:
        try:
            return bool(conn.execute(text("SELECT count(*) FROM cases")).scalar() == n)
        except Exception:
            return False


def _remove(url: str) -> None:
    engine_for(url).dispose()
    path = Path(url.split("///", 1)[1])
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def _chunks(n: int, stamp: Callable[[float | None], Any]) -> Iterator[Rows]:
    for lo in range(0, n, CHUNK):
        yield chunk(lo, min(n, lo + CHUNK), n, stamp)


def _sqlite_stamp(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _postgres_stamp(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, UTC)


def _sqlite_writer(raw: Any, n: int) -> None:
    cursor = raw.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    for rows in _chunks(n, _sqlite_stamp):
        cursor.execute("BEGIN")
        for table, columns in COLUMNS.items():
            names = columns.split()
            quoted = ", ".join(f'"{c}"' for c in names)
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES "
                               f"({', '.join('?' for _ in names)})", rows[table])
        cursor.execute("COMMIT")


def _postgres_writer(raw: Any, n: int) -> None:
    conn = raw.driver_connection
    for rows in _chunks(n, _postgres_stamp):
        with conn.cursor() as cursor:
            for table, columns in COLUMNS.items():
                names = ", ".join(f'"{c}"' for c in columns.split())
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)
        conn.commit()


def _volumes_and_stats(url: str) -> None:
    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)
              if "2024-12" <= f"{y}-{m:02d}" <= "2026-11"]
    rng = random.Random(0)
    values = [{"m": m, "d": d, "v": rng.randint(20_000, 200_000)}
              for m in months for d in POLICY.departments]
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO volumes (month, department, volume, source, updated_by, "
                          "updated_at) VALUES (:m, :d, :v, 'csv', 'bench', CURRENT_TIMESTAMP)"),
                     values)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                              "(SELECT max(id) FROM cases))"))
            conn.execute(text("VACUUM ANALYZE"))
