"""The letters run meets hostile letters (issue #9): a letter never fails the run, and
never keeps the letters after it from being read. An outage is not the letter's fault:
the letter waits in the inbox for the next run."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from cli import commands
from flows import letters as letters_flow
from flows.letters import ingest_letters
from models.errors import NotServing, StoreError
from tasks.intake_files import read_complaint

pytestmark = pytest.mark.prefect_server
CUSTOMER = "ingrid.vos@example.nl"


def _letter(inbox: Path, name: str, *, subject: bytes = b"Heater broken",
            body: bytes = b"Content-Type: text/plain\r\n\r\nMy new heater is broken.\r\n") -> Path:
    path = inbox / name
    path.write_bytes(b"From: Ingrid Vos <" + CUSTOMER.encode() + b">\r\nSubject: " + subject
                     + b"\r\nMessage-ID: <" + uuid.uuid4().hex.encode() + b"@example.nl>\r\n"
                     + b"MIME-Version: 1.0\r\n" + body)
    return path


def _nested(levels: int) -> bytes:
    """Multipart parts nested `levels` deep: the stdlib parser recursed past its limit."""
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n'
                       % (i, i) for i in range(levels))
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(levels)))
    return opening + b"Content-Type: text/plain\r\n\r\nBroken.\r\n" + closing


def _one_line(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 1 and CUSTOMER not in text
    return text


def test_bad_letter_does_not_block_the_inbox(served: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _letter(inbox, "0-nested.eml", body=_nested(2000))
    _letter(inbox, "1-broken-subject.eml", subject=b"=?utf-8?b?!!!notbase64?= heater")
    _letter(inbox, "2-good.eml")
    taken = ingest_letters(folder=str(inbox))
    assert [t["letter"] for t in taken] == ["1-broken-subject.eml", "2-good.eml"]
    assert "nested" in _one_line(inbox / "failed" / "0-nested.eml.txt")
    assert sorted(p.name for p in (inbox / "done").iterdir()) == [
        "1-broken-subject.eml", "2-good.eml"]
    assert [p.name for p in inbox.glob("*.eml")] == []
    for case in taken:
        assert commands.show(case["case"])["channel"] == "email"  # stored


def test_an_unexpected_error_moves_only_that_letter_aside(
    prefect_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def read(path: str) -> Any:
        if path.endswith("0-odd.eml"):
            raise KeyError(CUSTOMER)  # an error of ours, carrying customer data
        return read_complaint(path)

    monkeypatch.setattr(letters_flow, "read_complaint", read)
    monkeypatch.setattr(letters_flow, "submit_intake",
                        lambda intake, **_: {"case": "C-TEST", "duplicate": False})
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _letter(inbox, "0-odd.eml")
    _letter(inbox, "1-good.eml")
    assert ingest_letters(folder=str(inbox)) == [
        {"letter": "1-good.eml", "case": "C-TEST", "duplicate": False}]
    why = _one_line(inbox / "failed" / "0-odd.eml.txt")
    assert "KeyError" in why and "see the letters run's log" in why
    assert (inbox / "done" / "1-good.eml").exists()
    assert "0-odd.eml" in caplog.text and "KeyError" in caplog.text
    assert CUSTOMER not in caplog.text


@pytest.mark.parametrize("outage", [
    NotServing("case C-1 is stored, but the Prefect server did not start its run"),
    OperationalError("INSERT", {}, Exception("could not connect to server")),
    StoreError("case store: did not answer (OperationalError)", transient=True),
], ids=["prefect-not-serving", "store-unreachable", "store-unreachable-wrapped"])
def test_an_outage_leaves_the_letters_in_the_inbox(
    prefect_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outage: Exception,
) -> None:
    def submit(intake: Any, **_: Any) -> dict[str, Any]:
        raise outage

    monkeypatch.setattr(letters_flow, "submit_intake", submit)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _letter(inbox, "0-first.eml")
    _letter(inbox, "1-second.eml")
    assert ingest_letters(folder=str(inbox)) == []
    assert sorted(p.name for p in inbox.glob("*.eml")) == ["0-first.eml", "1-second.eml"]
    assert not (inbox / "failed").exists() or not any((inbox / "failed").iterdir())
