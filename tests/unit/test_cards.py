"""The case card and SLA board rows as the Prefect UI shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.cards import board_row, case_card, escape, time_left

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(minutes=90), "1 h 30 min left"), (timedelta(days=2, hours=3), "2 d 3 h left"),
    (timedelta(minutes=-20), "overdue by 0 h 20 min"),
])
def test_time_left_reads_as_a_person_would_say_it(delta: timedelta, text: str) -> None:
    assert time_left(NOW + delta, NOW) == text


def story(**changes: Any) -> dict[str, Any]:
    return {"case": "C-20261124-0009", "tier": "A", "status": "open", "stage": "solution",
            "waiting_for": "solution-1", "close_kind": "", "level": "strong",
            "department": "technical", "channel": "media", "round": 1,
            "customer": {"name": "Z*** W***"}, "subject": "Fire **risk** <script>",
            "clocks": [{"name": "close", "round": 1, "due": "2026-11-24T10:00:00+00:00",
                        "outcome": "running", "met_at": None, "paused": False}],
            "escalations": [{"at": "2026-11-24T01:00", "rung": "general_manager",
                             "clock": "close-1", "reason": "breach", "acknowledged_by": ""}],
            "reasons": ["large negative public impact: tier A"],
            "events": [{"at": "2026-11-24T00:00:00", "kind": "received", "step": "",
                        "actor": "cli"}], **changes}


def test_the_case_card_says_who_acts_next_and_the_deadlines_in_local_time() -> None:
    card = case_card(story(), now=NOW, tz="Asia/Shanghai")
    assert card.startswith("# C-20261124-0009 · tier A · open")
    assert "**Next to act** the department (solution proposal)" in card
    assert "| close | 1 | 2026-11-24 18:00 | 8 h 0 min left |" in card
    assert "general_manager (close-1): breach" in card
    assert "large negative public impact" in card


def test_customer_text_cannot_change_the_card() -> None:
    card = case_card(story(), now=NOW, tz="Asia/Shanghai")
    assert "Fire \\*\\*risk\\*\\* \\<script\\>" in card and "<script>" not in card


def test_a_closed_case_card_says_how_it_closed() -> None:
    card = case_card(story(status="closed", stage="closed", close_kind="first_time"),
                     now=NOW, tz="Asia/Shanghai")
    assert "**Closed** (first-time close)" in card


def test_a_board_row_links_the_run() -> None:
    row = board_row({"number": "C-1", "tier": "B", "stage": "review", "name": "callback",
                     "round": 2, "due_at": NOW - timedelta(hours=1), "escalations": 2},
                    now=NOW, url="http://127.0.0.1:4200/runs/flow-run/x", tz="Asia/Shanghai")
    assert row["time left"] == "overdue by 1 h 0 min" and row["flow run"].endswith("/x")
    assert row["due (Asia/Shanghai)"] == "2026-11-24 09:00"


@pytest.mark.parametrize("text", [
    "https://attacker%2Eexample/login", "HTTP://attacker.example", "ftp://attacker.example",
    "www.attacker.example", "WWW.attacker.example", "boss@attacker.example",
    "![x](https://attacker.example/x.png)", "[here](https://attacker.example)",
    "<a href='https://attacker.example'>x</a>",
])
def test_customer_text_cannot_become_a_link_or_an_image(text: str) -> None:
    shown = escape(text)
    for mark in ("://", "www.", "www\\.", "@a", "]("):
        assert mark not in shown.lower(), (text, shown)
    assert shown.replace("\u200d", "").replace("\\", "") == text  # still reads the same
