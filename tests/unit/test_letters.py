"""Complaint letters (.eml) read into intakes, each extracted field with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from models.errors import InputError
from models.letters import read_letter

LETTERS = Path(__file__).resolve().parents[1] / "data" / "letters"


def letter(name: str):  # type: ignore[no-untyped-def]
    return read_letter((LETTERS / name).read_bytes())


def test_a_plain_english_letter_about_a_faulty_display() -> None:
    read = letter("monitor_en.eml")
    assert read.intake["customer"] == {"name": "Tomas Lindqvist", "language": "en",
                                       "email": "tomas.lindqvist@example.se"}
    assert (read.intake["category"], read.intake["emotion"]) == ("product_defect", "strong")
    assert read.references == {"orders": ["WS-448712"]}
    assert "threatening" not in read.intake and "claimed_loss" not in read.intake
    assert read.reasons["category"] == "keyword 'faulty'"


def test_an_html_letter_with_an_invoice_an_amount_and_a_threat_of_liability() -> None:
    read = letter("chillers_en_html.eml")
    assert read.references == {"invoices": ["INV-57304"]}
    assert read.intake["claimed_loss"] == 18600.0 and read.intake["threatening"] is True
    assert "hold your company responsible" in read.reasons["threatening"]
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
    assert any("over 3,000 yuan" in r for r in printed["reasons"])


def test_a_malformed_sender_name_does_not_break_reading() -> None:
    """The stdlib's header parser raises AttributeError on a display name of '.'."""
    read = read_letter(b"From: . <someone@example.org>\r\nSubject: Broken kettle\r\n\r\n"
                       b"It stopped working.\r\n")
    assert read.intake["customer"]["email"] == "someone@example.org"
    assert read.intake["subject"] == "Broken kettle"
