"""Preliminary judgment at its boundaries: tiers, levels, routing, deadlines, calendar."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from models.policy import load_policy
from models.settings import get_settings
from models.triage import Judgment, triage, triage_json
from tests.factories import make_intake

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def judge(received: str = "2026-11-24T10:00", **overrides: Any) -> Judgment:
    return triage(make_intake(**overrides), policy=POLICY, received_at=at(received))


@pytest.mark.parametrize(("loss", "tier"), [
    (0, "C"), (0.01, "B"), (2999.99, "B"), (3000.00, "B"), (3000.01, "A"), (120000, "A"),
])
def test_claimed_loss_sets_the_tier_at_the_3000_yuan_boundary(loss: float, tier: str) -> None:
    assert judge(claimed_loss=loss).tier.value == tier


def test_loss_over_3000_yuan_is_tier_a_and_says_why_as_data() -> None:
    assert judge(claimed_loss=3000.01).reasons[0] == {
        "key": "loss_over", "loss": "3000.01", "threshold": "3000.00", "tier": "A"}


@pytest.mark.parametrize(("field", "value", "tier"), [
    ("violation", "severe", "A"), ("emotion", "extreme", "A"), ("public_impact", "large", "A"),
    ("violation", "minor", "B"), ("emotion", "strong", "B"), ("public_impact", "some", "B"),
    ("channel", "media", "B"), ("channel", "consumer_association", "B"),
    ("channel", "regulator", "B"), ("channel", "hotline", "C"), ("channel", "walk_in", "C"),
])
def test_each_criterion_puts_the_complaint_in_its_tier(field: str, value: str, tier: str) -> None:
    assert judge(**{field: value}).tier.value == tier


def test_the_highest_tier_any_criterion_reaches_wins() -> None:
    judgment = judge(emotion="strong", violation="severe", claimed_loss=50)
    assert judgment.tier.value == "A"
    assert judgment.reasons[0] == {"key": "violation_severe", "tier": "A"}
    assert {"key": "emotion_strong", "tier": "B", "higher": "A"} in judgment.reasons
    assert {"key": "loss_up_to", "loss": "50.00", "threshold": "3000.00", "tier": "B",
            "higher": "A"} in judgment.reasons


def test_an_invalid_complaint_is_tier_d_whatever_else_it_carries() -> None:
    judgment = judge(valid=False, emotion="extreme", claimed_loss=9000)
    assert (judgment.tier.value, judgment.level.value) == ("D", "irrational")


@pytest.mark.parametrize(("overrides", "level"), [
    ({"emotion": "extreme"}, "strong"), ({"emotion": "strong"}, "intermediate"),
    ({}, "general"), ({"valid": False}, "irrational"),
    ({"unreasonable_type": "interest_driven", "emotion": "extreme"}, "irrational"),
])
def test_level_follows_tier_unless_the_complaint_is_unreasonable(
    overrides: dict[str, Any], level: str,
) -> None:
    assert judge(**overrides).level.value == level


@pytest.mark.parametrize(("category", "department"), [
    ("product_defect", "technical"), ("repair_quality", "technical"),
    ("repair_cost", "finance"), ("service_attitude", "service"), ("after_sales", "service"),
    ("purchase", "sales"), ("delivery_delay", "sales"), ("false_advertising", "marketing"),
    ("parts", "parts"), ("other", "customer_service"),
])
def test_the_category_routes_to_its_department(category: str, department: str) -> None:
    assert judge(category=category).department == department


def test_a_media_case_is_handed_over_in_30_minutes_and_the_manager_told_at_once() -> None:
    judgment = judge(channel="media")
    assert judgment.deadlines.handover == at("2026-11-24T10:30")
    assert judgment.inform == ["department_manager"]


def test_a_tier_a_media_case_informs_public_relations_too() -> None:
    assert judge(channel="regulator", public_impact="large").inform == [
        "department_manager", "public_relations"]


def test_a_hotline_complaint_gets_its_first_reply_within_3_hours() -> None:
    assert judge(channel="hotline").deadlines.first_reply == at("2026-11-24T13:00")


def test_a_threatening_customer_needs_two_options_and_a_superior() -> None:
    judgment = judge(threatening=True)
    assert judgment.needs_options == 2 and judgment.inform == ["department_manager"]


@pytest.mark.parametrize(("received", "tier", "expected"), [
    # tier: acknowledge, handover, first reply, close
    ("2026-11-24T10:00", "A", ("10:30", "10:30", "13:00", "18:00")),
    ("2026-11-24T10:00", "B", ("11:00", "11:00", "18:00", "2026-11-25T10:00")),
])
def test_hour_limits_are_wall_clock(received: str, tier: str,
                                    expected: tuple[str, ...]) -> None:
    loss = {"A": 5000, "B": 100}[tier]
    deadlines = judge(received, claimed_loss=loss).deadlines
    got = (deadlines.acknowledge, deadlines.handover, deadlines.first_reply, deadlines.close)
    want = tuple(at(e if "T" in e else f"2026-11-24T{e}") for e in expected)
    assert got == want


@pytest.mark.parametrize(("received", "first_reply", "close"), [
    # weekday morning: 18:00 the same day
    ("2026-11-24T10:00", "2026-11-24T18:00", "2026-11-26T10:00"),
    # after hours on a Tuesday: 18:00 on Wednesday
    ("2026-11-24T19:30", "2026-11-25T18:00", "2026-11-26T19:30"),
    # Sunday: Monday 18:00
    ("2026-11-29T10:00", "2026-11-30T18:00", "2026-12-01T10:00"),
    # last day of the National Day holiday: the first working day after it
    ("2026-10-07T10:00", "2026-10-08T18:00", "2026-10-09T10:00"),
    # an official adjusted working Saturday counts as a working day
    ("2026-10-10T10:00", "2026-10-10T18:00", "2026-10-12T10:00"),
    ("2026-02-14T09:30", "2026-02-14T18:00", "2026-02-16T09:30"),
    # an ordinary Saturday does not: Monday 18:00, cut back to the close deadline
    ("2026-10-17T10:00", "2026-10-19T10:00", "2026-10-19T10:00"),
    # National Day itself: the next working day is past the close deadline
    ("2026-10-01T10:00", "2026-10-03T10:00", "2026-10-03T10:00"),
])
def test_same_business_day_follows_the_official_calendar(
    received: str, first_reply: str, close: str,
) -> None:
    deadlines = judge(received).deadlines
    assert (deadlines.first_reply, deadlines.close) == (at(first_reply), at(close))


def test_a_deadline_cut_back_to_close_is_explained() -> None:
    assert {"key": "cut_back", "clock": "first_reply"} in judge("2026-10-01T10:00").reasons


def test_a_year_the_official_calendar_does_not_know_falls_back_to_weekdays() -> None:
    judgment = judge("2027-01-05T10:00")
    assert judgment.deadlines.first_reply == at("2027-01-05T18:00")
    assert {"key": "no_calendar", "year": "2027"} in judgment.reasons


def test_the_policy_can_add_holidays_for_a_year_not_yet_published() -> None:
    calendar = POLICY.calendar.model_copy(update={"extra_holidays": ["2027-01-05"]})
    policy = POLICY.model_copy(update={"calendar": calendar})
    judgment = triage(make_intake(), policy=policy, received_at=at("2027-01-05T10:00"))
    assert judgment.deadlines.first_reply == at("2027-01-06T18:00")


def test_triage_json_has_the_documented_keys_and_offsets() -> None:
    data = triage_json(judge(claimed_loss=500))
    assert set(data) >= {"tier", "level", "department", "reasons", "deadlines"}
    assert set(data["deadlines"]) == {"acknowledge", "handover", "first_reply", "close"}
    assert data["deadlines"]["close"] == "2026-11-25T10:00:00+08:00"


def test_complaints_triage_prints_one_json_object_and_needs_no_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "intake.json"
    path.write_text(make_intake(claimed_loss=3000.01).model_dump_json(), encoding="utf-8")
    assert main(["triage", str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["tier"], printed["level"], printed["department"]) == (
        "A", "strong", "technical")
    assert printed["deadlines"]["close"] == "2026-11-24T18:00:00+08:00"
    assert printed["reasons"][0] == {
        "key": "loss_over", "loss": "3000.01", "threshold": "3000.00", "tier": "A"}
    assert printed["reasons_text"][0] == (
        "声称损失 3,000.01 元，超过 3,000 元：定为 A级（重大投诉）")


def test_complaints_triage_words_the_reasons_in_the_policys_staff_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    english = tmp_path / "policy.yaml"
    text = (Path(__file__).resolve().parents[2] / "policy.yaml").read_text(encoding="utf-8")
    english.write_text(text.replace("staff_language: zh", "staff_language: en"),
                       encoding="utf-8")
    monkeypatch.setenv("COMPLAINTS_POLICY_FILE", str(english))
    get_settings.cache_clear()
    path = tmp_path / "intake.json"
    path.write_text(make_intake(claimed_loss=800).model_dump_json(), encoding="utf-8")
    try:
        assert main(["triage", str(path)]) == 0
    finally:
        monkeypatch.delenv("COMPLAINTS_POLICY_FILE")
        get_settings.cache_clear()
    printed = json.loads(capsys.readouterr().out)
    assert printed["reasons_text"] == [
        "claimed loss 800.00 yuan, over 0 and up to 3,000 yuan: tier B (Serious)"]
