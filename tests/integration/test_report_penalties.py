"""The penalty bulletin from the store (DOMAIN.md §5, §7), every amount worked out by
hand here. Week 47 of 2026 is Monday 16 to Sunday 22 November, Asia/Shanghai."""

from __future__ import annotations

from decimal import Decimal

from models.reports.model import Bulletin, DepartmentPenalty, Period, Suspension
from models.reports.periods import month_of, week_of
from models.store import transaction
from models.store.report_penalties import bulletin
from tests.penalty_seed import (
    POLICY,
    add_case,
    add_cases,
    add_clock,
    add_responsible,
    add_volume,
    sh,
)

D = Decimal
TZ = "Asia/Shanghai"
WEEK_47 = week_of(sh(2026, 11, 16).date(), TZ)
ACROSS_MONTHS = week_of(sh(2026, 11, 30).date(), TZ)  # Mon 30 Nov to Sun 6 Dec


def run(url: str, period: Period) -> Bulletin:
    with transaction(url) as session:
        return bulletin(session, period=period, policy=POLICY)


def rows(result: Bulletin) -> list[tuple[str, str, str, str, str, Decimal, str]]:
    return [(x.person, x.department, x.case_number, x.reason, x.tier, x.amount, x.detail)
            for x in result.lines]


def test_each_responsible_person_pays_the_closed_cases_tier_doubled_by_neglect(
        store_url: str) -> None:
    with transaction(store_url) as s:
        b = add_case(s, number="C-B", received_at=sh(2026, 11, 2), tier="B",
                     closed_at=sh(2026, 11, 18, 10))
        add_responsible(s, b, "Wang Fang", "technical", sh(2026, 11, 10))
        add_responsible(s, b, "Li Lei", "technical", sh(2026, 11, 10))
        repeat = add_case(s, number="C-C", received_at=sh(2026, 11, 2), tier="C",
                          repeat_by_neglect=1, closed_at=sh(2026, 11, 22, 23, 59))
        add_responsible(s, repeat, "Zhang Wei", "service", sh(2026, 11, 12))
        add_case(s, number="C-nobody", received_at=sh(2026, 11, 2), tier="A",
                 closed_at=sh(2026, 11, 19))
        later = add_case(s, number="C-next-week", received_at=sh(2026, 11, 2), tier="A",
                         closed_at=sh(2026, 11, 23, 0, 0))
        add_responsible(s, later, "Zhou Qiang", "technical", sh(2026, 11, 12))
        before = add_case(s, number="C-last-week", received_at=sh(2026, 11, 2), tier="D",
                          closed_at=sh(2026, 11, 15, 23, 59))
        add_responsible(s, before, "Zhou Qiang", "technical", sh(2026, 11, 11))
    result = run(store_url, WEEK_47)
    assert rows(result) == [
        ("Zhang Wei", "service", "C-C", "tier", "C", D("200.00"), "neglect:2"),
        ("Li Lei", "technical", "C-B", "tier", "B", D("200.00"), ""),
        ("Wang Fang", "technical", "C-B", "tier", "B", D("200.00"), ""),
    ]
    assert result.departments == [] and result.suspensions == []
    assert result.total == D("600.00")


def test_late_acceptance_costs_the_first_contact_100_yuan_a_started_day(
        store_url: str) -> None:
    with transaction(store_url) as s:
        for number, taken_by, due, met in [
            ("C-1min", "Zhao Lei", sh(2026, 11, 17, 10), sh(2026, 11, 17, 10, 1)),
            ("C-24h1min", "Qian Yu", sh(2026, 11, 18, 9), sh(2026, 11, 19, 9, 1)),
            ("C-on-time", "Qian Yu", sh(2026, 11, 18, 9), sh(2026, 11, 18, 9)),
            ("C-met-last-week", "Qian Yu", sh(2026, 11, 14, 9), sh(2026, 11, 15, 10)),
            ("C-due-last-week", "Sun Li", sh(2026, 11, 14, 9), sh(2026, 11, 16, 0, 30)),
        ]:
            case = add_case(s, number=number, received_at=due, taken_by=taken_by)
            add_clock(s, case, "acknowledge", due_at=due, met_at=met,
                      outcome="met" if met <= due else "breached")
    result = run(store_url, WEEK_47)
    assert rows(result) == [
        ("Qian Yu", "customer_service", "C-24h1min", "late_acceptance", "C", D("200.00"),
         "days:2"),
        # due Sat 14 09:00, met Mon 16 00:30: 1 day 15 h 30 min, two started days
        ("Sun Li", "customer_service", "C-due-last-week", "late_acceptance", "C",
         D("200.00"), "days:2"),
        ("Zhao Lei", "customer_service", "C-1min", "late_acceptance", "C", D("100.00"),
         "days:1"),
    ]
    assert result.total == D("500.00")


