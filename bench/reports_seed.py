"""The reports benchmark's store: N cases over 24 months, written in bulk.

Rows come in chunks of CHUNK cases from a seeded random generator (the same store for
the same N), written with executemany, one transaction a chunk (SQLite), or COPY
(PostgreSQL). Proportions per case (most cases are fine; a few percent are late):
- received evenly over the 24 months to "now", Friday 2026-11-06 17:00 Asia/Shanghai;
  category by weight (repair quality 16 %, false advertising 4 %), department by
  policy.routing; taken by one of 120 service-centre agents. Judged at investigation
  (2-48 h): 8 % invalid (tier D), else A 3 %, B 17 %, C 80 %; irrational first 3 %,
  second 1 % (their close is deferred), each watch or monitor.
- clocks, with policy.yaml's limits per tier (same business day taken as 9 h), met at an
  exponential share of the budget (mean 25 %) when on time: acknowledge 3 % late
  (mean 8 h, so some by days), handover 5 %, first reply 6 %; close (the department's
  request) 4 % late (mean 2 d) and 0.2 % stuck 1-7 months; callback from the request,
  5 % late: satisfied 80 % (score 4-5), dissatisfied 12 % (1-3), not reached 8 %. 30 %
  of the dissatisfied reopen: round-2 close and callback, the latest result kept.
  Escalations as the watchdog leaves them: warn-50 / warn-75 passed before the clock
  stopped, department manager at a breach, general manager at once for tier A and an
  hour later for 30 % of the others (not acknowledged) while the clock still runs.
- closed 2 h-3 d after the last callback (review); later than "now": still open.
- responsible persons for 40 % of the valid cases (10 % of them two), at investigation,
  from a staff of 25,000 split by the departments' share of cases (a few percent reach
  three in a month); root cause people for those, else goods / place / none.
- repeat_of 4 %, a quarter of those by neglect; an action for each valid closed A/B
  case and 30 % of the C, due 14 d after closing, checked when due (90 % done, 80 % of
  those effective); one event and one step (no report reads them).
- volumes for every department and month: the month's complaint rate 0.70-1.10 %.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from models.policy import load_policy
from models.settings import PROJECT_ROOT
from models.store import engine_for, migrate
from models.store.db import VolumeRow, WarningRow

SEED_VERSION = 2  # change when the rows or the schema change: the SQLite cache is keyed by it
CHUNK = 20_000
ZONE = ZoneInfo("Asia/Shanghai")
# "Now" is the Friday weekly run of 2026-11-06 17:00: later events have not happened yet.
START = datetime(2024, 11, 6, 17, tzinfo=ZONE).timestamp()
END = datetime(2026, 11, 6, 17, tzinfo=ZONE).timestamp()
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
POLICY = load_policy(PROJECT_ROOT / "policy.yaml")
WEIGHTS = {"product_defect": 12, "repair_quality": 16, "repair_cost": 8, "service_attitude": 14,
           "after_sales": 12, "purchase": 8, "delivery_delay": 10, "false_advertising": 4,
           "parts": 10, "other": 6}
ROUTED = {str(c): d for c, d in POLICY.routing.items()}
SHARE = {d: sum(w for c, w in WEIGHTS.items() if ROUTED[c] == d) / 100 for d in POLICY.departments}
STAFF = {d: [f"{d}-{k:05d}" for k in range(round(25_000 * s))] for d, s in SHARE.items()}
AGENTS = [f"Agent {k:03d}" for k in range(120)]
VALID = 0.92
# Hours: acknowledge, handover, first_reply, close, callback (policy.yaml's tiers).
LIMITS = {"A": (0.5, 0.5, 3, 8, 12), "B": (1, 1, 8, 24, 12), "C": (1, 4, 9, 48, 24),
          "D": (1, 4, 9, 48, 24)}
LEVELS = {"A": "strong", "B": "intermediate", "C": "general", "D": "irrational"}
RESULTS = (("satisfied", 80), ("dissatisfied", 12), ("not_reached", 8))
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
Stamp = Callable[[float | None], Any]


class Case:
    """One case's rows as they are made: the case's fields, then its clocks' outcomes."""

    def __init__(self, rng: random.Random, cid: int, received: float, rows: Rows,
                 stamp: Stamp) -> None:
        self.rng, self.cid, self.received, self.rows, self.stamp = rng, cid, received, rows, stamp
        self.category = rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
        self.department = ROUTED[self.category]
        self.invalid = rng.random() > VALID
        self.tier = "D" if self.invalid else rng.choices("ABC", [3, 17, 80])[0]
        self.irrational = rng.choices(["", "first", "second"], [96, 3, 1])[0]
        self.judged = received + rng.uniform(2 * HOUR, 2 * DAY)  # investigation
        self.first_time = False
        self.round, self.result = 1, ""
        self.score: int | None = None
        self.requested: float | None = None  # the last round's close request
        self.closed: float | None = None

    def clock(self, name: str, rnd: int, start: float, due: float, met: float | None,
              deferred: bool = False) -> float | None:
        met = met if met is not None and met < END else None
        outcome = (("deferred" if deferred else "met" if met <= due else "breached")
                   if met is not None else "breached" if due < END else "")
        s = self.stamp
        self.rows["clocks"].append((self.cid, name, rnd, s(start), s(due), s(met), outcome,
                                    0, int(met is None)))
        stopped = END if met is None else met
        rungs = [(r, start + (due - start) * f) for r, f in (("warn-50", .5), ("warn-75", .75))]
        if outcome == "breached":
            late = self.tier == "A" or self.rng.random() < 0.3
            rungs += [("department_manager", due)] + (
                [("general_manager", due + (0 if self.tier == "A" else HOUR))] if late else [])
        self.rows["escalations"].extend(
            (self.cid, f"{name}-{rnd}", rung, "bench", s(at), "") for rung, at in rungs
            if at < stopped)
        return met


