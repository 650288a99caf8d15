"""Every reason the letter reader gives is data, and reads in the staff's language: no
English in Chinese, no Chinese in English — except the customer's own words quoted from
the letter, amounts as written, currency codes and the Message-ID (issue #14)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from models.i18n import words
from models.letters import read_letter
from models.reasons import Reason, render

LETTERS = Path(__file__).resolve().parents[1] / "data" / "letters"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ALLOWED = re.compile(r"Message-ID|USD|CNY|RMB|EUR|HKD")
SENDER = "From: 李明 <li.ming@example.cn>\r\n"
BODIES = [  # each reaches a reason the letters in tests/data/letters may not
    ("投诉", "请赔偿我3000元。"), ("Broken", "The heater stopped."),
    ("投诉", "误工费300元、打车费200元，共计500元，要求赔偿。"),
    ("投诉", "请赔偿维修费300元和误工费200元。"),
    ("投诉", "报价1,200元，实际收取2,350元，请退还多收的1,150元。"),
    ("Refund", "Please refund the $450 I was charged."),
    ("Paid", "I paid 899 yuan last week. It broke."),
    ("Refund", "I paid 899 yuan. I want a refund. It was 1,299 yuan in the shop."),
    ("投诉", "要求赔偿99999999元，否则我找律师、找媒体，我非常愤怒，太气愤了，简直忍无可忍！"),
    ("投诉", "我要找媒体。"), ("Hi", "Hello."), ("投诉", "要求赔偿99999999999元。"),
    ("Refund", "Can I have a refund? They cost 1,299 yuan. Later. Another. "
               "The price was 500 yuan."),
    ("投诉", "价格" + "，".join(f"{n}元" for n in range(1, 60)) + "，请赔偿10元。"),
]


@cache
def reasons() -> list[Reason]:
    raws = [p.read_bytes() for p in sorted(LETTERS.glob("*.eml"))]
    raws += [f"{SENDER}Subject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n"
             f"\r\n{body}\r\n".encode() for subject, body in BODIES]
    raws += [b"From: <x@example.org>\r\nSubject: =?utf-8?b?!!!notbase64?=\r\n\r\nHi\r\n",
             b"From: A <a@example.org>\r\nSubject: See below\r\n\r\nSee below.\r\n\r\n"
             b"> On Monday A wrote:\r\n> The fridge is faulty and broken.\r\n"]
    found = [why for raw in raws for why in read_letter(raw).reasons.values()]
    assert all(isinstance(why, dict) for why in found)
    return found


def customers_words(why: Reason) -> list[str]:
    """What a reason quotes from the letter: words found, amounts as written, cue words."""
    quoted = [why[name] for name in ("words", "next_words") if name in why]
    for name in ("taken", "seen", "rest"):
        quoted += [part for item in json.loads(why.get(name, "[]")) for part in item[:2]]
    return sorted(quoted, key=len, reverse=True)


def without_customers_words(text: str, why: Reason) -> str:
    for quoted in customers_words(why):
        text = text.replace(quoted, " ")
    return ALLOWED.sub(" ", text)


def test_the_letters_give_every_reason_the_catalog_has() -> None:
    keys = {k for k, v in words("en")["letter_reason"].items() if isinstance(v, str)}
    assert {why["key"].removeprefix("letter.") for why in reasons()} == keys
    extras = {name for why in reasons() for name in why}
    assert {"quoted", "most", "limit", "rest"} <= extras
    listed = [item for why in reasons() for name in ("taken", "seen", "rest")
              for item in json.loads(why.get(name, "[]"))]
    catalog = words("en")["letter_reason"]
    assert {item[2] for item in listed if item[0] != "+"} == set(catalog["kind"])
    notes = {item[3].split("_")[0] if item[3].startswith("claims_") else item[3]
             for item in listed if item[0] != "+"}
    assert notes == {"", *catalog["note"]} and any(item[0] == "+" for item in listed)


def test_zh_and_en_catalogs_have_the_same_letter_reasons() -> None:
    def keys(node: object, at: str = "") -> set[str]:
        if not isinstance(node, dict):
            return {at}
        return {k for name, value in node.items() for k in keys(value, f"{at}.{name}")}
    assert keys(words("zh")["letter_reason"]) == keys(words("en")["letter_reason"])


def test_a_reason_in_chinese_has_no_english_but_the_customers_words() -> None:
    for why in reasons():
        shown = without_customers_words(render("zh", why), why)
        assert not re.search(r"[A-Za-z]", shown), (why, render("zh", why))
        assert CJK.search(shown), why


def test_a_reason_in_english_has_no_chinese_but_the_customers_words() -> None:
    for why in reasons():
        shown = without_customers_words(render("en", why), why)
        assert not CJK.search(shown), (why, render("en", why))


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "no amount claimed (seen: 168,000元 ('售价': a price or value, not a claim); "
           "168,000元 ('发票金额': a price or value, not a claim))"),
    ("zh", "未声称损失金额（见到：168,000元（“售价”：价格或金额，不是索赔）；"
           "168,000元（“发票金额”：价格或金额，不是索赔））"),
])
def test_a_car_price_is_seen_and_not_claimed_in_both_languages(
    language: str, expected: str,
) -> None:
    why = read_letter((LETTERS / "zh_chassis_noise_price.eml").read_bytes()).reasons
    assert render(language, why["claimed_loss"]) == expected


def test_an_old_english_reason_of_a_letter_is_shown_as_it_was() -> None:
    assert render("zh", "sender of the letter (address)") == "sender of the letter (address)"