def test_an_unclosed_case_counts_a_d_then_its_tier_doubled_each_further_month(
        store_url: str) -> None:
    with transaction(store_url) as s:
        def case(number: str, tier: str, department: str, due_hour: tuple[int, ...], *,
                 outcome: str = "breached", met: tuple[int, ...] = (),
                 closed: tuple[int, ...] = (), persons: tuple[tuple[str, str], ...] = ()
                 ) -> None:
            row = add_case(s, number=number, received_at=sh(2026, 8, 1), tier=tier,
                           department=department, closed_at=sh(*closed) if closed else None)
            add_clock(s, row, "close", due_at=sh(*due_hour), outcome=outcome,
                      met_at=sh(*met) if met else None)
            for person, dept in persons:
                add_responsible(s, row, person, dept, sh(2026, 8, 5))

        # due this week: a D (50) against the responsible person
        case("C-due-now", "A", "technical", (2026, 11, 18, 12),
             persons=(("Wu Hao", "technical"),))
        # a month on is Wed 18 Nov 12:00: B 200 x 2; no one named yet: the department
        case("C-month-1", "B", "sales", (2026, 10, 18, 12))
        # two months on is Fri 20 Nov 15:00: C 100 x 2 x 2, for each of two persons
        case("C-month-2", "C", "service", (2026, 9, 20, 15),
             persons=(("Zhang Wei", "service"), ("He Min", "marketing")))
        # work reported done Thu 19 Nov 10:00, before its second month ended at 15:00
        case("C-done-before", "C", "service", (2026, 9, 19, 15), met=(2026, 11, 19, 10))
        case("C-deferred", "B", "sales", (2026, 11, 19, 12), outcome="deferred",
             met=(2026, 11, 19, 11))
        # closed Tue 17 Nov 11:00, an hour before its first month ended
        case("C-closed-before", "B", "sales", (2026, 10, 17, 12), met=(2026, 11, 16, 9),
             closed=(2026, 11, 17, 11))
        # a month on is Fri 20 Nov 15:00, closed only on Saturday: C 100 x 2
        case("C-closed-after", "C", "technical", (2026, 10, 20, 15), met=(2026, 11, 21, 8),
             closed=(2026, 11, 21, 9))
    result = run(store_url, WEEK_47)
    assert rows(result) == [
        ("Wu Hao", "technical", "C-due-now", "unclosed", "A", D("50.00"), ""),
        ("He Min", "marketing", "C-month-2", "unclosed_month", "C", D("400.00"), "month:2"),
        ("", "sales", "C-month-1", "unclosed_month", "B", D("400.00"), "month:1"),
        ("Zhang Wei", "service", "C-month-2", "unclosed_month", "C", D("400.00"), "month:2"),
        ("", "technical", "C-closed-after", "unclosed_month", "C", D("200.00"), "month:1"),
    ]
    assert result.total == D("1450.00")


