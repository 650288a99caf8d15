"""The weekly figures on hand-made data sets; every expected number is worked out here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from models.policy import load_policy
from models.reports.model import ClockFigure, Count, DayCount, DepartmentFigure, Figures
from models.reports.periods import week_of
from models.store import transaction
from models.store.report_figures import weekly_figures
from tests.report_seed import add_case, add_clock, add_escalation, add_volume, local

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
TZ = "Asia/Shanghai"
DEPARTMENTS = ["technical", "finance", "service", "sales", "marketing", "parts",
               "customer_service"]


def figures(url: str, day: date, timezone: str = TZ) -> Figures:
    with transaction(url) as session:
        return weekly_figures(session, period=week_of(day, timezone), policy=POLICY)


def days(first: date, *counts: tuple[int, int]) -> list[DayCount]:
    return [DayCount(day=date.fromordinal(first.toordinal() + i), received=r, closed=c)
            for i, (r, c) in enumerate(counts)]


def nothing_for(*departments: str) -> list[DepartmentFigure]:
    return [DepartmentFigure(department=d, complaints=0, volume=None, rate=None)
            for d in departments]


def test_sunday_2359_counts_in_its_week_and_monday_0000_in_the_next(store_url: str) -> None:
    with transaction(store_url) as s:
        add_case(s, number="W1", received_at=local(2026, 11, 29, 23, 59), category="parts",
                 department="parts", status="closed", closed_at=local(2026, 11, 30, 0, 0))
        add_case(s, number="W2", received_at=local(2026, 11, 30, 0, 0), category="parts",
                 department="parts")
    before = figures(store_url, date(2026, 11, 29))
    after = figures(store_url, date(2026, 11, 30))
    # W1 is still open at the end of its week: it closed on the first instant of the next.
    assert (before.received, before.closed, before.open_at_end) == (1, 0, 1)
    assert before.days == days(date(2026, 11, 23), *[(0, 0)] * 6, (1, 0))
    assert (after.received, after.closed, after.open_at_end) == (1, 1, 1)
    assert after.days == days(date(2026, 11, 30), (1, 1), *[(0, 0)] * 6)


def test_a_week_crossing_a_month_takes_each_months_volume_pro_rata(store_url: str) -> None:
    with transaction(store_url) as s:
        for month, parts, finance in (("2026-11", 3000, 1500), ("2026-12", 3100, 1550)):
            add_volume(s, month=month, department="parts", volume=parts)
            add_volume(s, month=month, department="finance", volume=finance)
        add_volume(s, month="2026-11", department="technical", volume=6000)  # December missing
        received = [(1, "parts", "valid", local(2026, 11, 30, 10)),
                    (2, "parts", "valid", local(2026, 11, 30, 11)),
                    (3, "parts", "valid", local(2026, 11, 30, 12)),
                    (4, "parts", "valid", local(2026, 12, 1, 9)),
                    (5, "parts", "valid", local(2026, 12, 1, 9)),
                    (6, "parts", "valid", local(2026, 12, 6, 23, 59)),
                    (7, "parts", "valid", local(2026, 12, 6, 23, 59)),
                    (8, "parts", "invalid", local(2026, 12, 2, 15)),
                    (9, "repair_quality", "valid", local(2026, 12, 3, 8)),
                    (10, "repair_quality", "valid", local(2026, 12, 3, 9)),
                    (11, "repair_quality", "", local(2026, 12, 3, 10)),  # not judged yet
                    (12, "parts", "valid", local(2026, 11, 29, 23, 59)),  # the week before
                    (13, "parts", "valid", local(2026, 12, 7, 0, 0))]  # the week after
        for n, category, validity, at in received:
            add_case(s, number=f"X{n}", received_at=at, category=category,
                     department=POLICY.routing[category], validity=validity)  # type: ignore[index]
    got = figures(store_url, date(2026, 12, 2))
    assert got.received == 11
    # All departments: November 10500 / 30 x 1 = 350, December 4650 / 31 x 6 = 900.
    # Parts 7 of 1250 = 0.56 %, repair quality 3 of 1250 = 0.24 %; the invalid one is out.
    assert [(c.category, c.complaints, c.rate) for c in got.categories] == [
        ("parts", 7, Decimal("0.5600")), ("repair_quality", 3, Decimal("0.2400"))]
    # Parts 3000 / 30 + 3100 x 6 / 31 = 100 + 600 = 700: 7 of 700 = 1 %. Finance 50 + 300
    # = 350, no complaint: 0 %. Technical has no December volume: no rate.
    assert got.departments == [
        DepartmentFigure(department="technical", complaints=3, volume=None, rate=None),
        DepartmentFigure(department="finance", complaints=0, volume=Decimal("350.00"),
                         rate=Decimal("0.0000")),
        *nothing_for("service", "sales", "marketing"),
        DepartmentFigure(department="parts", complaints=7, volume=Decimal("700.00"),
                         rate=Decimal("1.0000")),
        *nothing_for("customer_service")]
    assert got.days == days(date(2026, 11, 30), (3, 0), (2, 0), (1, 0), (3, 0), (0, 0),
                            (0, 0), (2, 0))


def test_a_week_with_public_holidays_is_counted_per_calendar_day(store_url: str) -> None:
    """National Day (1 October 2026, a Thursday) changes nothing for the counts: the
    figures are per calendar day, holiday or not."""
    with transaction(store_url) as s:
        add_case(s, number="H1", received_at=local(2026, 9, 30, 18), category="parts",
                 department="parts")
        add_case(s, number="H2", received_at=local(2026, 10, 1, 9), category="parts",
                 department="parts", status="closed", closed_at=local(2026, 10, 2, 11))
        add_case(s, number="H3", received_at=local(2026, 10, 1, 21), category="other",
                 department="customer_service")
        add_case(s, number="H4", received_at=local(2026, 10, 3, 8), category="parts",
                 department="parts")
    got = figures(store_url, date(2026, 10, 1))
    assert (got.received, got.closed, got.open_at_end) == (4, 1, 3)
    assert got.days == days(date(2026, 9, 28), (0, 0), (0, 0), (1, 0), (2, 0), (0, 1),
                            (1, 0), (0, 0))


def test_an_empty_week_is_all_zeros_with_no_shares_and_no_rates(store_url: str) -> None:
    with transaction(store_url) as s:
        add_volume(s, month="2026-11", department="parts", volume=3000)
    got = figures(store_url, date(2026, 11, 25))
    assert (got.received, got.closed, got.open_at_end, got.first_close,
            got.second_close) == (0, 0, 0, 0, 0)
    assert (got.clocks, got.escalations, got.categories) == ([], [], [])
    assert got.irrational.model_dump() == {"first": 0, "second": 0, "share_first": None,
                                           "share_second": None, "watch": 0, "monitor": 0}
    # 3000 / 30 x 7 = 700: a department with volume and no complaint has rate 0.
    assert got.departments == [
        *nothing_for("technical", "finance", "service", "sales", "marketing"),
        DepartmentFigure(department="parts", complaints=0, volume=Decimal("700.00"),
                         rate=Decimal("0.0000")),
        *nothing_for("customer_service")]
    assert got.days == days(date(2026, 11, 23), *[(0, 0)] * 7)


def test_a_week_without_volume_has_complaints_but_no_rate(store_url: str) -> None:
    with transaction(store_url) as s:
        add_case(s, number="N1", received_at=local(2026, 11, 24, 10), category="parts",
                 department="parts")
    got = figures(store_url, date(2026, 11, 25))
    assert [(c.category, c.complaints, c.rate) for c in got.categories] == [("parts", 1, None)]
    assert [(d.department, d.complaints, d.volume, d.rate) for d in got.departments
            if d.complaints] == [("parts", 1, None, None)]


def test_first_and_second_closes_and_the_cases_open_at_the_end(store_url: str) -> None:
    cases = [("C1", local(2026, 11, 10), local(2026, 11, 24), 1),
             ("C2", local(2026, 11, 20), local(2026, 11, 25), 1),
             ("C3", local(2026, 11, 1), local(2026, 11, 27), 2),  # reopened, closed again
             ("C4", local(2026, 11, 2), local(2026, 11, 20), 1),  # closed the week before
             ("C5", local(2026, 11, 15), local(2026, 12, 2), 1),  # open at the end
             ("C6", local(2026, 11, 26), None, 1),  # received, open at the end
             ("C7", local(2026, 11, 30), None, 1),  # received after the week
             ("C8", local(2026, 10, 1), None, 1)]  # open at the end
    with transaction(store_url) as s:
        for number, received, closed, rnd in cases:
            add_case(s, number=number, received_at=received, category="parts",
                     department="parts", status="closed" if closed else "open",
                     closed_at=closed, round=rnd)
    got = figures(store_url, date(2026, 11, 25))
    assert (got.received, got.closed, got.first_close, got.second_close,
            got.open_at_end) == (1, 3, 2, 1, 3)


def test_clocks_due_in_the_week_are_counted_by_outcome_with_the_share_met(
        store_url: str) -> None:
    inside, before, after = local(2026, 11, 25, 12), local(2026, 11, 22, 23, 59), \
        local(2026, 11, 30, 0, 0)
    with transaction(store_url) as s:
        k1, k2, k3, k4 = (add_case(s, number=f"K{n}", received_at=local(2026, 11, 20),
                                   category="parts", department="parts") for n in range(1, 5))
        for case in (k1, k2, k3):
            add_clock(s, case=case, name="acknowledge", due_at=inside, outcome="met",
                      met_at=local(2026, 11, 20, 1))
        add_clock(s, case=k4, name="acknowledge", due_at=inside, outcome="breached",
                  met_at=local(2026, 11, 26))
        add_clock(s, case=k1, name="close", due_at=inside, outcome="met", met_at=inside)
        add_clock(s, case=k2, name="close", due_at=inside, outcome="breached")  # still open
        add_clock(s, case=k3, name="close", due_at=inside, outcome="deferred", met_at=inside)
        add_clock(s, case=k4, name="close", due_at=inside)  # running
        add_clock(s, case=k1, name="callback", due_at=inside)
        add_clock(s, case=k1, name="handover", due_at=after, outcome="met", met_at=inside)
        add_clock(s, case=k1, name="first_reply", due_at=before, outcome="breached")
        add_clock(s, case=k1, name="zz_custom", due_at=inside, outcome="breached")
        add_clock(s, case=k1, name="aa_custom", due_at=inside, outcome="met", met_at=inside)
    got = figures(store_url, date(2026, 11, 25)).clocks
    assert got == [
        ClockFigure(clock="acknowledge", met=3, breached=1, deferred=0, open=0, share_met=0.75),
        ClockFigure(clock="close", met=1, breached=1, deferred=1, open=1, share_met=0.5),
        ClockFigure(clock="callback", met=0, breached=0, deferred=0, open=1, share_met=None),
        ClockFigure(clock="aa_custom", met=1, breached=0, deferred=0, open=0, share_met=1.0),
        ClockFigure(clock="zz_custom", met=0, breached=1, deferred=0, open=0, share_met=0.0)]


def test_escalations_raised_in_the_week_by_rung_most_first(store_url: str) -> None:
    raised = [("department_manager", "close", local(2026, 11, 23, 0, 0)),
              ("department_manager", "handover", local(2026, 11, 24)),
              ("department_manager", "first_reply", local(2026, 11, 29, 23, 59)),
              ("warn-50", "close", local(2026, 11, 24)),
              ("warn-50", "handover", local(2026, 11, 24)),
              ("public_relations", "close", local(2026, 11, 25)),
              ("general_manager", "close", local(2026, 11, 26)),
              ("general_manager", "handover", local(2026, 11, 30, 0, 0))]  # the next week
    with transaction(store_url) as s:
        case = add_case(s, number="E1", received_at=local(2026, 11, 20), category="parts",
                        department="parts")
        for rung, clock, at in raised:
            add_escalation(s, case=case, rung=rung, clock=clock, at=at)
    assert figures(store_url, date(2026, 11, 25)).escalations == [
        Count(key="department_manager", count=3), Count(key="warn-50", count=2),
        Count(key="general_manager", count=1), Count(key="public_relations", count=1)]


def test_irrational_complaints_first_and_second_with_their_shares(store_url: str) -> None:
    marks = [("first", "watch"), ("first", "monitor"), ("second", "monitor")] + [("", "")] * 5
    with transaction(store_url) as s:
        for n, (irrational, follow_up) in enumerate(marks):
            add_case(s, number=f"I{n}", received_at=local(2026, 11, 23 + n % 7, 10),
                     category="parts", department="parts", irrational=irrational,
                     follow_up=follow_up)
        add_case(s, number="I9", received_at=local(2026, 11, 22, 23), category="parts",
                 department="parts", irrational="first", follow_up="watch")  # week before
    got = figures(store_url, date(2026, 11, 25))
    assert got.received == 8
    assert got.irrational.model_dump() == {"first": 2, "second": 1, "share_first": 0.25,
                                           "share_second": 0.125, "watch": 1, "monitor": 2}


def test_days_follow_the_local_calendar_across_a_daylight_saving_change(
        store_url: str) -> None:
    """Europe/Berlin leaves summer time on 25 October 2026 (a 25-hour Sunday)."""
    zone = "Europe/Berlin"
    with transaction(store_url) as s:
        for n, at in enumerate([local(2026, 10, 19, 0, 0, zone=zone),
                                local(2026, 10, 25, 0, 30, zone=zone),  # UTC+2
                                local(2026, 10, 25, 23, 30, zone=zone),  # UTC+1
                                local(2026, 10, 26, 0, 30, zone=zone),  # the next week
                                local(2026, 10, 18, 23, 59, zone=zone)]):  # the week before
            add_case(s, number=f"D{n}", received_at=at, category="parts", department="parts")
    got = figures(store_url, date(2026, 10, 21), timezone=zone)
    assert got.received == 3
    assert got.days == days(date(2026, 10, 19), (1, 0), *[(0, 0)] * 5, (2, 0))
