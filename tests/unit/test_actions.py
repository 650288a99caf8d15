"""Corrective and preventive actions: vague ones refused, each part named, due after today."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from models.actions import Action, ActionCheck, action_problems, actions_problems, due_moment, vague
from models.policy import load_policy
from models.problems import texts
from tests.conftest import ROOT

RULES = load_policy(ROOT / "policy.yaml").actions
WORDS = {"phrases": RULES.vague_phrases, "fillers": RULES.filler_words}
TODAY = date(2026, 11, 26)
CONCRETE = [
    "王芳于12月5日前为前台6名员工做退款流程培训，考试不合格者重考",
    "Parts desk tests 1 in 10 screens of each batch on arrival from 1 Dec; "
    "Wu Hao checks the log weekly.",
]


def action(**overrides: Any) -> Action:
    data = {"what": "前台退款流程培训并考试", "owner": "王芳", "due": "2026-12-05",
            "check": "12月抽查20笔退款，差错为零"}
    return Action.model_validate({**data, **overrides})


class Review(BaseModel):  # as the review form will hold them
    corrective_actions: list[Action]
    preventive_actions: list[Action]


@pytest.mark.parametrize(("text", "named"), [
    ("加强员工培训", ["加强培训"]),
    ("加强培训，加强检查", ["加强培训", "加强检查"]),
    ("加强管理，提高意识", ["加强管理", "提高意识"]),
    ("提高服务意识", ["提高服务意识"]),
    ("今后注意", ["今后注意"]),
    ("Strengthen staff training", ["strengthen training"]),
    ("加强培训", ["加强培训"]),
    ("加强检查。", ["加强检查"]),
    ("We will strengthen training and pay more attention in future.",
     ["strengthen training", "pay more attention"]),
    ("加强培训！加强培训；；", ["加强培训"]),
    ("  STRENGTHEN   inspection ", ["strengthen inspection"]),
])
def test_a_text_made_only_of_vague_phrases_is_vague(text: str, named: list[str]) -> None:
    assert vague(text, **WORDS) == named


@pytest.mark.parametrize("text", CONCRETE)
def test_a_concrete_action_is_not_vague(text: str) -> None:
    assert vague(text, **WORDS) == []


@pytest.mark.parametrize("text", ["培训", "Strengthen trainings", "strengthen training logs"])
def test_a_phrase_matches_whole_words_and_whole_text_only(text: str) -> None:
    assert vague(text, **WORDS) == []


def test_a_vague_what_is_refused_naming_its_place_and_phrase() -> None:
    problems = action_problems(action(what="加强员工培训"), field="corrective_actions.0",
                               today=TODAY, **WORDS)
    assert texts(problems, "en") == [
        "corrective_actions.0.what: '加强员工培训' is not an action (only vague phrases: "
        "加强培训); say what is done, by whom, by when and how it is checked"]


def test_a_concrete_action_due_later_has_no_problems() -> None:
    assert action_problems(action(), field="corrective_actions.0", today=TODAY, **WORDS) == []


@pytest.mark.parametrize("part", ["what", "owner", "due", "check"])
def test_a_missing_part_is_named(part: str) -> None:
    data = action().model_dump(mode="json")
    del data[part]
    with pytest.raises(ValidationError) as caught:
        Review.model_validate({"corrective_actions": [action().model_dump(), data],
                               "preventive_actions": []})
    assert [e["loc"] for e in caught.value.errors()] == [("corrective_actions", 1, part)]


@pytest.mark.parametrize("part", ["what", "owner", "check"])
def test_a_blank_part_is_named(part: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Review.model_validate({"corrective_actions": [],
                               "preventive_actions": [{**action().model_dump(), part: "  "}]})
    assert [e["loc"] for e in caught.value.errors()] == [("preventive_actions", 0, part)]


@pytest.mark.parametrize(("owner", "check", "field"), [
    ("大家", "12月抽查20笔退款", "owner"), ("All staff", "12月抽查20笔退款", "owner"),
    ("王芳", "加强检查", "check"), ("王芳", "……", "check"),
])
def test_an_owner_naming_nobody_or_a_vague_check_is_refused(owner: str, check: str,
                                                            field: str) -> None:
    problems = action_problems(action(owner=owner, check=check), field="preventive_actions.1",
                               today=TODAY, **WORDS)
    assert [p["field"] for p in problems] == [f"preventive_actions.1.{field}"]


@pytest.mark.parametrize("due", ["2026-11-26", "2026-11-25", "2025-01-01"])
def test_an_action_due_today_or_before_is_refused(due: str) -> None:
    problems = action_problems(action(due=due), field="corrective_actions.0", today=TODAY,
                               **WORDS)
    assert texts(problems, "en") == ["corrective_actions.0.due: must be after today (2026-11-26)"]


def test_a_valid_complaint_needs_one_action_of_each_kind() -> None:
    assert texts(actions_problems([], [], valid=True, today=TODAY, **WORDS), "en") == [
        "corrective_actions: a valid complaint needs at least one corrective action",
        "preventive_actions: a valid complaint needs at least one preventive action"]
    assert actions_problems([action()], [action()], valid=True, today=TODAY, **WORDS) == []


def test_an_invalid_complaint_may_have_no_actions_but_those_it_has_are_checked() -> None:
    assert actions_problems([], [], valid=False, today=TODAY, **WORDS) == []
    problems = actions_problems([], [action(), action(what="今后注意")], valid=False,
                                today=TODAY, **WORDS)
    assert [p["field"] for p in problems] == ["preventive_actions.1.what"]


def test_an_action_is_due_at_the_end_of_its_working_day_in_the_calendar_timezone() -> None:
    moment = due_moment(date(2026, 12, 5), timezone="Asia/Shanghai", workday_end=time(18))
    assert moment.isoformat() == "2026-12-05T18:00:00+08:00"


def test_the_check_form_has_no_default_for_done_or_effective() -> None:
    schema = ActionCheck.model_json_schema()
    assert set(schema["required"]) == {"checked_by", "done", "effective"}
    assert schema["properties"]["done"]["enum"] == ["yes", "no"]


def test_an_action_not_done_cannot_have_worked() -> None:
    answer = ActionCheck(checked_by="王芳", done="no", effective="yes")
    assert texts(answer.problems(), "en") == [
        "effective: an action that was not done cannot have worked; answer no"]
    assert ActionCheck(checked_by="王芳", done="no", effective="no").problems() == []