def test_three_complaints_against_one_person_list_them_once_in_the_week_of_the_third(
        store_url: str) -> None:
    with transaction(store_url) as s:
        cases = [add_case(s, number=f"C-LN-{n}", received_at=sh(2026, 10, 20))
                 for n in range(1, 5)]
        for case, day in zip(cases, (3, 10, 18, 25), strict=True):
            add_responsible(s, case, "Li Na", "service", sh(2026, 11, day, 10))
        add_responsible(s, cases[1], "Li Na", "service", sh(2026, 11, 19))  # same case
        others = [add_case(s, number=f"C-MJ-{n}", received_at=sh(2026, 10, 20))
                  for n in range(1, 4)]
        for case, at in zip(others, (sh(2026, 10, 30), sh(2026, 11, 17), sh(2026, 11, 18)),
                            strict=True):
            add_responsible(s, case, "Ma Jun", "parts", at)
    assert run(store_url, week_of(sh(2026, 11, 9).date(), TZ)).suspensions == []
    assert run(store_url, WEEK_47).suspensions == [
        Suspension(person="Li Na", department="service", month="2026-11",
                   cases=["C-LN-1", "C-LN-2", "C-LN-3"])]
    assert run(store_url, week_of(sh(2026, 11, 23).date(), TZ)).suspensions == []
    november = run(store_url, month_of(sh(2026, 11, 1).date(), TZ))
    assert november.suspensions == [
        Suspension(person="Li Na", department="service", month="2026-11",
                   cases=["C-LN-1", "C-LN-2", "C-LN-3", "C-LN-4"])]


def seed_november(url: str, *, volumes: bool) -> None:
    with transaction(url) as s:
        if volumes:
            for department, volume in [("technical", 1000), ("finance", 500),
                                       ("sales", 400), ("service", 1000)]:
                add_volume(s, "2026-11", department, volume)
        add_cases(s, 7, received_at=sh(2026, 11, 10), department="technical",
                  validity="valid")
        add_case(s, received_at=sh(2026, 11, 30, 23, 59), department="technical")
        add_case(s, received_at=sh(2026, 11, 12), department="technical", validity="invalid")
        add_case(s, received_at=sh(2026, 12, 1, 0, 0), department="technical")
        add_cases(s, 5, received_at=sh(2026, 11, 3), department="finance")
        add_cases(s, 5, received_at=sh(2026, 11, 4), department="sales")
        add_case(s, received_at=sh(2026, 11, 5), department="marketing")


def department(name: str, complaints: int, volume: str | None, rate: str | None,
               bracket: str, amount: str) -> DepartmentPenalty:
    return DepartmentPenalty(department=name, month="2026-11", complaints=complaints,
                             volume=D(volume) if volume else None,
                             rate=D(rate) if rate else None, bracket=bracket,
                             amount=D(amount))


def test_a_week_crossing_a_month_end_carries_the_ended_months_department_brackets(
        store_url: str) -> None:
    seed_november(store_url, volumes=True)
    result = run(store_url, ACROSS_MONTHS)
    assert result.departments == [
        department("technical", 8, "1000", "0.8000", "=0.80", "50.00"),  # 8 / 1000
        department("finance", 5, "500", "1.0000", "(0.95,1.00]", "300.00"),  # 5 / 500
        department("service", 0, "1000", "0.0000", "", "0.00"),
        department("sales", 5, "400", "1.2500", ">1.00", "500.00"),  # 5 / 400
        department("marketing", 1, None, None, "no_volume", "0.00"),
        department("parts", 0, None, None, "no_volume", "0.00"),
        department("customer_service", 0, None, None, "no_volume", "0.00"),
    ]
    assert result.lines == []
    assert result.total == D("850.00")
    assert run(store_url, WEEK_47).departments == []  # a week inside a month: none


def test_a_month_without_volume_shows_no_volume_and_costs_nothing(store_url: str) -> None:
    seed_november(store_url, volumes=False)
    result = run(store_url, ACROSS_MONTHS)
    assert [(d.department, d.complaints, d.rate, d.bracket, d.amount)
            for d in result.departments] == [
        ("technical", 8, None, "no_volume", D("0.00")),
        ("finance", 5, None, "no_volume", D("0.00")),
        ("service", 0, None, "no_volume", D("0.00")),
        ("sales", 5, None, "no_volume", D("0.00")),
        ("marketing", 1, None, "no_volume", D("0.00")),
        ("parts", 0, None, "no_volume", D("0.00")),
        ("customer_service", 0, None, "no_volume", D("0.00")),
    ]
    assert result.total == D("0.00")


def test_an_empty_period_has_no_lines_and_a_total_of_zero(store_url: str) -> None:
    assert run(store_url, WEEK_47) == Bulletin(lines=[], departments=[], suspensions=[],
                                               total=D("0.00"))
