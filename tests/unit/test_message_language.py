"""Case messages read as natural business Chinese and English (issue #14 items 2 and 5):
no word of the other language, no raw key, no time already past."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from models.policy import Contact, Department, MessagePolicy
from notifications.render import PURPOSES
from notifications.wording import greeting, promise
from tests.message_samples import CUSTOMER_PURPOSES, NOW, OWN, POLICY, SH, message

ALLOWED = [
    r"C-\d{8}-\d{4}",                      # case numbers
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",       # e-mail addresses
    r"https?://\S+",                       # links to the card and board
    r"complaints check-action .*",         # a command to type, not words to read
    r"\b[A-D](?=级)",                       # tier codes: B级
]
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:acknowledge|handover|first_reply|close|"
                     r"callback)-\d+\b|\bwarn-\d+\b")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ZH_TIME = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2}):(\d{2})")
EN_TIME = re.compile(r"(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}), (\d{2}):(\d{2})")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def without_own_text(text: str, language: str) -> str:
    """The message with the case's own texts (customer's words, staff's form entries) and
    the allowed tokens taken out: what is left is the template's and the catalog's."""
    for value in OWN[language].values():
        for piece in value if isinstance(value, list) else [value]:
            text = text.replace(piece, " ")
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    return text


def times_in(text: str) -> list[datetime]:
    found = [datetime(int(y), int(m), int(d), int(h), int(mi), tzinfo=SH)
             for y, m, d, h, mi in ZH_TIME.findall(text)]
    return found + [datetime(int(y), MONTHS.index(m) + 1, int(d), int(h), int(mi), tzinfo=SH)
                    for d, m, y, h, mi in EN_TIME.findall(text)]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_a_chinese_message_has_no_english_word_but_the_cases_own_text(purpose: str) -> None:
    rendered = message(purpose, "zh")
    for part in (rendered.subject, rendered.text):
        assert re.findall(r"[A-Za-z]+", without_own_text(part, "zh")) == [], part


@pytest.mark.parametrize("purpose", PURPOSES)
def test_an_english_message_has_no_chinese_but_the_cases_own_text(purpose: str) -> None:
    rendered = message(purpose, "en")
    for part in (rendered.subject, rendered.text):
        assert CJK.findall(without_own_text(part, "en")) == [], part


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("purpose", PURPOSES)
def test_no_message_shows_a_raw_key(purpose: str, language: str) -> None:
    rendered = message(purpose, language)
    assert RAW_KEY.findall(rendered.subject + "\n" + rendered.text) == []


@pytest.mark.parametrize("purpose", PURPOSES)
def test_chinese_messages_use_full_width_punctuation_and_do_not_over_promise(
        purpose: str) -> None:
    text = without_own_text(message(purpose, "zh").text, "zh")
    assert re.findall(r"[\u4e00-\u9fff][,;:!?()]|[,;:!?(][\u4e00-\u9fff]", text) == []
    assert "立即" not in text and "马上" not in text


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("purpose", ["progress", "escalation"])
def test_after_a_breach_progress_and_escalation_give_the_next_reply_not_a_past_time(
        purpose: str, language: str) -> None:
    # Thursday 16:00 + 4 business hours (09:00-18:00): Friday 27 Nov 2026, 11:00.
    text = message(purpose, language).text
    assert times_in(text) == [datetime(2026, 11, 27, 11, 0, tzinfo=SH)]
    assert all(moment >= NOW for moment in times_in(text))
    assert ("原定" in text or "已超时" in text) if language == "zh" else \
        ("not resolved it within the time" in text or "deadline has passed" in text)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_before_the_deadline_progress_still_names_the_deadline(language: str) -> None:
    before = datetime(2026, 11, 26, 9, 0, tzinfo=SH)
    text = message("progress", language, now=before).text
    assert times_in(text) == [datetime(2026, 11, 26, 10, 0, tzinfo=SH)]


def test_the_next_reply_after_a_breach_counts_business_hours_only() -> None:
    friday_evening = datetime(2026, 11, 27, 17, 0, tzinfo=SH)
    assert promise(friday_evening - timedelta(hours=1), now=friday_evening,
                   policy=POLICY) == (None, datetime(2026, 11, 30, 12, 0, tzinfo=SH))
    ahead = friday_evening + timedelta(hours=1)
    assert promise(ahead, now=friday_evening, policy=POLICY) == (ahead, None)
    assert MessagePolicy().next_reply_after == timedelta(hours=4)


def test_times_are_in_beijing_time_and_say_so_once() -> None:
    zh = message("handover", "zh").text
    assert "2026年11月30日 18:00" in zh and zh.count("北京时间") == 1
    en = message("handover", "en").text
    assert "30 Nov 2026, 18:00" in en and en.count("Asia/Shanghai") == 1
    assert "北京时间" not in message("closure", "zh").text  # no time, no note


def test_customers_are_greeted_respectfully_and_staff_by_name_and_role() -> None:
    assert message("closure", "zh").text.startswith("尊敬的张伟先生/女士：您好！")
    assert message("closure", "en").text.startswith("Dear Anna Weber,")
    handover = message("handover", "zh").text
    assert handover.startswith("周强（技术部值班工程师）：") and "尊敬" not in handover
    assert message("escalation", "en").text.startswith("Wang Lei (Technical manager):")
    assert greeting("zh", role="customer", contact=Contact(name=" ")) == "尊敬的客户：您好！"


@pytest.mark.parametrize("purpose", CUSTOMER_PURPOSES)
def test_chinese_customer_messages_quote_the_complaint_number(purpose: str) -> None:
    assert "投诉单号" in message(purpose, "zh").text


def test_the_acknowledgement_names_the_department_its_contact_and_phone() -> None:
    zh = message("acknowledgement", "zh").text
    assert "技术部的周强负责与您联系，联系电话：+86 21 5555 0101。" in zh
    en = message("acknowledgement", "en").text
    assert "Technical department" in en and "Your contact there is Zhou Qiang, phone " \
        "+86 21 5555 0101." in en


def test_escalation_and_handover_name_tier_level_category_clock_and_rung_in_words() -> None:
    handover = message("handover", "zh").text
    assert "B级（严重投诉） / 中等" in handover and "维修质量" in handover
    escalation = message("escalation", "zh").text
    assert "结案（第1轮）" in escalation and "部门经理" in escalation
    assert "结案时限已超时" in escalation
    assert "Repair quality" in message("handover", "en").text


def test_an_old_policy_with_plain_titles_reads_the_same_in_both_languages() -> None:
    department = Department.model_validate({
        "title": "Technical department", "handler": {"name": "Duty engineer"},
        "manager": {"name": "Manager"}, "contact": {"name": "Zhou Qiang"}})
    assert department.title_in("zh") == department.title_in("en") == "Technical department"
    assert greeting("zh", role="handler", contact=department.handler) == "Duty engineer："
    assert department.contact.name_in("en") == "Zhou Qiang"
