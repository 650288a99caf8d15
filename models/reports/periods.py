"""Report periods: weeks (Monday to Sunday) and months in the policy's time zone.

A period is a range of whole local days; `bounds` turns it into UTC instants [start, end)
for SQL, so a case received on Sunday 23:59 Asia/Shanghai belongs to that week and one
received on Monday 00:00 to the next, whatever the server's clock zone.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.reports.model import Period, PeriodKind


def week_of(day: date, timezone: str) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period(kind="weekly", start=start, end=start + timedelta(days=6), timezone=timezone)


def month_of(day: date, timezone: str) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(kind="monthly", start=day.replace(day=1), end=day.replace(day=last),
                  timezone=timezone)


def last_week(now: datetime, timezone: str) -> Period:
    """Last Monday to Sunday, seen from `now` (the Friday run reports the week before)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return week_of(today - timedelta(days=today.weekday() + 7), timezone)


def previous_month(now: datetime, timezone: str) -> Period:
    today = now.astimezone(ZoneInfo(timezone)).date()
    return month_of(today.replace(day=1) - timedelta(days=1), timezone)


def given(kind: PeriodKind, start: date, end: date, timezone: str) -> Period:
    """A period a person asked for; `end` is inclusive."""
    if end < start:
        raise ValueError(f"to: {end.isoformat()} is before from: {start.isoformat()}")
    if (end - start).days > 366:
        raise ValueError("to: a report covers at most 367 days")
    return Period(kind=kind, start=start, end=end, timezone=timezone)


def bounds(period: Period) -> tuple[datetime, datetime]:
    """UTC instants [local midnight of start, local midnight after end)."""
    zone = ZoneInfo(period.timezone)
    start = datetime.combine(period.start, time(), zone)
    end = datetime.combine(period.end + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def months_in(period: Period) -> list[tuple[str, int, int]]:
    """Each calendar month the period touches: (YYYY-MM, days of it in the period,
    days in that month)."""
    found: list[tuple[str, int, int]] = []
    day = period.start
    while day <= period.end:
        length = calendar.monthrange(day.year, day.month)[1]
        last = min(period.end, day.replace(day=length))
        found.append((f"{day.year:04d}-{day.month:02d}", (last - day).days + 1, length))
        day = last + timedelta(days=1)
    return found


def months_ended_in(period: Period) -> list[Period]:
    """The calendar months whose last day lies inside the period (their department
    penalties are issued with this period's bulletin)."""
    months = [month_of(date.fromisoformat(f"{m}-01"), period.timezone)
              for m, _, _ in months_in(period)]
    return [m for m in months if m.end <= period.end]


def previous_months(period: Period, count: int) -> list[Period]:
    """The `count` calendar months before the period's first month, oldest first."""
    months, day = [], period.start.replace(day=1)
    for _ in range(count):
        day = (day - timedelta(days=1)).replace(day=1)
        months.append(month_of(day, period.timezone))
    return list(reversed(months))
