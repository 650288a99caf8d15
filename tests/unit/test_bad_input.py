"""Hostile input at intake and at the letter parser: always a clear error or a valid case,
never an unhandled exception; customer text is escaped in every template."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.errors import InputError
from models.letters import read_letter
from models.policy import Contact, load_policy
from models.triage import triage
from notifications.render import PURPOSES, render
from notifications.wording import CaseFacts, message_context
from tasks.intake_files import parse_intake

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
NASTY = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
    st.sampled_from(["<script>alert(1)</script>", "\x00\x01\x1b[31m", "{{ 7*7 }}", "\u202e",
                     "'; DROP TABLE cases; --", "x" * 30000, "   ", "加强培训", "<b>&amp;</b>"]),
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | NASTY,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(NASTY, children,
                                                                        max_size=4),
    max_leaves=12,
)
FIELDS = ["channel", "received_at", "customer", "subject", "description", "category",
          "claimed_loss", "emotion", "violation", "public_impact", "threatening", "valid",
          "unreasonable_type", "external_ref"]
GOOD: dict[str, Any] = {"channel": "phone", "customer": {"name": "Li Lei", "phone": "13800138000"},
                        "subject": "s", "description": "d"}
SLOW = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _intake_or_input_error(data: Any) -> None:
    try:
        intake = parse_intake(data) if isinstance(data, dict) else parse_intake({"x": data})
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    triage(intake, policy=POLICY, received_at=intake.received(datetime.now(UTC)))


@SLOW
@given(JSONISH)
def test_any_json_value_is_a_clear_error_or_a_valid_intake(data: Any) -> None:
    _intake_or_input_error(data)


@SLOW
@given(st.sampled_from(FIELDS), JSONISH)
def test_any_value_in_any_field_is_a_clear_error_or_a_valid_intake(field: str,
                                                                    value: Any) -> None:
    _intake_or_input_error({**GOOD, field: value})


@SLOW
@given(NASTY, NASTY, NASTY)
def test_customer_text_is_escaped_in_every_template(subject: str, text: str, name: str) -> None:
    context = {"channel": "web", "close_deadline": "d", "description": text,
               "reasons": [text], "handover_deadline": "h", "first_reply_deadline": "f",
               "customer_contact": text, "case_url": "", "note": text, "next_reply": None,
               "solution_type": "process", "options": [text, subject], "summary": text,
               "rung": "department_manager", "reason": text, "clock": "close-1", "due": "",
               "result": "satisfied", "score": 4, "attempts": 1, "round": 1,
               "feedback": text, "action_kind": "corrective", "what": text, "owner": name,
               "check": text, "action_id": 3, "attempt": 2, "max_attempts": 3}
    def x(value: str) -> str:  # the same shape (empty stays empty), no markup
        return "x" if value else ""

    plain = {**context, "description": x(text), "reasons": [x(text)],
             "customer_contact": x(text), "note": x(text), "options": [x(text), x(subject)],
             "summary": x(text), "reason": x(text), "feedback": x(text), "what": x(text),
             "owner": x(name), "check": x(text)}

    def message(purpose: str, language: str, given: dict[str, Any], plain_names: bool) -> str:
        who = x(name) if plain_names else name
        facts = CaseFacts(number="C-1", subject=x(subject) if plain_names else subject,
                          customer_name=who, tier="B", level="general", category="other",
                          channel="web", department="service")
        return render(purpose, language, message_context(
            purpose, language, given, facts=facts, role="customer",
            contact=Contact(name=who), policy=POLICY)).html

    for purpose in PURPOSES:
        for language in ("zh", "en"):
            html = message(purpose, language, context, plain_names=False)
            # every tag is the template's own: customer text adds no < or > (escaped)
            tags = message(purpose, language, plain, plain_names=True)
            assert (html.count("<"), html.count(">")) == (tags.count("<"), tags.count(">"))


@SLOW
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_letter_are_a_clear_error_or_a_letter(raw: bytes) -> None:
    try:
        letter = read_letter(raw)
    except InputError:
        return
    _intake_or_input_error(letter.intake)


@SLOW
@given(NASTY, NASTY, NASTY, st.booleans())
def test_any_text_in_a_letter_is_a_clear_error_or_a_valid_intake(
    sender: str, subject: str, body: str, html: bool,
) -> None:
    kind = "html" if html else "plain"
    raw = (f"From: {sender} <someone@example.org>\r\nSubject: {subject}\r\n"
           f"Content-Type: text/{kind}; charset=utf-8\r\n\r\n{body}").encode("utf-8", "replace")
    try:
        letter = read_letter(raw)
    except InputError:
        return
    _intake_or_input_error(json.loads(json.dumps(letter.intake)))