def met_at(rng: random.Random, start: float, budget: float, late: float, mean: float) -> float:
    """On time at an exponential share of the budget, or late by an exponential time."""
    if rng.random() < late:
        return start + budget + MINUTE + rng.expovariate(1 / mean)
    return start + budget * min(0.95, rng.expovariate(4))


def close_request(rng: random.Random, start: float, budget: float) -> float:
    """The department's close request: 0.2 % stuck for months, else 4 % late."""
    chance = rng.random()
    if chance < 0.002:
        return start + budget + rng.uniform(30, 210) * DAY
    return met_at(rng, start, budget, 0.04 / 0.998, 2 * DAY)


def _clocks(c: Case) -> None:
    rng, r = c.rng, c.received
    ack, handover, reply, close, callback = (h * HOUR for h in LIMITS[c.tier])
    c.clock("acknowledge", 1, r, r + ack, met_at(rng, r, ack, 0.03, 8 * HOUR))
    c.clock("handover", 1, r, r + handover, met_at(rng, r, handover, 0.05, 2 * HOUR))
    c.clock("first_reply", 1, r, r + reply, met_at(rng, r, reply, 0.06, 6 * HOUR))
    deferred = c.irrational == "second"
    start = r + close * rng.uniform(0.5, 0.9) if deferred else close_request(rng, r, close)
    c.requested = c.clock("close", 1, r, r + close, start, deferred)
    c.first_time = c.requested is not None and c.requested <= r + close
    while c.requested is not None:
        called = c.clock("callback", c.round, c.requested, c.requested + callback,
                         met_at(rng, c.requested, callback, 0.05, 6 * HOUR))
        if called is None:
            return
        c.result = rng.choices([k for k, _ in RESULTS], [w for _, w in RESULTS])[0]
        c.score = {"satisfied": rng.randint(4, 5), "dissatisfied": rng.randint(1, 3)}.get(c.result)
        if c.result != "dissatisfied" or c.round == 2 or rng.random() >= 0.3:
            closed = called + rng.uniform(2 * HOUR, 3 * DAY)
            c.closed = closed if closed < END else None
            return
        c.round, again = 2, called + rng.uniform(HOUR, DAY)
        c.requested = c.clock("close", 2, again, again + close, close_request(rng, again, close))


def chunk(lo: int, hi: int, n: int, stamp: Stamp) -> Rows:
    """The rows of cases lo..hi-1 (ids lo+1..hi)."""
    rng = random.Random(lo)
    rows: Rows = {table: [] for table in COLUMNS}
    for i in range(lo, hi):
        c = Case(rng, i + 1, START + (i + rng.random()) * (END - START) / n, rows, stamp)
        _clocks(c)
        _case_row(c, _people(c))
        _actions(c)
    return rows


def _people(c: Case) -> str:
    """Responsible persons (at investigation) and the root cause found at review."""
    rng = c.rng
    named = not c.invalid and rng.random() < 0.4
    if named and c.judged < END:
        staff = STAFF[c.department]
        for person in {rng.choice(staff) for _ in range(1 if rng.random() < 0.9 else 2)}:
            c.rows["responsibilities"].append((c.cid, person, c.department, c.stamp(c.judged)))
    if c.closed is None:
        return ""
    return "people" if named else rng.choices(["goods", "place", ""], [55, 35, 10])[0]


