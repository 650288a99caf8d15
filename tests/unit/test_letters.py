"""Complaint letters (.eml) read into intakes, each extracted field with its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.main import main
from models.errors import InputError
from models.intake import Category
from models.letters import Letter, read_letter
from models.letters_lexicon import LEXICON
from models.reasons import Reason, render

LETTERS = Path(__file__).resolve().parents[1] / "data" / "letters"


def en(why: Reason | str) -> str:
    """A reason of the letter reader as the English staff read it."""
    return render("en", why)


def letter(name: str) -> Letter:
    return read_letter((LETTERS / name).read_bytes())


def test_a_plain_english_letter_about_a_faulty_display() -> None:
    """One "as soon as possible" is a polite letter, not a strong customer (issue #14)."""
    read = letter("monitor_en.eml")
    assert read.intake["customer"] == {"name": "Tomas Lindqvist", "language": "en",
                                       "email": "tomas.lindqvist@example.se"}
    assert read.intake["category"] == "product_defect" and "emotion" not in read.intake
    assert read.references == {"orders": ["WS-448712"]}
    assert "threatening" not in read.intake and "claimed_loss" not in read.intake
    assert en(read.reasons["category"]).startswith("Product defect 3 ('faulty' 3")
    assert en(read.reasons["emotion"]).startswith("'as soon as possible' 1 = 1: calm")


def test_an_html_letter_with_an_invoice_an_amount_and_a_threat_of_liability() -> None:
    read = letter("chillers_en_html.eml")
    assert read.references == {"invoices": ["INV-57304"]}
    assert read.intake["claimed_loss"] == 18600.0 and read.intake["threatening"] is True
    assert "hold your company responsible" in en(read.reasons["threatening"])
    assert read.attachments == ["INV-57304.pdf"]
    assert "door seals fail" in read.intake["description"]  # the HTML part, as text
    assert "<b>" not in read.intake["description"]


def test_a_chinese_letter_threatening_the_media() -> None:
    read = letter("aircon_zh.eml")
    assert read.intake["customer"]["language"] == "zh"
    assert read.intake["category"] == "repair_quality"
    assert read.intake["claimed_loss"] == 680.0 and read.intake["threatening"] is True
    assert read.references == {"orders": ["JD-20261018-77"]}


def test_the_same_letter_twice_has_the_same_external_reference() -> None:
    assert letter("aircon_zh.eml").intake["external_ref"] == "<ac-repair-0091@example.cn>"


def test_something_that_is_not_an_email_is_refused_clearly() -> None:
    with pytest.raises(InputError, match="not an e-mail message"):
        read_letter(b"just some bytes\n\n")


def test_triage_of_a_letter_prints_the_judgment_and_what_was_extracted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["triage", str(LETTERS / "chillers_en_html.eml")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["tier"] == "A" and printed["department"] == "technical"
    extracted = printed["intake"]
    assert extracted["threatening"] is True and extracted["claimed_loss"] == 18600.0
    assert extracted["references"] == {"invoices": ["INV-57304"]}
    assert set(extracted["reasons"]) >= {"customer", "claimed_loss", "threatening", "emotion",
                                         "category", "references"}
    assert extracted["reasons"]["customer"] == {"key": "letter.sender_named"}  # data
    assert extracted["reasons_text"]["customer"] == "来信的发件人（姓名和地址）"
    assert extracted["reasons_text"]["threatening"].startswith("威胁用语：")
    assert printed["reasons"][0]["key"] == "loss_over"
    assert printed["reasons_text"][0] == (
        "声称损失 18,600.00 元，超过 3,000 元：定为 A级（重大投诉）")


def test_a_malformed_sender_name_does_not_break_reading() -> None:
    """The stdlib's header parser raises AttributeError on a display name of '.'."""
    read = read_letter(b"From: . <someone@example.org>\r\nSubject: Broken kettle\r\n\r\n"
                       b"It stopped working.\r\n")
    assert read.intake["customer"]["email"] == "someone@example.org"
    assert read.intake["subject"] == "Broken kettle"


def say(body: str, subject: str = "投诉") -> Letter:
    """A plain UTF-8 letter of `body`."""
    return read_letter(f"From: 李明 <li.ming@example.cn>\r\nSubject: {subject}\r\n"
                       f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n".encode())


def test_a_calm_letter_naming_the_car_price_claims_no_loss_and_says_why() -> None:
    """Issue #14: the largest amount was taken, and a 168,000-yuan car made it tier A."""
    read = letter("zh_chassis_noise_price.eml")
    assert read.intake["claimed_loss"] == 0 and "emotion" not in read.intake
    assert en(read.reasons["claimed_loss"]) == (
        "no amount claimed (seen: 168,000元 ('售价': a price or value, not a claim); "
        "168,000元 ('发票金额': a price or value, not a claim))")


@pytest.mark.parametrize(("body", "loss"), [
    ("请赔偿我3000元。", 3000), ("请赔偿¥3,000。", 3000), ("要求赔偿3千元。", 3000),
    ("要求赔偿三千元。", 3000), ("要求赔偿1.2万元。", 12000), ("要求赔偿1.2万。", 12000),
    ("请退还维修费一万五千块。", 15000), ("Please refund RMB 3,000.", 3000),
    ("I claim CNY 3000 in compensation.", 3000), ("Please refund the 3,000 yuan.", 3000),
    ("The repair has cost me 450 yuan.", 450),
])
def test_an_amount_in_a_claim_is_the_claimed_loss_however_it_is_written(
    body: str, loss: float,
) -> None:
    assert say(body).intake["claimed_loss"] == loss


@pytest.mark.parametrize("body", [
    "车的售价168,000元，最近有异响。", "订单金额¥3,999，一直没有发货。",
    "The invoice total was 12,480 yuan.", "I bought the fridge for 4,299 yuan in May.",
    "上个月花了三千多块买的冰箱，噪音很大。",
])
def test_a_price_an_order_value_or_an_invoice_total_is_no_claim(body: str) -> None:
    read = say(body)
    assert read.intake["claimed_loss"] == 0
    assert "a price or value, not a claim" in en(read.reasons["claimed_loss"])


def test_an_amount_in_dollars_is_seen_and_not_taken_as_yuan() -> None:
    read = say("Please refund the $450 I was charged.")
    assert read.intake["claimed_loss"] == 0
    assert "$450 ('refund': not in yuan; convert it" in en(read.reasons["claimed_loss"])


@pytest.mark.parametrize(("body", "loss"), [
    ("报价1,200元，实际收取2,350元，请退还多收的1,150元。", 1150),  # the claim, not the fee
    ("误工费300元、打车费200元，共计500元，要求赔偿。", 500),  # the stated total
    ("Please reimburse the towing (800 yuan) and the rental car (1,200 yuan).", 2000),
    ("I paid 899 yuan for it and would like a full refund.", 899),  # paid, asked back
    ("大灯报价6,800元，其中工时费800元，太贵了。", 0),  # a part of a quote
    ("三元催化器坏了，要求赔偿。", None),  # a part, not 3 yuan
])
def test_which_amounts_make_the_claimed_loss(body: str, loss: float | None) -> None:
    assert say(body).intake.get("claimed_loss") == loss


def test_what_a_quoted_earlier_mail_says_is_not_the_customers_claim_or_urgency() -> None:
    read = say("The fridge is still broken.\n\nOn Mon, 2 Nov 2026, Service wrote:\n"
               "> We will refund 200 yuan as soon as possible, immediately.\n", "Fridge")
    assert "claimed_loss" not in read.intake and "emotion" not in read.intake
    assert read.intake["category"] == "product_defect"


@pytest.mark.parametrize(("body", "emotion"), [
    ("空调坏了，请尽快处理。", "calm"), ("Please look at it as soon as possible.", "calm"),
    ("空调坏了，请尽快处理，马上给我回复。", "strong"), ("我对你们的处理非常气愤。", "strong"),
    ("This is unacceptable.", "strong"), ("你们太过分了。", "strong"),
    ("忍无可忍！你们就是骗子！", "extreme"),
    ("Absolutely outrageous. I am disgusted.", "extreme"),
])
def test_strong_needs_two_urgency_words_or_anger_said_outright(body: str, emotion: str) -> None:
    assert say(body).intake.get("emotion", "calm") == emotion


@pytest.mark.parametrize("body", [
    "保养排队等了两个小时，没有人道歉。", "前台态度冷漠，爱理不理。",
    "客服很不耐烦，直接挂电话。", "I waited two hours at the desk and nobody apologised.",
    "The receptionist was rude and dismissive.",
])
def test_waiting_queueing_no_apology_and_rude_staff_are_service_attitude(body: str) -> None:
    assert say(body).intake["category"] == "service_attitude"


@pytest.mark.parametrize(("body", "threatening"), [
    ("再不处理我就打12315投诉。", True), ("我已经咨询了律师。", True),
    ("I will see you in court.", True), ("I will post the video on social media.", True),
    ("中控多媒体屏幕黑屏了。", False),  # 媒体 inside 多媒体 is no threat
    ("I saw your advert in the media.", False),  # a bare mention
])
def test_threats_of_the_media_the_law_or_regulators_make_a_threatening_customer(
    body: str, threatening: bool,
) -> None:
    assert say(body).intake.get("threatening", False) is threatening


def test_the_lexicon_names_every_category_once_and_no_term_twice() -> None:
    data = yaml.load(LEXICON.read_text(encoding="utf-8"), Loader=_Unique)
    assert set(data["categories"]) == {c.value for c in Category}
    assert set(data["emotion"]) == {"urgency", "anger", "fury"}


class _Unique(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice (PyYAML keeps the last silently)."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    twice = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not twice, f"written twice in {LEXICON.name} (line {node.start_mark.line}): {twice}"
    return dict(yaml.SafeLoader.construct_mapping(loader, node))


_Unique.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
