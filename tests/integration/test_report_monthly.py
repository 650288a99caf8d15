"""The monthly analysis on a hand-made November 2026 (and the three months before it);
every expected number is worked out here from the rows `seed_months` writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from models.policy import load_policy
from models.reports.model import (
    ActionFigures,
    CategoryFigure,
    Monthly,
    MonthTrend,
    RootCause,
    Satisfaction,
)
from models.reports.periods import month_of
from models.store import transaction
from models.store.db import CaseRow
from models.store.report_monthly import monthly_analysis
from tests.report_seed import add_action, add_case, add_clock, add_volume, local

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
NOVEMBER = month_of(date(2026, 11, 1), "Asia/Shanghai")
# number, category, repeat_of, closed (day), callback result, score, root cause,
# callbacks as (round, due day, met day, outcome): all in November 2026.
CALLED = [
    ("M1", "parts", "", 10, "satisfied", 5, "people", [(1, 10, 9, "met")]),
    ("M2", "parts", "A1", 12, "satisfied", 4, "goods", [(1, 12, 11, "met")]),
    ("M3", "repair_quality", "", 15, "dissatisfied", 2, "people", [(1, 15, 14, "met")]),
    ("M4", "delivery_delay", "B2", 20, "not_reached", None, "", [(1, 19, 18, "met")]),
    ("M5", "parts", "", 25, "satisfied", 4, "place",  # reopened: called twice, counted once
     [(1, 11, 10, "met"), (2, 25, 24, "met")]),
    ("M6", "parts", "", 23, "satisfied", 3, "people", [(1, 20, 22, "breached")]),  # late
]


def analysis(url: str) -> Monthly:
    with transaction(url) as session:
        return monthly_analysis(session, period=NOVEMBER, policy=POLICY)


def case(s: Session, number: str, received: date, category: str = "parts",
         **more: Any) -> CaseRow:
    return add_case(s, number=number, received_at=local(*received.timetuple()[:3], 10),
                    category=category, department=POLICY.routing[category],  # type: ignore[index]
                    **more)


@pytest.fixture
def seeded(store_url: str) -> str:
    """August: A1 closed and called back satisfied; A2 a repeat, its close clock
    breached. September: nothing. October: B1..B4 received (B4 at 23:59 on the 31st),
    B1 and B2 closed, three clocks met, B1 called back dissatisfied on the 31st at
    23:59. November: M1..M8 received (M2 and M4 repeats, M8 invalid), M1..M6 closed
    and called back (CALLED); M7 called back on 1 December at 00:00."""
    with transaction(store_url) as s:
        a1 = case(s, "A1", date(2026, 8, 5), status="closed", closed_at=local(2026, 8, 20),
                  callback_result="satisfied", satisfaction_score=5)
        add_clock(s, case=a1, name="callback", due_at=local(2026, 8, 21), outcome="met",
                  met_at=local(2026, 8, 19))
        a2 = case(s, "A2", date(2026, 8, 10), repeat_of="A1")
        add_clock(s, case=a2, name="close", due_at=local(2026, 8, 17), outcome="breached")
        b1 = case(s, "B1", date(2026, 10, 3), status="closed", closed_at=local(2026, 10, 20),
                  callback_result="dissatisfied", satisfaction_score=2)
        add_clock(s, case=b1, name="callback", due_at=local(2026, 10, 31, 23, 59),
                  outcome="met", met_at=local(2026, 10, 31, 23, 59))
        for b in (case(s, "B2", date(2026, 10, 10), status="closed",
                       closed_at=local(2026, 10, 25)), case(s, "B3", date(2026, 10, 15))):
            add_clock(s, case=b, name="acknowledge", due_at=local(2026, 10, 16),
                      outcome="met", met_at=local(2026, 10, 15, 11))
        add_case(s, number="B4", received_at=local(2026, 10, 31, 23, 59), category="other",
                 department="customer_service")
        seed_november(s)
    return store_url


def seed_november(s: Session) -> None:
    for n, (number, category, repeat, closed, result, score, dimension, calls) in enumerate(
            CALLED):
        row = case(s, number, date(2026, 11, 1 + n), category, repeat_of=repeat,
                   status="closed", closed_at=local(2026, 11, closed), callback_result=result,
                   satisfaction_score=score, root_cause_dimension=dimension, round=len(calls))
        for rnd, due, met, outcome in calls:
            add_clock(s, case=row, name="callback", round=rnd, due_at=local(2026, 11, due),
                      outcome=outcome, met_at=local(2026, 11, met))
    m7 = case(s, "M7", date(2026, 11, 7), "other", callback_result="satisfied",
              satisfaction_score=1)
    add_clock(s, case=m7, name="callback", due_at=local(2026, 12, 2), outcome="met",
              met_at=local(2026, 12, 1, 0, 0))
    add_clock(s, case=m7, name="close", due_at=local(2026, 11, 28))  # running
    m8 = case(s, "M8", date(2026, 11, 8), validity="invalid")
    add_clock(s, case=m8, name="close", due_at=local(2026, 11, 15), outcome="deferred",
              met_at=local(2026, 11, 14))
    m1 = s.query(CaseRow).filter_by(number="M1").one()
    for day, done, effective in ((20, True, True), (25, True, False), (26, False, False)):
        add_action(s, case=m1, due_at=local(2026, 11, day),
                   checked_at=local(2026, 11, day + 1), done=done, effective=effective)
    for when in (local(2026, 11, 28), local(2026, 12, 1, 0, 0), local(2026, 10, 31, 23, 59)):
        add_action(s, case=m1, due_at=when)  # the last two fall outside November
    add_volume(s, month="2026-11", department="parts", volume=2000)
    add_volume(s, month="2026-11", department="sales", volume=3000)


def test_trends_compare_the_month_with_the_three_before(seeded: str) -> None:
    # Clocks due in November: M1..M5's six callbacks met, M6's late one breached (the
    # deferred close of M8 and M7's running one are neither): 6 of 7 met. M7's callback
    # is due in December. Repeats: A2 of 2 in August; M2 and M4 of 8 in November.
    # Satisfied: A1 in August; B1 dissatisfied in October; November below.
    assert analysis(seeded).trends == [
        MonthTrend(month="2026-08", received=2, closed=1, share_met=0.5, repeat_rate=0.5,
                   satisfied_share=1.0),
        MonthTrend(month="2026-09", received=0, closed=0, share_met=None, repeat_rate=None,
                   satisfied_share=None),
        MonthTrend(month="2026-10", received=4, closed=2, share_met=1.0, repeat_rate=0.0,
                   satisfied_share=0.0),
        MonthTrend(month="2026-11", received=8, closed=6, share_met=6 / 7, repeat_rate=0.25,
                   satisfied_share=0.8)]


def test_satisfaction_counts_each_case_called_back_once_with_its_latest_result(
        seeded: str) -> None:
    # M1..M6 (M5 twice, once counted; M6 late, still counted): satisfied M1, M2, M5, M6,
    # dissatisfied M3, not reached M4. Scores 5 + 4 + 2 + 4 + 3 = 18 over 5.
    got = analysis(seeded)
    assert got.satisfaction == Satisfaction(callbacks=6, satisfied_share=0.8, mean_score=3.6,
                                            not_reached_share=1 / 6)
    assert got.repeat_rate == 0.25


def test_root_causes_of_the_cases_closed_in_the_month_by_category_and_in_total(
        seeded: str) -> None:
    assert analysis(seeded).root_causes == [
        RootCause(category="delivery_delay", dimension="", count=1),
        RootCause(category="parts", dimension="people", count=2),
        RootCause(category="parts", dimension="goods", count=1),
        RootCause(category="parts", dimension="place", count=1),
        RootCause(category="repair_quality", dimension="people", count=1),
        RootCause(category="", dimension="people", count=3),
        RootCause(category="", dimension="goods", count=1),
        RootCause(category="", dimension="place", count=1),
        RootCause(category="", dimension="", count=1)]


def test_actions_due_in_the_month_done_effective_and_not_checked(seeded: str) -> None:
    assert analysis(seeded).actions == ActionFigures(due=4, done=2, effective=1,
                                                     not_checked=1)


def test_top_issues_are_the_three_categories_with_most_valid_complaints(seeded: str) -> None:
    # parts: M1, M2, M5, M6 (M8 is invalid); then one each for delivery_delay, other and
    # repair_quality, the first two by key. Volume 2000 + 3000: 4 of 5000 = 0.08 %.
    assert analysis(seeded).top_issues == [
        CategoryFigure(category="parts", complaints=4, rate=Decimal("0.0800")),
        CategoryFigure(category="delivery_delay", complaints=1, rate=Decimal("0.0200")),
        CategoryFigure(category="other", complaints=1, rate=Decimal("0.0200"))]


def test_an_empty_month_has_zeros_and_no_shares(store_url: str) -> None:
    got = analysis(store_url)
    assert got.trends == [MonthTrend(month=m, received=0, closed=0, share_met=None,
                                     repeat_rate=None, satisfied_share=None)
                          for m in ("2026-08", "2026-09", "2026-10", "2026-11")]
    assert (got.root_causes, got.top_issues, got.repeat_rate) == ([], [], None)
    assert got.actions == ActionFigures(due=0, done=0, effective=0, not_checked=0)
    assert got.satisfaction == Satisfaction(callbacks=0, satisfied_share=None,
                                            mean_score=None, not_reached_share=None)
