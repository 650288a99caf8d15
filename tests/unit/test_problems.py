"""Why an answer is refused, as data worded per language: every sentence in both
catalogs, the field named by the form's title in Chinese, English as the desk printed it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from models.actions import ActionCheck
from models.i18n import words
from models.problems import ProblemError, from_validation, one_line, problem, text, title
from models.stages import HandoverForm, InvestigationForm, ReviewForm


def keys(node: Any, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    return set().union(*(keys(v, f"{prefix}.{k}" if prefix else str(k)) for k, v in node.items()))


SENTENCES = sorted(k for k in keys(words("en")["problem"]) if k.split(".")[0] not in
                   ("word", "field"))
# One value of every name a sentence takes; those a person typed (or a key the field
# takes as it is) may show as they are in Chinese.
VALUES = {"given": "全体员工", "msg": "Input should be a valid date", "number": "C-20261124-0001",
          "departments": ["technical", "finance"], "phrases": ["加强培训", "加强检查"],
          "close": ["C-20261124-0002", "C-20261124-0003"], "decider": "general_manager",
          "kind": "preventive", "today": "2026-11-26", "status": "closed",
          "waiting": "review-retry2", "least": 2, "count": 1, "most": 3, "rejections": 2,
          "offered": 2, "when": "2026-11-27 09:00", "min_length": 1, "max_length": 120,
          "ge": 0, "gt": 0, "le": 100000000, "lt": 6, "allowed": ["sign", "transfer"]}
TYPED = ["全体员工", "Input should be a valid date", "technical", "finance"]


@pytest.mark.parametrize("key", SENTENCES)
def test_every_refusal_reads_in_chinese_and_english_with_every_value_filled(key: str) -> None:
    stored = problem("decision", key, **VALUES)
    for language in ("zh", "en"):
        line = text(stored, language, HandoverForm)
        assert line and "{" not in line and "}" not in line and "problem." not in line
    chinese = text(stored, "zh", HandoverForm)
    assert chinese.startswith("签收或转办：")
    for typed in TYPED:
        chinese = chinese.replace(typed, "")
    assert not re.findall(r"[A-Za-z]{2,}", chinese), chinese
    assert text(stored, "en", HandoverForm).startswith("decision: ")


def test_both_catalogs_have_the_same_refusals() -> None:
    assert keys(words("zh")["problem"]) == keys(words("en")["problem"])


def test_a_nested_field_is_named_by_its_titles_counted_from_one() -> None:
    assert title("corrective_actions.0.what", "zh", ReviewForm) == "纠正措施 1 · 措施内容"
    assert title("responsible_persons.2.department", "zh", InvestigationForm) == "责任人 3 · 部门"
    assert title("case_number", "zh", None) == "投诉单号"
    assert title("nonsense", "zh", ReviewForm) == "nonsense"


def test_a_line_stored_before_problems_were_data_is_shown_as_it_is() -> None:
    old = "corrective_actions.0.what: 'x' says nothing"
    assert text(old, "zh", ReviewForm) == text(old, "en") == old


def test_a_department_is_named_in_chinese_with_the_key_the_field_takes() -> None:
    stored = problem("transfer_to", "handover.other_department", departments=["finance"])
    assert text(stored, "en", HandoverForm) == "transfer_to: choose another department: finance"
    assert text(stored, "zh", HandoverForm) == "转办部门：请选择其他部门（财务部（finance））"


def refusal(model: type[BaseModel], answer: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(answer)
    found = from_validation(caught.value, "answer")
    assert json.loads(json.dumps(found)) == found  # as the store keeps it
    return found


def test_a_value_the_form_cannot_take_names_the_field_and_what_is_allowed() -> None:
    found = refusal(InvestigationForm, {**_investigation(), "established_loss_yuan": -1,
                                        "validity": "maybe"})
    assert [text(p, "zh", InvestigationForm) for p in found] == [
        "有效或无效投诉：请从以下选项中选择：有效、无效",
        "核定的公司损失（元）：须大于或等于 0"]
    assert [text(p, "en", InvestigationForm) for p in found] == [
        "validity: Input should be 'valid' or 'invalid'",
        "established_loss_yuan: Input should be greater than or equal to 0"]


def test_limits_read_with_the_locale_digits_and_lists_count_their_items() -> None:
    found = refusal(InvestigationForm, {**_investigation(), "established_loss_yuan": 10**9,
                                        "responsible_persons": [{"name": "a", "department":
                                                                 "technical"}] * 11})
    assert [text(p, "zh", InvestigationForm) for p in found] == [
        "核定的公司损失（元）：须小于或等于 100,000,000", "责任人：最多 10 项"]


class Coded(BaseModel):
    code: str = Field(pattern=r"^\d+$")


def test_an_error_type_without_a_sentence_quotes_pydantics_message() -> None:
    (found,) = refusal(Coded, {"code": "xyz"})
    assert found["key"] == "input.other"
    assert text(found, "zh") == "code：无法采用（String should match pattern '^\\d+$'）"


def test_the_action_check_and_the_cli_line_stay_english() -> None:
    answer = ActionCheck(checked_by="王芳", done="no", effective="yes")
    assert one_line(answer.problems(), "zh", ActionCheck) == \
        "是否有效：未完成的措施不可能有效：请选“否”"
    error = ProblemError([problem("acknowledged_by", "operations.no_name")])
    assert str(error) == "acknowledged_by: give the name of the person acknowledging"


def _investigation() -> dict[str, Any]:
    from tests.flows import answers

    return dict(answers.INVESTIGATION)


def test_every_refusal_the_code_makes_has_its_sentence() -> None:
    from tests.conftest import ROOT

    source = "".join(path.read_text(encoding="utf-8") for folder in ("models", "tasks", "flows")
                     for path in (ROOT / folder).rglob("*.py"))
    made = set(re.findall(r'\bproblem\(\s*[^,()]+,\s*f?"([a-z_]+\.[a-z_{}]+)"', source))
    made = {key.format(part=part) for key in made for part in ("what", "check")}
    assert len(made) > 25 and made <= set(SENTENCES), made - set(SENTENCES)
