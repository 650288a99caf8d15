"""Sample reports for tests: a weekly report with its bulletin and warnings, and a monthly
analysis. Every figure is written out here, consistent with the others (received equals
the sum of the days, departments and categories add up to the valid complaints), so a
test can compute what it expects by hand. Rates are against the volume of the departments
that gave one (5,035 in the week, 20,100 in the month); sales gave none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from models.reports.model import (
    ActionFigures,
    Bulletin,
    CategoryFigure,
    ClockFigure,
    Count,
    DayCount,
    DepartmentFigure,
    DepartmentPenalty,
    Figures,
    Irrational,
    Monthly,
    MonthTrend,
    PenaltyLine,
    Period,
    Report,
    RootCause,
    Satisfaction,
    Suspension,
    Warning,
)

WEEK = Period(kind="weekly", start=date(2026, 11, 16), end=date(2026, 11, 22))
MONTH = Period(kind="monthly", start=date(2026, 11, 1), end=date(2026, 11, 30))
WEEK_RECEIVED = [9, 12, 8, 10, 7, 2, 2]  # 50
WEEK_CLOSED = [5, 9, 10, 8, 9, 3, 1]  # 45
# 1 November 2026 is a Sunday: a Sunday, four weeks from Monday, then Monday the 30th.
MONTH_RECEIVED = [1] + [7, 8, 7, 9, 6, 2, 1] * 4 + [6]  # 167
MONTH_CLOSED = [1] + [5, 7, 8, 8, 6, 3, 1] * 4 + [10]  # 163


def _days(start: date, received: list[int], closed: list[int]) -> list[DayCount]:
    return [DayCount(day=start + timedelta(days=i), received=r, closed=c)
            for i, (r, c) in enumerate(zip(received, closed, strict=True))]


def _categories(counts: dict[str, tuple[int, str | None]]) -> list[CategoryFigure]:
    return [CategoryFigure(category=key, complaints=n, rate=Decimal(r) if r else None)
            for key, (n, r) in counts.items()]


def _departments(rows: dict[str, tuple[int, str | None, str | None]]) -> list[DepartmentFigure]:
    return [DepartmentFigure(department=key, complaints=n,
                             volume=Decimal(v) if v else None, rate=Decimal(r) if r else None)
            for key, (n, v, r) in rows.items()]


def sample_figures() -> Figures:
    """The week of 16 to 22 November 2026: 50 received, 47 valid, 45 closed."""
    return Figures(
        received=50, closed=45, open_at_end=12, first_close=41, second_close=4,
        clocks=[
            ClockFigure(clock="acknowledge", met=48, breached=2, deferred=0, open=0,
                        share_met=48 / 50),
            ClockFigure(clock="handover", met=47, breached=3, deferred=0, open=0,
                        share_met=47 / 50),
            ClockFigure(clock="first_reply", met=44, breached=4, deferred=0, open=2,
                        share_met=44 / 48),
            ClockFigure(clock="close", met=38, breached=5, deferred=1, open=9, share_met=38 / 43),
            ClockFigure(clock="callback", met=36, breached=2, deferred=0, open=4,
                        share_met=36 / 38),
        ],
        escalations=[Count(key="warn-50", count=14), Count(key="warn-75", count=9),
                     Count(key="department_manager", count=7),
                     Count(key="general_manager", count=2), Count(key="public_relations", count=1)],
        irrational=Irrational(first=3, second=1, share_first=3 / 50, share_second=1 / 50,
                              watch=3, monitor=1),
        categories=_categories({
            "repair_quality": (14, "0.2781"), "product_defect": (9, "0.1787"),
            "service_attitude": (7, "0.1390"), "repair_cost": (5, "0.0993"),
            "delivery_delay": (4, "0.0794"), "parts": (3, "0.0596"),
            "after_sales": (2, "0.0397"), "purchase": (1, "0.0199"),
            "false_advertising": (1, "0.0199"), "other": (1, "0.0199")}),
        departments=_departments({
            "technical": (23, "2450.00", "0.9388"), "finance": (5, "610.00", "0.8197"),
            "service": (9, "1050.00", "0.8571"), "sales": (5, None, None),
            "marketing": (1, "95.00", "1.0526"), "parts": (3, "520.00", "0.5769"),
            "customer_service": (1, "310.00", "0.3226")}),
        days=_days(WEEK.start, WEEK_RECEIVED, WEEK_CLOSED),
    )


def _line(person: str, department: str, case: str, reason: str, tier: str, amount: str,
          detail: str = "") -> PenaltyLine:
    return PenaltyLine(person=person, department=department, case_number=case,
                       reason=reason, tier=tier, amount=Decimal(amount), detail=detail)


def sample_bulletin() -> Bulletin:
    """Persons 1,450.00 plus department heads 750.00: 2,200.00 in all."""
    return Bulletin(
        lines=[
            _line("王磊", "technical", "C-20261116-0003", "tier", "C", "100.00"),
            _line("王磊", "technical", "C-20261117-0005", "tier", "B", "400.00",
                  "neglect:2"),
            _line("李娜", "customer_service", "C-20261117-0011", "late_acceptance", "C",
                  "200.00", "days:2"),
            _line("陈刚", "finance", "C-20261118-0002", "unclosed", "D", "50.00"),
            _line("陈刚", "finance", "C-20261020-0007", "unclosed_month", "C", "200.00",
                  "month:1"),
            _line("王磊", "technical", "C-20261119-0004", "tier", "A", "500.00"),
        ],
        departments=[
            DepartmentPenalty(department="technical", month="2026-10", complaints=96,
                              volume=Decimal("10200.00"), rate=Decimal("0.9412"),
                              bracket="(0.90,0.95]", amount=Decimal("200.00")),
            DepartmentPenalty(department="marketing", month="2026-10", complaints=5,
                              volume=Decimal("410.00"), rate=Decimal("1.2195"),
                              bracket=">1.00", amount=Decimal("500.00")),
            DepartmentPenalty(department="sales", month="2026-10", complaints=17, volume=None,
                              rate=None, bracket="no_volume", amount=Decimal("0.00")),
            DepartmentPenalty(department="service", month="2026-10", complaints=33,
                              volume=Decimal("4125.00"), rate=Decimal("0.8000"),
                              bracket="=0.80", amount=Decimal("50.00")),
        ],
        suspensions=[Suspension(person="王磊", department="technical", month="2026-11",
                                cases=["C-20261116-0003", "C-20261117-0005",
                                       "C-20261119-0004"])],
        total=Decimal("2200.00"),
    )


def sample_warnings() -> list[Warning]:
    """Figures as models/store/report_warnings.py gives them (fractions rounded to 4)."""
    return [
        Warning(kind="surge", key="surge:repair_quality:2026-W47", department="technical",
                category="repair_quality",
                figures={"this_week": 14, "last_week": 8, "change": 0.75}),
        Warning(kind="surge", key="surge:false_advertising:2026-W47", department="marketing",
                category="false_advertising",
                figures={"this_week": 5, "last_week": 0, "change": "new"}),
        Warning(kind="repeat_rate", key="repeat_rate:service:2026-W47", department="service",
                figures={"received": 9, "repeats": 2, "rate": 0.2222}),
        Warning(kind="dissatisfied", key="dissatisfied:service:2026-W47", department="service",
                figures={"callbacks": 11, "dissatisfied": 3, "share": 0.2727}),
    ]


def sample_report(**overrides: Any) -> Report:
    """The weekly report of 16 to 22 November 2026 in Chinese, any field overridden."""
    data: dict[str, Any] = {
        "period": WEEK, "generated_at": datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
        "figures": sample_figures(), "bulletin": sample_bulletin(),
        "warnings": sample_warnings(), "language": "zh",
    }
    data.update(overrides)
    return Report(**data)


def sample_monthly() -> Monthly:
    return Monthly(
        trends=[MonthTrend(month="2026-08", received=171, closed=168, share_met=0.912,
                           repeat_rate=0.081, satisfied_share=0.88),
                MonthTrend(month="2026-09", received=158, closed=160, share_met=0.925,
                           repeat_rate=0.075, satisfied_share=0.90),
                MonthTrend(month="2026-10", received=180, closed=172, share_met=0.903,
                           repeat_rate=0.094, satisfied_share=0.86),
                MonthTrend(month="2026-11", received=167, closed=163, share_met=0.917,
                           repeat_rate=19 / 167, satisfied_share=117 / 142)],
        root_causes=[RootCause(category=c, dimension=d, count=n) for c, d, n in [
            ("repair_quality", "people", 30), ("repair_quality", "goods", 12),
            ("repair_quality", "place", 4), ("repair_quality", "", 6),
            ("product_defect", "people", 3), ("product_defect", "goods", 28),
            ("product_defect", "", 4), ("service_attitude", "people", 20),
            ("service_attitude", "place", 2), ("service_attitude", "", 2),
            ("", "people", 53), ("", "goods", 40), ("", "place", 6), ("", "", 12)]],
        actions=ActionFigures(due=21, done=18, effective=14, not_checked=4),
        repeat_rate=19 / 167,
        satisfaction=Satisfaction(callbacks=142, satisfied_share=117 / 142, mean_score=4.12,
                                  not_reached_share=8 / 142),
        top_issues=_categories({"repair_quality": (52, "0.2587"),
                                "product_defect": (35, "0.1741"),
                                "service_attitude": (24, "0.1194")}),
    )


def sample_monthly_report(**overrides: Any) -> Report:
    """The monthly analysis of November 2026 (167 received, 164 valid), no bulletin."""
    figures = sample_figures().model_copy(update={
        "received": 167, "closed": 163, "open_at_end": 14, "first_close": 150,
        "second_close": 13, "days": _days(MONTH.start, MONTH_RECEIVED, MONTH_CLOSED),
        "clocks": [ClockFigure(clock=c, met=m, breached=b, deferred=d, open=o,
                               share_met=m / (m + b)) for c, m, b, d, o in [
            ("acknowledge", 160, 7, 0, 0), ("handover", 158, 9, 0, 0),
            ("first_reply", 150, 12, 0, 5), ("close", 131, 18, 2, 12),
            ("callback", 128, 6, 0, 9)]],
        "escalations": [Count(key=k, count=n) for k, n in [
            ("warn-50", 41), ("warn-75", 27), ("department_manager", 19),
            ("general_manager", 5), ("public_relations", 1)]],
        "irrational": Irrational(first=9, second=2, share_first=9 / 167,
                                 share_second=2 / 167, watch=8, monitor=3),
        "categories": _categories({
            "repair_quality": (52, "0.2587"), "product_defect": (35, "0.1741"),
            "service_attitude": (24, "0.1194"), "repair_cost": (18, "0.0896"),
            "delivery_delay": (13, "0.0647"), "parts": (9, "0.0448"),
            "after_sales": (6, "0.0299"), "purchase": (3, "0.0149"),
            "false_advertising": (2, "0.0100"), "other": (2, "0.0100")}),
        "departments": _departments({
            "technical": (87, "9650.00", "0.9016"), "finance": (18, "2480.00", "0.7258"),
            "service": (30, "4120.00", "0.7282"), "sales": (16, None, None),
            "marketing": (2, "390.00", "0.5128"), "parts": (9, "2150.00", "0.4186"),
            "customer_service": (2, "1310.00", "0.1527")})})
    data: dict[str, Any] = {
        "period": MONTH, "generated_at": datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        "figures": figures, "bulletin": None, "monthly": sample_monthly(),
        "warnings": [Warning(kind="score_falling", key="score_falling:service:2026-W48",
                             department="service", figures={
                                 "two_weeks_ago": 4.35, "last_week": 4.21, "this_week": 4.12})],
        "language": "zh",
    }
    data.update(overrides)
    return Report(**data)
