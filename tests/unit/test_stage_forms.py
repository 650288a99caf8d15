"""The rules a stage answer must pass beyond its form's field types."""

from __future__ import annotations

from typing import Any

import pytest

from models.stages import ChoiceForm, ReviewForm, SolutionForm, StageRules
from tests.flows import answers

VAGUE = ["加强培训", "加强检查", "strengthen training", "strengthen inspection"]
RULES = StageRules(vague_actions=VAGUE, min_options=1, max_options=3, options_offered=2)


def review(**changes: Any) -> ReviewForm:
    return ReviewForm.model_validate({**answers.REVIEW, **changes})


@pytest.mark.parametrize("action", ["加强培训", "加强培训。", "Strengthen training.",
                                    " strengthen inspection ", "加强检查！"])
def test_a_corrective_action_that_is_only_a_vague_phrase_is_refused(action: str) -> None:
    problems = review(corrective_action=action).problems(rules=RULES)
    assert len(problems) == 1 and problems[0].startswith("corrective_action: ")
    assert "too vague" in problems[0]


def test_a_vague_preventive_action_is_refused_too() -> None:
    problems = review(preventive_action="加强检查").problems(rules=RULES)
    assert [p.split(":")[0] for p in problems] == ["preventive_action"]


def test_a_concrete_action_that_mentions_training_is_accepted() -> None:
    action = "加强培训：王强于12月5日前为前台6人完成投诉接待培训，李娜每周抽查录音"
    assert review(corrective_action=action).problems(rules=RULES) == []


def test_a_root_cause_must_be_people_goods_or_place() -> None:
    assert review(root_cause_dimension="unknown").problems(rules=RULES) == [
        "root_cause_dimension: choose people, goods or place"]


def test_a_threatening_customer_needs_at_least_two_options() -> None:
    rules = RULES.model_copy(update={"min_options": 2})
    one = SolutionForm.model_validate(answers.SOLUTION_ONE)
    two = SolutionForm.model_validate(answers.SOLUTION_TWO)
    assert one.problems(rules=rules) == ["option_2: this customer needs at least 2 options, got 1"]
    assert two.problems(rules=rules) == []


def test_the_customer_can_only_choose_an_option_that_was_offered() -> None:
    third = ChoiceForm.model_validate({**answers.CHOICE, "chosen": "option_3"})
    second = ChoiceForm.model_validate(answers.CHOICE)
    assert third.problems(rules=RULES) == ["chosen: only 2 options were offered"]
    assert second.problems(rules=RULES) == []
