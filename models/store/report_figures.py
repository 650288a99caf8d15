"""The weekly figures (DOMAIN.md §5), counted by the database over indexed ranges.

All instants are compared with the period's UTC bounds [start, end) (periods.bounds:
local midnights in the period's time zone). What each figure counts:

- received: received_at in bounds. closed: closed_at in bounds; first_close: of those,
  closed the first time inside the close limit; second_close: closed after it, or after
  a reopening (the case's close_kind, DOMAIN.md §3). open_at_end: received_at < end and not
  closed by then (closed_at null or >= end).
- clocks: clocks whose due_at is in bounds, per name: met, breached, deferred, open
  (outcome "", still running); share_met = met / (met + breached), None without either.
  Order: acknowledge, handover, first_reply, close, callback, then others by name.
- escalations: raised (at) in bounds, per rung, most first, then by rung.
- irrational: of the cases received, irrational first / second, their shares of the
  received (None when nothing was received), and the follow-up modes watch / monitor.
- complaints (categories, departments, rates): received in bounds and not judged
  invalid. categories: each category with at least one, most first, then by key; rate
  against the volume of all departments (None when no volume is given). departments:
  every department of the policy, zeros included, against its own volume.
- days: one row per local day of the period, zeros included: received and closed that
  day in the period's zone. Public holidays change nothing here: days are calendar days.

Grouping is done in SQL (GROUP BY, COUNT, CASE); Python only folds a few dozen group
rows and asks volumes.period_volume for the denominators.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from models.policy import Policy
from models.reports.model import (
    CategoryFigure,
    ClockFigure,
    Count,
    DayCount,
    DepartmentFigure,
    Figures,
    Irrational,
    Period,
)
from models.reports.periods import bounds
from models.store.db import CaseRow, ClockRow, EscalationRow
from models.store.volumes import period_volume, rate

CLOCK_ORDER = ("acknowledge", "handover", "first_reply", "close", "callback")
OUTCOMES = ("met", "breached", "deferred", "")


def weekly_figures(session: Session, *, period: Period, policy: Policy) -> Figures:
    """The figures of one period (a week, or a month for the monthly analysis)."""
    start, end = bounds(period)
    groups = received_groups(session, start=start, end=end)
    closed, first_close, second_close, open_at_end = _closed(session, start=start, end=end)
    received = sum(g["received"] for g in groups)
    return Figures(
        received=received, closed=closed, open_at_end=open_at_end, first_close=first_close,
        second_close=second_close, clocks=_clocks(session, start=start, end=end),
        escalations=_escalations(session, start=start, end=end),
        irrational=_irrational(groups, received),
        categories=categories_of(groups, period_volume(session, period=period)),
        departments=_departments(session, groups, period=period, policy=policy),
        days=_days(session, period=period))


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """COUNT of the rows meeting `condition` (0 on no rows, unlike SUM)."""
    return func.count(case((condition, 1)))


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def received_groups(session: Session, *, start: datetime, end: datetime
                    ) -> list[dict[str, Any]]:
    """Cases received in [start, end) per (category, department), one range scan."""
    query = (select(CaseRow.category, CaseRow.department,
                    func.count().label("received"),
                    count_if(CaseRow.validity != "invalid").label("complaints"),
                    count_if(CaseRow.irrational == "first").label("first"),
                    count_if(CaseRow.irrational == "second").label("second"),
                    count_if(CaseRow.follow_up == "watch").label("watch"),
                    count_if(CaseRow.follow_up == "monitor").label("monitor"))
             .where(CaseRow.received_at >= start, CaseRow.received_at < end)
             .group_by(CaseRow.category, CaseRow.department))
    return [dict(row._mapping) for row in session.execute(query)]


def complaints_by(groups: list[dict[str, Any]], key: str) -> dict[str, int]:
    """The complaints of the groups summed per category or per department."""
    counts: dict[str, int] = defaultdict(int)
    for group in groups:
        counts[group[key]] += group["complaints"]
    return counts


def categories_of(groups: list[dict[str, Any]], volume: Decimal | None
                  ) -> list[CategoryFigure]:
    """Categories with complaints, most first, each rated against `volume`."""
    counts = complaints_by(groups, "category")
    ranked = sorted(((c, n) for c, n in counts.items() if n), key=lambda cn: (-cn[1], cn[0]))
    return [CategoryFigure(category=c, complaints=n, rate=rate(n, volume)) for c, n in ranked]


def _departments(session: Session, groups: list[dict[str, Any]], *, period: Period,
                 policy: Policy) -> list[DepartmentFigure]:
    counts = complaints_by(groups, "department")
    figures = []
    for department in policy.departments:
        volume = period_volume(session, period=period, department=department)
        figures.append(DepartmentFigure(department=department, complaints=counts[department],
                                        volume=volume, rate=rate(counts[department], volume)))
    return figures


def _irrational(groups: list[dict[str, Any]], received: int) -> Irrational:
    first, second, watch, monitor = (sum(g[k] for g in groups)
                                     for k in ("first", "second", "watch", "monitor"))
    return Irrational(first=first, second=second, share_first=share(first, received),
                      share_second=share(second, received), watch=watch, monitor=monitor)


def _closed(session: Session, *, start: datetime, end: datetime) -> tuple[int, int, int, int]:
    """(closed, first_close, second_close, open_at_end). Open at the end: not closed by
    then (closed_at null or >= end) less those received after it. Counted this way the
    two large sets are counts over ix_cases_closed_at alone, and only the cases received
    after the end (few, for a recent period) are read."""
    not_closed = or_(CaseRow.closed_at.is_(None), CaseRow.closed_at >= end)
    counts = [select(func.count()).where(where).scalar_subquery() for where in (
        CaseRow.closed_at.is_(None), CaseRow.closed_at >= end,
        and_(CaseRow.received_at >= end, not_closed))]
    query = (select(func.count(), count_if(CaseRow.close_kind != "second"),
                    count_if(CaseRow.close_kind == "second"),
                    counts[0] + counts[1] - counts[2])
             .where(CaseRow.closed_at >= start, CaseRow.closed_at < end))
    closed, first, second, open_at_end = session.execute(query).one()
    return closed, first, second, open_at_end


def clock_names(session: Session) -> list[str]:
    """The distinct clock names, by a loose index scan over ix_clocks_name_due_at (one
    seek per name). Given as a list, `name IN (...) AND due_at ...` then reads only the
    due range of each name from that index, on SQLite and PostgreSQL alike."""
    names = select(func.min(ClockRow.name).label("name")).cte("clock_names", recursive=True)
    following = select(func.min(ClockRow.name)).where(ClockRow.name > names.c.name)
    names = names.union_all(select(following.scalar_subquery())
                            .where(names.c.name.is_not(None)))
    return list(session.scalars(select(names.c.name).where(names.c.name.is_not(None))))


def _clocks(session: Session, *, start: datetime, end: datetime) -> list[ClockFigure]:
    query = (select(ClockRow.name, ClockRow.outcome, func.count())
             .where(ClockRow.name.in_(clock_names(session)), ClockRow.due_at >= start,
                    ClockRow.due_at < end)
             .group_by(ClockRow.name, ClockRow.outcome))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for name, outcome, n in session.execute(query):
        counts[name][outcome if outcome in OUTCOMES else ""] += n
    order = sorted(counts, key=lambda n: (CLOCK_ORDER.index(n) if n in CLOCK_ORDER
                                          else len(CLOCK_ORDER), n))
    return [ClockFigure(clock=name, met=c["met"], breached=c["breached"],
                        deferred=c["deferred"], open=c[""],
                        share_met=share(c["met"], c["met"] + c["breached"]))
            for name in order for c in [counts[name]]]


def _escalations(session: Session, *, start: datetime, end: datetime) -> list[Count]:
    n = func.count().label("n")
    query = (select(EscalationRow.rung, n)
             .where(EscalationRow.at >= start, EscalationRow.at < end)
             .group_by(EscalationRow.rung).order_by(n.desc(), EscalationRow.rung))
    return [Count(key=rung, count=count) for rung, count in session.execute(query)]


def local_midnights(period: Period) -> list[datetime]:
    """The local midnights from the period's first day to the one after its last."""
    zone = ZoneInfo(period.timezone)
    days = (period.end - period.start).days + 2
    return [datetime.combine(period.start + timedelta(days=i), time(), zone)
            for i in range(days)]


