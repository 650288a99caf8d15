"""Reasons (models/reasons.py): stored as data, read in the staff's language."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from models.history import raise_reason
from models.i18n import words
from models.policy import load_policy
from models.reasons import Reason, render, render_all
from models.triage import triage
from tests.factories import make_intake
from tests.message_samples import message

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
CST = timezone(timedelta(hours=8))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Intakes that between them reach every rule of the triage: each tier criterion alone and
# outranked, every relaying channel and channel clock, every unreasonable type, a deadline
# cut back to close (National Day), a year without an official calendar.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("2026-11-24T10:00", {}),
    ("2026-11-24T10:00", {"claimed_loss": 800}),
    ("2026-11-24T10:00", {"claimed_loss": 3000.01, "violation": "minor", "emotion": "strong",
                          "public_impact": "some", "threatening": True}),
    ("2026-11-24T10:00", {"violation": "severe", "claimed_loss": 0.01}),
    ("2026-11-24T10:00", {"emotion": "extreme", "public_impact": "large"}),
    ("2026-11-24T10:00", {"valid": False, "emotion": "extreme"}),
    *[("2026-11-24T10:00", {"channel": channel}) for channel in POLICY.channels],
    *[("2026-11-24T10:00", {"unreasonable_type": kind})
      for kind in ("misunderstanding", "emotional", "interest_driven", "malicious")],
    ("2026-10-01T10:00", {}),
    ("2027-01-05T10:00", {}),
]


def every_reason() -> list[Reason]:
    found = [r for received, fields in CASES
             for r in triage(make_intake(**fields), policy=POLICY,
                             received_at=datetime.fromisoformat(received).replace(
                                 tzinfo=CST)).reasons]
    return found + [raise_reason(3, timedelta(days=90)), raise_reason(2, timedelta(hours=36)),
                    raise_reason(1, timedelta(minutes=45))]


def test_the_triage_and_the_history_reach_every_reason_the_catalog_words() -> None:
    rules = {key for key in words("zh")["reason"] if key != "word"}
    assert {r["key"] for r in every_reason()} == rules
    assert set(words("en")["reason"]) == set(words("zh")["reason"])


@pytest.mark.parametrize("stored", every_reason(), ids=lambda r: "-".join(r.values()))
def test_every_reason_reads_in_chinese_with_no_english_word(stored: Reason) -> None:
    text = render("zh", stored)
    # Tier codes (B级) are how the centre names its tiers; digits are the case's data.
    assert re.findall(r"[A-Za-z]+", re.sub(r"\b[A-D](?=级)", "", text)) == [], text
    assert CJK.search(text), text


@pytest.mark.parametrize("stored", every_reason(), ids=lambda r: "-".join(r.values()))
def test_every_reason_reads_in_english_with_no_chinese(stored: Reason) -> None:
    text = render("en", stored)
    assert not CJK.search(text) and "_" not in text and "{" not in text, text


def test_every_stored_value_is_a_string_so_the_json_reads_back_the_same() -> None:
    assert all(isinstance(v, str) for r in every_reason() for v in r.values())


def test_a_tier_outranked_by_a_higher_one_says_which_applies() -> None:
    stored = {"key": "emotion_strong", "tier": "B", "higher": "A"}
    assert render("zh", stored) == (
        "客户情绪强烈：可定为 B级（严重投诉），已适用更高的 A级（重大投诉）")
    assert render("en", stored) == (
        "customer's emotion strong: tier B (Serious), but the higher tier A (Major) applies")


@pytest.mark.parametrize(("stored", "zh", "en"), [
    ({"key": "loss_up_to", "loss": "800.00", "threshold": "3000.00", "tier": "B"},
     "声称损失 800.00 元，超过 0 元且不超过 3,000 元：定为 B级（严重投诉）",
     "claimed loss 800.00 yuan, over 0 and up to 3,000 yuan: tier B (Serious)"),
    ({"key": "loss_over", "loss": "12345.60", "threshold": "2500.50", "tier": "A"},
     "声称损失 12,345.60 元，超过 2,500.50 元：定为 A级（重大投诉）",
     "claimed loss 12,345.60 yuan, over 2,500.50 yuan: tier A (Major)"),
    ({"key": "channel_clock", "channel": "media", "clock": "handover", "minutes": "30"},
     "媒体渠道：签收时限缩短为 30 分钟", "media channel: handover within 30 minutes"),
    ({"key": "channel_clock", "channel": "hotline", "clock": "first_reply", "minutes": "180"},
     "热线渠道：首次答复时限缩短为 3 小时", "hotline channel: first reply within 3 hours"),
    ({"key": "unreasonable", "type": "interest_driven", "level": "irrational"},
     "不合理投诉（利益驱动）：投诉程度定为非理性，由部门经理跟踪",
     "unreasonable complaint (interest-driven): level irrational, tracked by the department "
     "manager"),
    ({"key": "invalid", "tier": "D"}, "认定为无效投诉（仍须耐心答复客户）：定为 D级（告诫）",
     "marked invalid (still answered patiently): tier D (Warning)"),
])
def test_a_reason_reads_as_a_sentence_with_the_catalogs_words(
        stored: Reason, zh: str, en: str) -> None:
    assert (render("zh", stored), render("en", stored)) == (zh, en)


def test_a_sentence_stored_before_reasons_were_data_is_shown_as_it_was() -> None:
    old = "claimed loss 800.00 yuan: tier B"
    assert render_all("zh", [old, {"key": "calm", "tier": "C"}]) == [
        old, "无损失、客户情绪平稳、无违规、无负面社会影响：定为 C级（一般投诉）"]
    assert render_all("en", None) == []


def test_a_reason_nobody_wrote_words_for_fails_loudly() -> None:
    with pytest.raises(KeyError, match="reason.made_up"):
        render("zh", {"key": "made_up"})


@pytest.mark.parametrize(("language", "line"), [
    ("zh", "声称损失 800.00 元，超过 0 元且不超过 3,000 元：定为 B级（严重投诉）"),
    ("en", "claimed loss 800.00 yuan, over 0 and up to 3,000 yuan: tier B (Serious)"),
])
def test_the_handover_message_gives_the_reasons_in_its_readers_language(
        language: str, line: str) -> None:
    rendered = message("handover", language)
    assert line in rendered.text and "loss_up_to" not in rendered.html
