"""Templates: every purpose in both languages, strict about context, escaping customer text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import pytest

from models.policy import Contact, load_policy
from notifications.render import LANGUAGES, PURPOSES, Rendered, render
from notifications.wording import CaseFacts, message_context

SCRIPT = "<script>alert('x')</script>"
POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
FACTS = CaseFacts(number="C-20261124-0007", subject=f"Screen {SCRIPT}",
                  customer_name="Anna Weber", tier="B", level="intermediate",
                  category="repair_quality", channel="web", department="technical")
COMMON = {"case_number": "C-20261124-0007", "recipient_name": "Anna Weber",
          "subject": f"Screen {SCRIPT}", "tier": "B"}
AT = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CONTEXTS: dict[str, dict[str, Any]] = {
    "acknowledgement": {"close_deadline": AT, "channel": "web"},
    "handover": {"description": f"It broke {SCRIPT}",
                 "reasons": [{"key": "loss_up_to", "loss": "800.00", "threshold": "3000.00",
                              "tier": "B"}],
                 "handover_deadline": AT, "first_reply_deadline": AT, "close_deadline": AT,
                 "customer_contact": "+8613812345678", "case_url": ""},
    "progress": {"note": f"Part ordered {SCRIPT}", "close_deadline": AT, "next_reply": None},
    "solution_proposal": {"solution_type": "compensation", "note": "",
                          "options": [f"Refund {SCRIPT}", "New screen and a voucher"]},
    "callback_survey": {"summary": f"Screen replaced {SCRIPT}"},
    "escalation": {"rung": "general_manager", "reason": f"failed {SCRIPT}", "clock": "close-1",
                   "due": AT, "next_reply": None,
                   "case_url": "http://127.0.0.1:4200/runs/x", "board_url": ""},
    "closure": {"summary": f"Batch testing {SCRIPT}"},
    "callback_result": {"result": "dissatisfied", "score": 2, "attempts": 1, "round": 1,
                        "feedback": f"Still noisy {SCRIPT}"},
    "action_due": {"action_kind": "corrective", "what": f"Retrain the desk {SCRIPT}",
                   "owner": "Wang Fang", "due": AT, "check": "Quiz scores", "action_id": 3,
                   "case_url": ""},
    "callback_retry": {"attempt": 2, "max_attempts": 3, "case_url": ""},
}
STAFF = ("handover", "escalation", "callback_result", "callback_retry", "action_due")


def rendered(purpose: str, language: str, **changes: Any) -> Rendered:
    """A message as enqueue renders it: the customer's, or the technical handler's."""
    role = "handler" if purpose in STAFF else "customer"
    contact = POLICY.departments["technical"].handler if role == "handler" else \
        Contact(name="Anna Weber")
    return render(purpose, language, message_context(
        purpose, language, {**CONTEXTS[purpose], **changes}, facts=FACTS, role=role,
        contact=contact, policy=POLICY))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_purpose_renders_in_both_languages_with_customer_text_escaped(
    purpose: str, language: str,
) -> None:
    message = rendered(purpose, language)
    assert SCRIPT not in message.html and "&lt;script&gt;" in message.html
    assert SCRIPT in message.text  # plain text shows it as the literal text it was
    assert "\n" not in message.subject and "<" not in message.subject.replace(SCRIPT, "")
    assert "C-20261124-0007" in message.subject + message.text
    assert f'lang="{"zh-CN" if language == "zh" else "en"}"' in message.html


def test_chinese_messages_are_written_in_chinese() -> None:
    message = rendered("acknowledgement", "zh")
    assert message.subject.startswith("您的投诉已受理")
    assert "尊敬的Anna Weber先生/女士：您好！" in message.text


def test_the_acknowledgement_names_the_department_its_contact_and_phone() -> None:
    for language, title, person in (("zh", "技术部", "周强"),
                                    ("en", "Technical department", "Zhou Qiang")):
        text = rendered("acknowledgement", language).text
        assert title in text and person in text and "+86 21 5555 0101" in text


def test_a_missing_context_name_is_an_error_not_a_blank() -> None:
    context = message_context("progress", "en", CONTEXTS["progress"], facts=FACTS,
                              role="customer", contact=Contact(name="Anna Weber"), policy=POLICY)
    del context["note"]
    with pytest.raises(jinja2.UndefinedError, match="note"):
        render("progress", "en", context)


def test_an_unknown_purpose_or_language_names_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="is not one of acknowledgement, handover"):
        render("apology", "en", COMMON)
    with pytest.raises(ValueError, match="language 'fr' is not one of zh, en"):
        render("closure", "fr", COMMON)


def test_one_option_is_proposed_without_asking_to_choose() -> None:
    assert "which option" not in rendered("solution_proposal", "en", options=["Replace it"]).text



@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("purpose", STAFF)
def test_every_staff_message_links_the_case_card_and_the_sla_board(
        purpose: str, language: str) -> None:
    """Issue #12, 3: the links enqueue adds to every message for staff (staff_links)."""
    from prefect.settings import PREFECT_UI_URL, temporary_settings

    from notifications.links import staff_links

    with temporary_settings({PREFECT_UI_URL: "http://127.0.0.1:4200"}):
        links = staff_links("C-20261124-0007")
    html = rendered(purpose, language, **links).html
    assert 'href="http://127.0.0.1:4200/v2/artifacts/key/case-c-20261124-0007"' in html
    assert 'href="http://127.0.0.1:4200/v2/artifacts/key/sla-board"' in html
