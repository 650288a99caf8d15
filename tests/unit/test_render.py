"""Templates: every purpose in both languages, strict about context, escaping customer text."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from notifications.render import LANGUAGES, PURPOSES, render

SCRIPT = "<script>alert('x')</script>"
COMMON = {"case_number": "C-20261124-0007", "recipient_name": "Anna Weber",
          "subject": f"Screen {SCRIPT}", "tier": "B", "department_title": "Technical department"}
CONTEXTS: dict[str, dict[str, Any]] = {
    "acknowledgement": {"close_deadline": "2026-11-25 10:00 (UTC+08:00)", "channel": "web",
                        "contact_name": "Zhou Qiang", "contact_phone": "+86 21 5555 0101"},
    "handover": {"description": f"It broke {SCRIPT}", "category": "repair_quality",
                 "level": "intermediate", "reasons": ["claimed loss 800.00 yuan: tier B"],
                 "handover_deadline": "h", "first_reply_deadline": "f", "close_deadline": "c",
                 "customer_contact": "+8613812345678", "case_url": ""},
    "progress": {"note": f"Part ordered {SCRIPT}", "close_deadline": "c"},
    "solution_proposal": {"solution_type": "compensation", "note": "",
                          "options": [f"Refund {SCRIPT}", "New screen and a voucher"]},
    "callback_survey": {"summary": f"Screen replaced {SCRIPT}"},
    "escalation": {"rung": "general_manager", "reason": f"failed {SCRIPT}", "clock": "close",
                   "due": "2026-11-25 10:00", "case_url": "http://127.0.0.1:4200/runs/x"},
    "closure": {"summary": f"Batch testing {SCRIPT}"},
    "callback_result": {"result_text": "not satisfied", "score": 2, "attempts": 1, "round": 1,
                        "feedback": f"Still noisy {SCRIPT}"},
    "action_due": {"action_kind": "corrective", "what": f"Retrain the desk {SCRIPT}",
                   "owner": "Wang Fang", "due": "2026-12-05 18:00 (UTC+08:00)",
                   "check": "Quiz scores", "action_id": 3, "case_url": ""},
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_purpose_renders_in_both_languages_with_customer_text_escaped(
    purpose: str, language: str,
) -> None:
    message = render(purpose, language, {**COMMON, **CONTEXTS[purpose]})
    assert SCRIPT not in message.html and "&lt;script&gt;" in message.html
    assert SCRIPT in message.text  # plain text shows it as the literal text it was
    assert "\n" not in message.subject and "<" not in message.subject.replace(SCRIPT, "")
    assert "C-20261124-0007" in message.subject + message.text
    assert f'lang="{"zh-CN" if language == "zh" else "en"}"' in message.html


def test_chinese_messages_are_written_in_chinese() -> None:
    message = render("acknowledgement", "zh", {**COMMON, **CONTEXTS["acknowledgement"]})
    assert message.subject.startswith("您的投诉已受理") and "尊敬的Anna Weber" in message.text


def test_the_acknowledgement_names_the_department_its_contact_and_phone() -> None:
    for language in LANGUAGES:
        text = render("acknowledgement", language,
                      {**COMMON, **CONTEXTS["acknowledgement"]}).text
        assert "Technical department" in text and "Zhou Qiang" in text
        assert "+86 21 5555 0101" in text


def test_a_missing_context_name_is_an_error_not_a_blank() -> None:
    context = {**COMMON, **CONTEXTS["progress"]}
    del context["note"]
    with pytest.raises(jinja2.UndefinedError, match="note"):
        render("progress", "en", context)


def test_an_unknown_purpose_or_language_names_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="is not one of acknowledgement, handover"):
        render("apology", "en", COMMON)
    with pytest.raises(ValueError, match="language 'fr' is not one of zh, en"):
        render("closure", "fr", COMMON)


def test_one_option_is_proposed_without_asking_to_choose() -> None:
    context = {**COMMON, **CONTEXTS["solution_proposal"], "options": ["Replace it"]}
    assert "which option" not in render("solution_proposal", "en", context).text
