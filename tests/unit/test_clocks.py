"""Clock arithmetic and the escalation ladder, at fixed instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from models.calendar import BusinessCalendar
from models.clocks import Clock, pause, plan, raise_level, resume
from models.policy import load_policy

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
CLOSE_B = Clock("close", started_at=T0, due_at=T0 + 24 * H)


def rungs(at: datetime, *, tier: str = "B", relayed: bool = False, clock: Clock = CLOSE_B,
          done: dict[str, datetime] | None = None, acknowledged: bool = False) -> list[str]:
    result = plan(clock, tier=tier, relayed=relayed, policy=POLICY.escalation, now=at,
                  done=done or {}, acknowledged=acknowledged)
    return [r.name for r in result.due_now]


def test_pausing_and_resuming_moves_the_due_time_by_the_pause() -> None:
    paused = pause(CLOSE_B, at=T0 + 2 * H)
    resumed = resume(paused, at=T0 + 5 * H)
    assert resumed.due_at == T0 + 27 * H and resumed.paused_seconds == 3 * 3600
    assert resumed.budget == 24 * H  # the budget itself is unchanged
    twice = resume(pause(resumed, at=T0 + 6 * H), at=T0 + 6 * H + timedelta(minutes=30))
    assert twice.due_at == T0 + 27.5 * H and twice.paused_seconds == 3.5 * 3600


def test_a_paused_clock_never_escalates() -> None:
    paused = pause(CLOSE_B, at=T0 + H)
    result = plan(paused, tier="A", relayed=True, policy=POLICY.escalation,
                  now=T0 + 100 * H, done={}, acknowledged=False)
    assert result.due_now == [] and result.next_check_at is None


def test_warnings_go_to_the_handler_at_half_and_three_quarters_of_the_budget() -> None:
    assert rungs(T0 + 11 * H) == []
    assert rungs(T0 + 12 * H) == ["warn-50"]
    assert rungs(T0 + 18 * H, done={"warn-50": T0 + 12 * H}) == ["warn-75"]


def test_warnings_after_a_pause_move_with_the_due_time() -> None:
    moved = resume(pause(CLOSE_B, at=T0 + H), at=T0 + 3 * H)
    assert rungs(T0 + 13 * H, clock=moved) == []
    assert rungs(T0 + 14 * H, clock=moved) == ["warn-50"]


def test_the_ladder_climbs_warning_breach_manager_then_general_manager() -> None:
    warned = {"warn-50": T0, "warn-75": T0}
    assert rungs(T0 + 24 * H, done=warned) == ["department_manager"]
    after = {**warned, "department_manager": T0 + 24 * H}
    assert rungs(T0 + 24.5 * H, done=after) == []
    assert rungs(T0 + 25 * H, done=after) == ["general_manager"]


def test_acknowledgement_stops_the_climb() -> None:
    after = {"warn-50": T0, "warn-75": T0, "department_manager": T0 + 24 * H}
    assert rungs(T0 + 30 * H, done=after, acknowledged=True) == []


def test_tier_a_goes_to_the_general_manager_at_once_on_breach() -> None:
    clock = Clock("close", started_at=T0, due_at=T0 + 8 * H)
    done = {"warn-50": T0, "warn-75": T0}
    assert rungs(T0 + 8 * H, tier="A", clock=clock, done=done) == [
        "department_manager", "general_manager"]


def test_a_media_case_goes_to_the_general_manager_and_public_relations_at_once() -> None:
    done = {"warn-50": T0, "warn-75": T0}
    assert rungs(T0 + 24 * H, relayed=True, done=done) == [
        "department_manager", "general_manager", "public_relations"]


def test_the_next_check_is_the_next_rung_so_the_watchdog_reads_only_what_is_due() -> None:
    result = plan(CLOSE_B, tier="B", relayed=False, policy=POLICY.escalation, now=T0,
                  done={}, acknowledged=False)
    assert result.next_check_at == T0 + 12 * H
    fired = plan(CLOSE_B, tier="B", relayed=False, policy=POLICY.escalation,
                 now=T0 + 24 * H, done={"warn-50": T0, "warn-75": T0}, acknowledged=False)
    assert fired.breached and fired.next_check_at == T0 + 25 * H


@pytest.mark.parametrize(("before", "after"), [
    ("general", "intermediate"), ("intermediate", "strong"), ("strong", "strong"),
    ("irrational", "irrational"),
])
def test_a_case_unclosed_in_time_rises_one_level(before: str, after: str) -> None:
    assert raise_level(before) == after


CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize(("received", "due"), [
    (datetime(2026, 11, 27, 17, 59, tzinfo=CST), datetime(2026, 11, 27, 18, 0, tzinfo=CST)),
    (datetime(2026, 11, 27, 18, 0, tzinfo=CST), datetime(2026, 11, 30, 18, 0, tzinfo=CST)),
    (datetime(2026, 9, 30, 20, 0, tzinfo=CST), datetime(2026, 10, 8, 18, 0, tzinfo=CST)),
    (datetime(2026, 10, 9, 19, 0, tzinfo=CST), datetime(2026, 10, 10, 18, 0, tzinfo=CST)),
    (datetime(2026, 2, 13, 22, 0, tzinfo=UTC), datetime(2026, 2, 14, 18, 0, tzinfo=CST)),
])
def test_business_day_clocks_cross_weekends_holidays_and_adjusted_saturdays(
    received: datetime, due: datetime,
) -> None:
    assert BusinessCalendar(POLICY.calendar).same_business_day(received) == due


def test_a_breach_found_late_still_gives_the_manager_time_to_acknowledge() -> None:
    late = T0 + 72 * H
    assert rungs(late) == ["warn-50", "warn-75", "department_manager"]
    told = {"warn-50": late, "warn-75": late, "department_manager": late}
    assert rungs(late + 0.5 * H, done=told) == []
    assert rungs(late + H, done=told) == ["general_manager"]
