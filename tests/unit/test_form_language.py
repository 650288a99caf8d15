"""The forms a run waits at speak the staff language: titles, help and the words of each
choice come from the catalog, while the values a form sends back stay the stable keys."""

from __future__ import annotations

import re
from typing import Any
from unittest.mock import patch

import pytest
from pydantic import BaseModel

import flows.conductor as conductor
from models.actions import ActionCheck
from models.form_words import localized, to_keys
from models.i18n import words
from models.reports.forms import BulletinSignature
from models.stages import FORMS, InvestigationForm, ReviewForm

MODELS: list[type[BaseModel]] = [*FORMS.values(), ActionCheck, BulletinSignature]
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def texts(schema: dict[str, Any]) -> list[str]:
    """Every field title, help and choice title of a schema, nested models included."""
    found = []
    for part in [schema, *schema.get("$defs", {}).values()]:
        for prop in part.get("properties", {}).values():
            found += [prop.get("title", ""), prop.get("description", "")]
            found += [choice["title"] for choice in prop.get("anyOf", []) if "const" in choice]
    return [text for text in found if text]


def keys_of(node: dict[str, Any], prefix: str = "") -> set[str]:
    found = set()
    for key, value in node.items():
        found.add(prefix + key)
        if isinstance(value, dict):
            found |= keys_of(value, f"{prefix}{key}.")
    return found


def test_the_form_section_has_the_same_keys_in_both_languages() -> None:
    assert keys_of(words("zh")["form"]) == keys_of(words("en")["form"])


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_title_help_and_choice_of_a_chinese_form_is_chinese(
    model: type[BaseModel],
) -> None:
    found = texts(localized(model, "zh").model_json_schema())
    assert found
    english = {text: ASCII_WORD.findall(text) for text in found if ASCII_WORD.search(text)}
    assert not english, english


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_english_form_keeps_the_models_own_titles_and_english_help(
    model: type[BaseModel],
) -> None:
    schema = localized(model, "en").model_json_schema()
    for name, field in model.model_fields.items():
        prop = schema["properties"][name]
        assert prop["title"] == field.title, name
        assert bool(prop.get("description")) == bool(field.description), name
    assert not [text for text in texts(schema) if CJK.search(text)]


def test_a_nested_list_item_speaks_the_staff_language_too() -> None:
    schema = localized(ReviewForm, "zh").model_json_schema()
    action = schema["$defs"]["Action"]["properties"]
    assert action["what"]["title"] == "措施内容" and action["due"]["title"] == "完成日期"
    persons = localized(InvestigationForm, "zh").model_json_schema()["$defs"]
    assert persons["Responsible"]["properties"]["name"]["title"] == "姓名"


def test_a_choice_shows_words_and_keeps_its_keys_as_values() -> None:
    schema = localized(InvestigationForm, "zh").model_json_schema()
    def shown(name: str) -> list[tuple[str, str]]:
        return [(c["const"], c["title"]) for c in schema["properties"][name]["anyOf"]
                if "const" in c]
    assert shown("root_cause") == [("people", "人"), ("goods", "货"), ("place", "场"),
                                   ("unknown", "不明")]
    assert shown("validity") == [("valid", "有效"), ("invalid", "无效")]
    assert all(c["enum"] == [c["const"]] for c in schema["properties"]["validity"]["anyOf"]
               if "const" in c)
    assert [c["title"] for c in schema["properties"]["follow_up"]["anyOf"]] == [
        "无", "关注", "监控"]


def test_a_choice_without_a_default_starts_on_a_tab_that_holds_no_value() -> None:
    decision = localized(InvestigationForm, "zh").model_json_schema()["properties"]["validity"]
    assert decision["anyOf"][0] == {"enum": [], "title": "请选择", "type": "string"}
    assert "default" not in decision
    satisfied = localized(FORMS["callback"], "zh").model_json_schema()["properties"]["satisfied"]
    assert [c["title"] for c in satisfied["anyOf"]] == ["请选择", "满意", "不满意", "未联系上"]


def test_an_answer_given_with_the_words_maps_to_the_keys_and_validates() -> None:
    answer = {"answered_by": "孙浩", "facts": "卡箍未装回。", "customer_expectation": "修好",
              "first_reply": "今天上门。", "validity": "有效", "root_cause": "人",
              "established_loss_yuan": 120, "unreasonable_type": "情绪化",
              "follow_up": "关注", "responsible_persons": [
                  {"name": "高军", "department": "technical"}]}
    form = InvestigationForm.model_validate(to_keys(InvestigationForm, answer, "zh"))
    assert (form.validity.value, form.root_cause.value, form.follow_up.value) == (
        "valid", "people", "watch")
    assert form.unreasonable_type.value == "emotional"
    check = to_keys(ActionCheck, {"checked_by": "高军", "done": "是", "effective": "否"}, "zh")
    assert ActionCheck.model_validate(check).done == "yes"


def test_an_answer_given_with_the_keys_stays_as_it_is() -> None:
    answer = {"validity": "invalid", "root_cause": "place", "follow_up": "monitor"}
    assert to_keys(InvestigationForm, answer, "zh") == answer


class _Policy:
    def __init__(self, language: str) -> None:
        self.staff_language = language


def test_the_choice_form_offers_each_option_by_its_number_and_sends_back_its_key() -> None:
    view = {"offer": ["退还屏幕费用", "换新屏幕并送 300 元代金券"], "rejections": 0}
    with patch.object(conductor, "policy", lambda: _Policy("zh")):
        offered = conductor._offered("choice", view)
        assert offered == {"option_1": "方案1",
                           "option_2": "方案2",
                           "reject_all": "拒绝全部方案"}
        form = conductor._form("choice", "choice-2", "说明", offered=offered)
    chosen = form.model_json_schema()["properties"]["chosen"]
    assert chosen["title"] == "客户对方案的答复"
    assert [c.get("const") for c in chosen["anyOf"]] == [
        None, "option_1", "option_2", "reject_all"]  # first the tab that holds no value
    with patch.object(conductor, "policy", lambda: _Policy("zh")):
        final = conductor._offered("choice", {**view, "rejections": 2})
    assert final is not None and "reject_all" not in final


def test_an_english_choice_form_offers_the_options_by_key_and_text() -> None:
    with patch.object(conductor, "policy", lambda: _Policy("en")):
        offered = conductor._offered("choice", {"offer": ["Refund"], "rejections": 0})
    assert offered == {"option_1": "Option 1", "reject_all": "Reject all options"}