def local_day(session: Session, column: Any, period: Period) -> ColumnElement[Any]:
    """The local date of an instant column, in SQL. PostgreSQL converts with the zone
    itself; SQLite stores UTC text, so it is shifted by the zone's offset when that is
    the same at every midnight of the period (always for Asia/Shanghai), else placed
    between the period's local midnights (a day with a DST change)."""
    if session.get_bind().dialect.name == "postgresql":
        zone = literal(str(ZoneInfo(period.timezone)), literal_execute=True)
        return func.date(func.timezone(zone, column))
    midnights = local_midnights(period)
    offsets = {m.utcoffset() for m in midnights}
    if len(offsets) == 1:
        minutes = int(offsets.pop().total_seconds() // 60)  # type: ignore[union-attr]
        return func.date(column, literal(f"{minutes:+d} minutes", literal_execute=True))
    return case(*[(column < after, literal(before.date().isoformat()))
                  for before, after in zip(midnights, midnights[1:], strict=False)],
                else_=literal(""))


def _days(session: Session, *, period: Period) -> list[DayCount]:
    start, end = bounds(period)
    counted: dict[str, dict[date, int]] = {}
    for name, column in (("received", CaseRow.received_at), ("closed", CaseRow.closed_at)):
        day = local_day(session, column, period).label("day")
        query = (select(day, func.count()).where(column >= start, column < end)
                 .group_by(day))
        counted[name] = {as_date(d): n for d, n in session.execute(query)}
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    return [DayCount(day=d, received=counted["received"].get(d, 0),
                     closed=counted["closed"].get(d, 0)) for d in days]


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
