"""The text above a stage form: the case, the complaint, what earlier stages decided, and
the deadlines as the clocks have them now."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flows.forms import describe
from models.policy import load_policy

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
ENGLISH = POLICY.model_copy(update={"staff_language": "en"})


def view(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "case": "C-20261126-0007", "tier": "B", "level": "intermediate", "round": 2,
        "department": "technical", "channel": "web", "category": "repair_quality",
        "customer": {"name": "A*** W****"}, "subject": "Screen again",
        "description": "The screen you fitted has a dead row **again** <b>twice</b>. " * 40,
        "clocks": [
            {"name": "close", "round": 1, "due": "2026-11-27T02:00:00+00:00", "paused": False,
             "met_at": "2026-11-26T10:00:00+00:00", "outcome": "met"},
            {"name": "close", "round": 2, "due": "2026-11-28T04:27:00+00:00", "paused": False,
             "met_at": None, "outcome": "running"},
        ],
        "answers": {
            "solution-2": {"option_1": "Refund", "option_2": "New screen"},
            "choice-2": {"chosen": "option_2"},
            "execution-2": {"result": "done", "actions_taken": "Screen swapped and tested."},
        },
        "offer": ["Refund the screen", "A new screen and a 300 yuan voucher"],
        "rejections": 0, "card_url": "http://127.0.0.1:4200/v2/artifacts/key/case-c-1",
        "board_url": "http://127.0.0.1:4200/v2/artifacts/key/sla-board",
        "callback_result": "", "validity": "valid", "responsible": [], "handlers": [],
    }
    return {**base, **changes}


def test_a_form_shows_the_complaint_escaped_and_cut_at_1000_characters() -> None:
    text = describe("investigation", view(), [], POLICY)
    quoted = next(line for line in text.splitlines() if line.startswith("> The screen"))
    assert "\\*\\*again\\*\\*" in quoted and "<b>" not in quoted
    assert len(quoted) < 1400  # 1,000 characters plus the escapes


def test_the_choice_form_lists_the_options_proposed_with_their_text() -> None:
    text = describe("choice", view(), [], POLICY)
    assert "方案1：Refund the screen" in text
    assert "方案2：A new screen and a 300 yuan voucher" in text
    assert "方案3" not in text and "拒绝全部方案" in text
    final = describe("choice", view(rejections=2), [], POLICY)
    assert "拒绝全部方案" not in final


def test_in_english_the_choice_form_lists_the_options_by_their_keys_and_text() -> None:
    text = describe("choice", view(), [], ENGLISH)
    assert text.startswith("### Choice · case C-20261126-0007")
    assert "option_1: Refund the screen" in text
    assert "option_2: A new screen and a 300 yuan voucher" in text
    assert "option_3" not in text and "reject_all" in text
    assert "reject_all" not in describe("choice", view(rejections=2), [], ENGLISH)


def test_the_text_above_a_form_speaks_the_staff_language() -> None:
    text = describe("review", view(), ["x: bad"], POLICY)
    assert text.startswith("> **上次的答复未被采用：**")
    assert "### 复盘 · 案件 C-20261126-0007" in text
    assert "**部门** 技术部" in text and "**类别** 维修质量" in text
    assert "**执行** (已完成)" in text and "**有效性** 有效" in text


def test_later_forms_show_the_chosen_option_and_the_execution() -> None:
    text = describe("callback", view(), [], POLICY)
    assert "A new screen and a 300 yuan voucher" in text and "Screen swapped" in text


def test_the_deadline_shown_is_the_current_rounds_clock_in_local_time() -> None:
    text = describe("execution", view(), [], POLICY)
    assert "结案（第 2 轮）：2026年11月28日 12:27" in text
    assert "第 1 轮" not in text and "UTC" not in text
    assert text.count("Asia/Shanghai") == 1 and "- 时间均为 Asia/Shanghai" in text  # once
    english = describe("execution", view(), [], ENGLISH)
    assert "Close (round 2): 28 Nov 2026 12:27" in english
    assert "round 1" not in english and "- Times: Asia/Shanghai" in english


def test_a_form_links_the_case_card_and_the_board() -> None:
    text = describe("review", view(), [], POLICY)
    assert "(http://127.0.0.1:4200/v2/artifacts/key/case-c-1)" in text
    assert "sla-board" in text


def test_an_intermediate_result_is_a_notice_not_a_refusal() -> None:
    text = describe("execution", view(), [], POLICY, notice="intermediate")
    assert text.startswith("> **已记录中间结果：方案全部完成后请再次填报。**")
    assert "未被采用" not in text


def refused_review() -> dict[str, Any]:
    """A refused review as answer_stage stores it: the answer and its problems as data."""
    from datetime import date, timedelta

    from models.problems import from_validation
    from models.stages import ReviewForm, StageRules
    from tests.flows import answers

    rules = StageRules(vague_actions=POLICY.actions.vague_phrases,
                       filler_words=POLICY.actions.filler_words, today=date.today(),
                       handlers=[answers.REVIEW["approved_by"]])
    problems = ReviewForm.model_validate(answers.VAGUE_REVIEW).problems(rules=rules)
    late = {**answers.REVIEW["corrective_actions"][0],
            "due": (date.today() - timedelta(days=1)).isoformat(), "owner": ""}
    try:
        ReviewForm.model_validate({**answers.REVIEW, "preventive_actions": [late]})
    except ValidationError as exc:
        problems += from_validation(exc, "review")
    return json.loads(json.dumps({"given": answers.VAGUE_REVIEW, "problems": problems}))


def test_a_refused_answer_is_explained_in_chinese_naming_each_field_by_its_title() -> None:
    text = describe("review", view(), refused_review()["problems"], POLICY)
    refusal = text.split("###")[0]
    assert "> - 纠正措施 1 · 措施内容：“加强员工培训。”不算措施（只有空泛用语：" in refusal
    assert "> - 批准结案的领导：" in refusal and "处理过本案的环节" in refusal
    assert "> - 预防措施 1 · 负责人（姓名）：不能为空" in refusal
    assert not re.findall(r"[A-Za-z]{2,}", refusal.replace(
        answers_name(), "")), refusal  # field paths, English sentences: none


def test_in_english_a_refusal_reads_as_the_desk_always_printed_it() -> None:
    text = describe("review", view(), refused_review()["problems"], ENGLISH)
    assert "> - corrective_actions.0.what: '加强员工培训。' is not an action" in text
    assert "> - preventive_actions.0.owner: String should have at least 1 character" in text


def test_a_refusal_stored_as_an_english_line_is_shown_as_it_is() -> None:
    text = describe("review", view(), ["score: the customer was reached"], POLICY)
    assert "> - score: the customer was reached" in text


def answers_name() -> str:
    from tests.flows import answers

    return str(answers.REVIEW["approved_by"])