def _case_row(c: Case, dimension: str) -> None:
    rng, s, r, closed = c.rng, c.stamp, c.received, c.closed
    validity = ("invalid" if c.invalid else "valid") if c.judged < END else ""
    repeat = f"B{max(1, c.cid - rng.randint(50, 20_000)):07d}" if rng.random() < 0.04 else ""
    stage = "closed" if closed else "review" if c.result else "callback" if c.requested \
        else "execution"
    agent = rng.choice(AGENTS)
    level = "irrational" if c.irrational else LEVELS[c.tier]
    kind = "" if closed is None else "first_time" if c.round == 1 and c.first_time else "second"
    c.rows["cases"].append((
        c.cid, f"B{c.cid:07d}", 0, "closed" if closed else "open", stage, "", c.round, c.tier,
        level, c.department, "phone", c.category, "zh", "Bench Customer", "+8613800000000",
        "", "Benchmark case", 100, "{}", s(r), s(r), s(closed or r), s(closed), kind, 0,
        agent, agent, validity, "", c.irrational,
        rng.choice(["watch", "monitor"]) if c.irrational else "", "", 0, c.result, c.score,
        "", "", repeat, dimension, int(bool(repeat) and bool(closed) and rng.random() < 0.25)))
    c.rows["events"].append((c.cid, s(r), "bench", "received", "", '{"channel": "phone"}'))
    c.rows["steps"].append((c.cid, "handover", "handover", "answered", '{"signed": true}',
                            agent, s(r + HOUR)))


def _actions(c: Case) -> None:
    rng, closed = c.rng, c.closed
    if closed is None or c.invalid or (c.tier == "C" and rng.random() >= 0.3):
        return
    due = closed + 14 * DAY
    checked = due + rng.uniform(0, 3 * DAY)
    if checked >= END:
        checked_at, done, effective = None, None, None
    else:
        done = int(rng.random() < 0.9)
        checked_at, effective = checked, int(bool(done) and rng.random() < 0.8)
    c.rows["actions"].append((c.cid, "corrective", "Bench action", rng.choice(STAFF[c.department]),
                              c.stamp(due), "check", c.stamp(closed), "", c.stamp(checked_at),
                              "bench" if checked_at else "", done, effective, ""))


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
    _volumes_warnings_stats(url, n)
    return time.perf_counter() - started


def _cached(url: str, n: int) -> bool:
    path = Path(url.split("///", 1)[1])
    if not path.exists():
        return False
    with engine_for(url).connect() as conn:
        try:  # the volumes are written last: a file that has them is complete
            return bool(conn.execute(text("SELECT count(*) FROM cases")).scalar() == n
                        and conn.execute(text("SELECT count(*) FROM volumes")).scalar())
        except Exception:
            return False


def _remove(url: str) -> None:
    engine_for(url).dispose()
    path = Path(url.split("///", 1)[1])
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def _chunks(n: int, stamp: Stamp) -> Iterator[Rows]:
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


def _volumes(n: int) -> list[dict[str, Any]]:
    """Each month's volume per department: its expected valid complaints at a rate drawn
    from 0.70-1.10 % (so the brackets vary), for every month the cases touch."""
    rng, found, index = random.Random(0), [], 2024 * 12 + 10  # November 2024
    while (first := _month_start(index)) < END:
        overlap = min(_month_start(index + 1), END) - max(first, START)
        for department, share in SHARE.items():
            found.append({"month": f"{index // 12}-{index % 12 + 1:02d}",
                          "department": department, "source": "csv", "updated_by": "bench",
                          "volume": round(n * overlap / (END - START) * share * VALID * 100
                                          / rng.uniform(0.70, 1.10)),
                          "updated_at": datetime.now(UTC)})
        index += 1
    return found


def _month_start(index: int) -> float:
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=ZONE).timestamp()


def _warnings() -> list[dict[str, Any]]:
    """Two warnings raised in the benchmark's week, which the weekly report lists."""
    at = datetime(2026, 10, 28, 9, tzinfo=ZONE)
    data = [{"kind": "surge", "key": "surge:parts:2026-W44", "department": "parts",
             "category": "parts",
             "figures": {"this_week": 520, "last_week": 410, "change": 0.2683}},
            {"kind": "dissatisfied", "key": "dissatisfied:sales:2026-W44",
             "department": "sales", "category": "",
             "figures": {"callbacks": 1500, "dissatisfied": 320, "share": 0.2133}}]
    return [{"kind": d["kind"], "key": d["key"], "department": d["department"], "data": d,
             "raised_at": at} for d in data]


def _volumes_warnings_stats(url: str, n: int) -> None:
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(insert(WarningRow), _warnings())
        conn.execute(insert(VolumeRow), _volumes(n))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                              "(SELECT max(id) FROM cases))"))
            conn.execute(text("VACUUM ANALYZE"))
