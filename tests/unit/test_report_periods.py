"""Report periods in Asia/Shanghai: weeks Monday to Sunday, months, their UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.reports.periods import (
    bounds,
    given,
    last_week,
    month_of,
    months_in,
    previous_month,
    previous_months,
    week_of,
)

TZ = "Asia/Shanghai"
SHANGHAI = ZoneInfo(TZ)


def test_sunday_2359_belongs_to_its_week_and_monday_0000_to_the_next() -> None:
    week = week_of(date(2026, 11, 29), TZ)  # a Sunday
    assert (week.start, week.end) == (date(2026, 11, 23), date(2026, 11, 29))
    start, end = bounds(week)
    assert start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Monday 00:00 in Shanghai
    assert end == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    sunday_2359 = datetime(2026, 11, 29, 23, 59, tzinfo=SHANGHAI)
    monday_0000 = datetime(2026, 11, 30, 0, 0, tzinfo=SHANGHAI)
    assert start <= sunday_2359 < end
    assert not monday_0000 < end
    next_start, _ = bounds(week_of(date(2026, 11, 30), TZ))
    assert next_start == monday_0000 == end


def test_a_week_crossing_a_month_touches_both_months_with_their_days() -> None:
    week = week_of(date(2026, 12, 2), TZ)
    assert (week.start, week.end) == (date(2026, 11, 30), date(2026, 12, 6))
    assert months_in(week) == [("2026-11", 1, 30), ("2026-12", 6, 31)]


@pytest.mark.parametrize(("now", "monday"), [
    (datetime(2026, 12, 4, 17, 0, tzinfo=SHANGHAI), date(2026, 11, 23)),  # Friday run
    (datetime(2026, 12, 3, 16, 30, tzinfo=UTC), date(2026, 11, 23)),  # Friday 00:30 local
    (datetime(2026, 11, 29, 23, 0, tzinfo=UTC), date(2026, 11, 23)),  # Monday 07:00 local
    (datetime(2026, 11, 29, 15, 59, tzinfo=UTC), date(2026, 11, 16)),  # Sunday 23:59 local
])
def test_last_week_is_the_monday_to_sunday_before_the_local_day(now: datetime,
                                                                monday: date) -> None:
    week = last_week(now, TZ)
    assert (week.kind, week.start) == ("weekly", monday)
    assert (week.end - week.start).days == 6


@pytest.mark.parametrize(("now", "first", "last"), [
    (datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), date(2026, 11, 1), date(2026, 11, 30)),
    (datetime(2025, 12, 31, 16, 30, tzinfo=UTC), date(2025, 12, 1), date(2025, 12, 31)),
    (datetime(2028, 3, 1, 9, 0, tzinfo=SHANGHAI), date(2028, 2, 1), date(2028, 2, 29)),
])
def test_previous_month_is_the_calendar_month_before_the_local_day(
        now: datetime, first: date, last: date) -> None:
    month = previous_month(now, TZ)
    assert (month.kind, month.start, month.end) == ("monthly", first, last)


def test_a_month_runs_from_local_midnight_of_the_first_to_that_of_the_next_month() -> None:
    start, end = bounds(month_of(date(2026, 11, 17), TZ))
    assert start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_the_three_months_before_january_are_in_the_previous_year() -> None:
    months = previous_months(month_of(date(2027, 1, 1), TZ), 3)
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31))]


def test_a_period_asked_for_must_run_forwards_and_last_at_most_367_days() -> None:
    with pytest.raises(ValueError, match="before from"):
        given("weekly", date(2026, 12, 6), date(2026, 11, 30), TZ)
    with pytest.raises(ValueError, match="367 days"):
        given("monthly", date(2026, 1, 1), date(2027, 1, 3), TZ)
    assert given("monthly", date(2026, 1, 1), date(2027, 1, 2), TZ).end == date(2027, 1, 2)
