"""Letters built to break the reader (issue #9): whatever a letter holds, `read_letter`
returns a letter, read with replacement characters where a part cannot be decoded, or
refuses it with one line (`InputError`). Never another exception."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.errors import InputError
from models.letters import Letter, read_letter
from models.policy import load_policy
from models.reasons import Reason, render
from models.triage import triage
from tasks.intake_files import parse_intake

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
SENDER = b"From: Ingrid Vos <ingrid.vos@example.nl>\r\n"


def en(why: Reason | str) -> str:
    """A reason of the letter reader as the English staff read it."""
    return render("en", why)


def _read(headers: bytes, body: bytes = b"The heater I bought is broken.\r\n") -> Letter:
    letter = read_letter(SENDER + headers + b"\r\n" + body)
    parse_intake(letter.intake)  # what the letter gave is a valid intake
    return letter


def _nested(levels: int) -> bytes:
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n'
                       % (i, i) for i in range(levels))
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(levels)))
    return (SENDER + b"Subject: Deep\r\nMIME-Version: 1.0\r\n" + opening
            + b"Content-Type: text/plain\r\n\r\nThe heater is broken.\r\n" + closing)


def test_a_broken_encoded_subject_is_read_with_replacement_characters() -> None:
    letter = _read(b"Subject: =?utf-8?q?Broken_heater?= =?utf-8?b?!!!notbase64?=\r\n")
    assert letter.intake["subject"] == "Broken heater\ufffd"
    assert "could not be decoded" in en(letter.reasons["unreadable"])
    assert "subject" in en(letter.reasons["unreadable"])


def test_a_body_in_an_unknown_charset_is_read_with_replacement_characters() -> None:
    letter = _read(b"Subject: Heater\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n",
                   b"caf\xe9 heater is broken\r\n")
    assert letter.intake["description"] == "caf\ufffd heater is broken"
    assert "body" in en(letter.reasons["unreadable"])
    assert "\n" not in en(letter.reasons["unreadable"])


def test_deeply_nested_parts_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="nested") as refused:
        read_letter(_nested(2000))
    assert "\n" not in str(refused.value)


def test_a_few_nested_parts_are_still_read() -> None:
    assert "heater is broken" in read_letter(_nested(5)).intake["description"]


def test_nul_bytes_never_leave_the_letter_reader() -> None:
    """PostgreSQL refuses NUL in text and in JSON: the letter event would fail."""
    letter = read_letter(
        b"From: Ing\x00rid Vos <ingrid.vos@example.nl>\r\nSubject: Heater\x00 broken\r\n"
        b'Message-ID: <a\x00b@example.nl>\r\nMIME-Version: 1.0\r\n'
        b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n'
        b"--x\r\nContent-Type: text/plain\r\n\r\nI will hold\x00 you responsible for 90\x00 "
        b"yuan, order no. AB1234\x00\r\n--x\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="re\x00ceipt.pdf"\r\n\r\nxx\r\n--x--\r\n')
    parse_intake(letter.intake)
    stored = json.dumps(asdict(letter))
    assert "\\u0000" not in stored
    assert letter.intake["customer"]["name"] == "Ingrid Vos"
    assert letter.intake["subject"] == "Heater broken"
    assert letter.intake["threatening"] is True
    assert letter.attachments == ["receipt.pdf"]


def test_a_letter_cannot_redirect_replies_to_someone_else() -> None:
    raw = (b"From: =?utf-8?q?Boss_=3Cvictim=40example=2Ecom=3E?= <probe@example.org>\r\n"
           b"Subject: Heater\r\n\r\nThe heater is broken.\r\n")
    customer = read_letter(raw).intake["customer"]
    assert customer["email"] == "probe@example.org"
    assert "victim" not in customer["email"]


def test_an_encoded_word_alone_never_becomes_an_address() -> None:
    raw = (b"From: =?utf-8?q?victim=40example=2Ecom?=\r\nSubject: Heater\r\n\r\nBroken.\r\n")
    assert read_letter(raw).intake["customer"]["email"] != "victim@example.com"


def test_an_amount_over_the_claimed_loss_limit_is_taken_at_the_limit() -> None:
    letter = _read(b"Subject: Heater\r\n",
                   b"The heater burnt my house: I claim 250,000,000 yuan in damages.\r\n")
    assert letter.intake["claimed_loss"] == 100_000_000
    assert "over the limit: check" in en(letter.reasons["claimed_loss"])
    intake = parse_intake(letter.intake)
    assert triage(intake, policy=POLICY, received_at=datetime.now(UTC)).tier.value == "A"


def test_a_body_without_a_charset_is_read_as_utf8() -> None:
    letter = _read(b"Subject: =?utf-8?b?56m66LCD?=\r\n", "空调坏了，请尽快维修。\r\n".encode())
    assert letter.intake["description"] == "空调坏了，请尽快维修。"
    assert "unreadable" not in letter.reasons


def test_raw_8bit_headers_are_read_as_utf8_with_replacement_characters() -> None:
    letter = read_letter("From: 张三 <zhang.san@example.cn>\r\nSubject: 空调\r\n\r\n坏了\r\n"
                         .encode() + b"caf\xe9\r\n")
    assert letter.intake["customer"]["name"] == "张三" and letter.intake["subject"] == "空调"
    assert "body" in en(letter.reasons["unreadable"])


def test_a_letter_without_a_message_id_is_one_case_by_its_bytes() -> None:
    """An outage leaves a stored letter in the inbox; read again, it must be the same case."""
    raw = SENDER + b"Subject: Heater\r\n\r\nThe heater is broken.\r\n"
    first, again = read_letter(raw), read_letter(raw)
    assert first.intake["external_ref"] == again.intake["external_ref"] != ""
    assert read_letter(raw + b"More.\r\n").intake["external_ref"] != first.intake["external_ref"]


def test_a_letter_built_to_slow_the_reader_is_read_in_linear_time() -> None:
    """Long runs of digits or spaces made the amount and invoice patterns backtrack:
    20,000 digits took half a minute, and the letters run stood still behind them."""
    body = b"1" * 50_000 + b"\r\ninvoice" + b" " * 50_000 + b"!\r\nyuan" + b" " * 50_000 + b"x"
    started = time.monotonic()
    letter = _read(b"Subject: Heater\r\n", body + b"\r\nThe repair cost me 1,200 yuan.\r\n")
    assert time.monotonic() - started < 10  # generous: a busy machine; linear is ~0.1 s
    assert letter.intake["claimed_loss"] == 1200
