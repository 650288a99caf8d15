"""The penalty rules (DOMAIN.md §5, §7): rate brackets at their boundaries, neglect,
started days of late acceptance, months unclosed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models.policy import PenaltyPolicy
from models.reports import penalties as rules

RULES = PenaltyPolicy()
D = Decimal


@pytest.mark.parametrize(("rate", "label", "amount"), [
    (None, "no_volume", D("0.00")),
    (D("0"), "", D("0.00")),
    (D("0.7999"), "", D("0.00")),
    (D("0.8000"), "=0.80", D("50.00")),
    (D("0.8001"), "(0.80,0.85]", D("100.00")),
    (D("0.8500"), "(0.80,0.85]", D("100.00")),
    (D("0.8501"), "(0.85,0.90]", D("150.00")),
    (D("0.9000"), "(0.85,0.90]", D("150.00")),
    (D("0.9001"), "(0.90,0.95]", D("200.00")),
    (D("0.9500"), "(0.90,0.95]", D("200.00")),
    (D("0.9501"), "(0.95,1.00]", D("300.00")),
    (D("1.0000"), "(0.95,1.00]", D("300.00")),
    (D("1.0001"), ">1.00", D("500.00")),
    (D("7.5"), ">1.00", D("500.00")),
])
def test_a_departments_rate_falls_in_its_bracket(rate: Decimal | None, label: str,
                                                 amount: Decimal) -> None:
    assert rules.bracket(rate, RULES) == (label, amount)


def test_the_amount_above_one_percent_is_the_policys() -> None:
    assert rules.bracket(D("1.2"), PenaltyPolicy(rate_above_one_percent=1500)) == (
        ">1.00", D("1500.00"))


def test_a_repeat_complaint_caused_by_neglect_doubles_the_tier_amount() -> None:
    assert rules.tier_amount(200, by_neglect=False, policy=RULES) == (D("200.00"), "")
    assert rules.tier_amount(200, by_neglect=True, policy=RULES) == (
        D("400.00"), "neglect:2")


@pytest.mark.parametrize(("late", "days"), [
    (timedelta(0), 0),
    (timedelta(minutes=1), 1),
    (timedelta(hours=24), 1),
    (timedelta(hours=24, minutes=1), 2),
    (timedelta(days=3), 3),
])
def test_late_acceptance_counts_started_days(late: timedelta, days: int) -> None:
    due = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
    assert rules.days_late(due + late, due) == days


def test_late_acceptance_costs_100_yuan_a_started_day() -> None:
    assert rules.late_amount(1, RULES) == (D("100.00"), "days:1")
    assert rules.late_amount(2, RULES) == (D("200.00"), "days:2")


def test_each_further_month_unclosed_doubles_the_cases_amount_again() -> None:
    assert rules.month_amount(100, 1, RULES) == (D("200.00"), "month:1")
    assert rules.month_amount(100, 2, RULES) == (D("400.00"), "month:2")
    assert rules.month_amount(500, 3, RULES) == (D("4000.00"), "month:3")


@pytest.mark.parametrize(("due", "k", "expected"), [
    # 2026-01-31 10:00 Shanghai is 02:00 UTC; a month on is the last day of February.
    (datetime(2026, 1, 31, 2, 0, tzinfo=UTC), 1, datetime(2026, 2, 28, 2, 0, tzinfo=UTC)),
    (datetime(2026, 1, 31, 2, 0, tzinfo=UTC), 2, datetime(2026, 3, 31, 2, 0, tzinfo=UTC)),
    # 2026-11-30 20:00 UTC is 1 December 04:00 in Shanghai: months count in local time.
    (datetime(2026, 11, 30, 20, 0, tzinfo=UTC), 1, datetime(2026, 12, 31, 20, 0, tzinfo=UTC)),
    (datetime(2026, 12, 15, 2, 0, tzinfo=UTC), 1, datetime(2027, 1, 15, 2, 0, tzinfo=UTC)),
])
def test_a_month_later_is_the_same_local_day_clamped_to_the_months_end(
        due: datetime, k: int, expected: datetime) -> None:
    assert rules.months_later(due, k, "Asia/Shanghai") == expected


def test_only_the_months_inside_the_period_before_the_case_closed_count() -> None:
    due = datetime(2026, 8, 20, 2, 0, tzinfo=UTC)
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    zone = "Asia/Shanghai"
    assert rules.months_unclosed_in(due, None, start, end, zone) == [2, 3]
    closed = datetime(2026, 11, 1, tzinfo=UTC)
    assert rules.months_unclosed_in(due, closed, start, end, zone) == [2]
    assert rules.months_unclosed_in(due, due + timedelta(days=3), start, end, zone) == []


def test_a_total_has_two_places() -> None:
    assert rules.total([]) == D("0.00")
    assert str(rules.total([D("50.00"), D("100.00")])) == "150.00"
