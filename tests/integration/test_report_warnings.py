"""Early warnings (DOMAIN.md §5), every figure worked out by hand here. The day checked is
Sunday 22 November 2026 (ISO week 2026-W47): this week is 16-22 November, last week
9-15 November, the week before 2-8 November, Asia/Shanghai."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from models.reports.model import Warning
from models.store import transaction
from models.store.db import WarningRow
from models.store.report_warnings import early_warnings, record_new
from tests.penalty_seed import POLICY, add_case, add_cases, callback, sh

DAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def raised(url: str, kind: str) -> list[Warning]:
    with transaction(url) as session:
        return [w for w in early_warnings(session, day=DAY, policy=POLICY) if w.kind == kind]


def seed_surges(url: str) -> None:
    with transaction(url) as s:
        # repair_quality: 5 last week (from Monday 00:00), 6 this week (to Sunday 23:59)
        add_case(s, received_at=sh(2026, 11, 8, 23, 59), category="repair_quality")
        add_case(s, received_at=sh(2026, 11, 9, 0, 0), category="repair_quality")
        add_cases(s, 4, received_at=sh(2026, 11, 12), category="repair_quality")
        add_cases(s, 5, received_at=sh(2026, 11, 18), category="repair_quality")
        add_case(s, received_at=sh(2026, 11, 22, 23, 59), category="repair_quality")
        add_case(s, received_at=sh(2026, 11, 23, 0, 0), category="repair_quality")
        # parts: 100 then 119, up 19 %
        add_cases(s, 100, received_at=sh(2026, 11, 10), category="parts")
        add_cases(s, 119, received_at=sh(2026, 11, 17), category="parts")
        # delivery_delay: none then 4, below the minimum of 5
        add_cases(s, 4, received_at=sh(2026, 11, 17), category="delivery_delay")
        # service_attitude: none then 5
        add_cases(s, 5, received_at=sh(2026, 11, 20), category="service_attitude")


def test_a_category_up_20_percent_with_the_minimum_count_is_a_surge(store_url: str) -> None:
    seed_surges(store_url)
    assert raised(store_url, "surge") == [
        Warning(kind="surge", key="surge:repair_quality:2026-W47", department="technical",
                category="repair_quality",
                figures={"this_week": 6, "last_week": 5, "change": 0.2}),  # (6 - 5) / 5
        Warning(kind="surge", key="surge:service_attitude:2026-W47", department="service",
                category="service_attitude",
                figures={"this_week": 5, "last_week": 0, "change": "new"}),
    ]


def test_a_warning_is_recorded_once_and_a_second_check_returns_nothing(
        store_url: str) -> None:
    seed_surges(store_url)
    with transaction(store_url) as session:
        found = early_warnings(session, day=DAY, policy=POLICY)
        assert record_new(session, warnings=found, now=NOW) == found
    with transaction(store_url) as session:
        again = early_warnings(session, day=DAY, policy=POLICY)
        assert again == found
        assert record_new(session, warnings=again, now=NOW) == []
        stored = session.scalars(select(WarningRow).order_by(WarningRow.id)).all()
        assert [(r.kind, r.key, r.department) for r in stored] == [
            ("surge", "surge:repair_quality:2026-W47", "technical"),
            ("surge", "surge:service_attitude:2026-W47", "service")]
        assert stored[0].data["figures"] == {"this_week": 6, "last_week": 5, "change": 0.2}


def test_racing_checks_record_each_warning_once(store_url: str) -> None:
    seed_surges(store_url)
    with transaction(store_url) as session:
        found = early_warnings(session, day=DAY, policy=POLICY)

    def record(n: int) -> int:
        with transaction(store_url) as session:
            return len(record_new(session, warnings=found, now=NOW))

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(record, range(8))) == 2
    with transaction(store_url) as session:
        assert session.scalar(select(func.count()).select_from(WarningRow)) == 2


def test_a_department_whose_repeat_complaints_pass_the_threshold_is_warned(
        store_url: str) -> None:
    with transaction(store_url) as s:
        for department, received, repeats, day in [
            ("finance", 10, 2, 18),  # 2 / 10 = 0.2 > 0.1
            ("service", 10, 1, 18),  # 1 / 10 = 0.1, not above
            ("sales", 4, 4, 18),  # fewer than 5 received
            ("technical", 5, 5, 13),  # last week
        ]:
            add_cases(s, repeats, received_at=sh(2026, 11, day), department=department,
                      repeat_of="C-OLD")
            add_cases(s, received - repeats, received_at=sh(2026, 11, day),
                      department=department)
    assert raised(store_url, "repeat_rate") == [
        Warning(kind="repeat_rate", key="repeat_rate:finance:2026-W47", department="finance",
                figures={"received": 10, "repeats": 2, "rate": 0.2})]


def test_a_department_with_too_many_dissatisfied_callbacks_is_warned(store_url: str) -> None:
    with transaction(store_url) as s:
        for department, results, day in [
            ("technical", ["dissatisfied"] * 2 + ["satisfied"] * 3, 19),  # 2 / 5 = 0.4
            ("sales", ["dissatisfied"] * 4, 19),  # fewer than 5 callbacks
            ("service", ["dissatisfied"] + ["satisfied"] * 4, 19),  # 0.2, not above
            ("parts", ["not_reached"] * 3 + ["dissatisfied"] * 2, 19),  # 2 answered
            ("finance", ["dissatisfied"] * 5, 15),  # last week
        ]:
            for result in results:
                callback(s, department=department, answered_at=sh(2026, 11, day, 10),
                         result=result)
    assert raised(store_url, "dissatisfied") == [
        Warning(kind="dissatisfied", key="dissatisfied:technical:2026-W47",
                department="technical",
                figures={"callbacks": 5, "dissatisfied": 2, "share": 0.4})]


def test_a_mean_score_falling_two_weeks_running_is_warned_falling_once_is_not(
        store_url: str) -> None:
    with transaction(store_url) as s:
        for department, weeks in [
            ("technical", ([5, 4], [4], [3, 3])),  # 4.5 > 4.0 > 3.0
            ("sales", ([4], [3], [4, 3])),  # 4.0 > 3.0, then 3.5
            ("service", ([5], [4], [])),  # nothing scored this week
            ("finance", ([4], [4], [3])),  # not falling the first time
        ]:
            for day, scores in zip((4, 11, 18), weeks, strict=True):
                for score in scores:
                    callback(s, department=department, answered_at=sh(2026, 11, day, 10),
                             result="satisfied", score=score)
    assert raised(store_url, "score_falling") == [
        Warning(kind="score_falling", key="score_falling:technical:2026-W47",
                department="technical",
                figures={"two_weeks_ago": 4.5, "last_week": 4.0, "this_week": 3.0})]
