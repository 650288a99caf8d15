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


def board(**changes: Any) -> dict[str, str]:
    row = {"number": "C-1", "tier": "B", "stage": "review", "name": "first_reply",
           "round": 2, "due_at": NOW - timedelta(hours=1), "escalations": 2,
           "acknowledged": 0, **changes}
    return board_row(row, now=NOW, tz="Asia/Shanghai", card="http://ui/artifacts/key/case-c-1",
                     run="http://ui/runs/flow-run/x", stalled=changes.get("why", ""))


def test_a_board_row_is_short_and_links_the_card_and_the_run() -> None:
    row = board()
    assert row["left"] == "overdue by 1 h 0 min" and row["due"] == "11-24 09:00"
    assert row["deadline"] == "first reply r2" and row["esc."] == "2"
    assert row["links"] == "[card](http://ui/artifacts/key/case-c-1) · [run](http://ui/runs/flow-run/x)"
    assert row["stalled"] == ""
    assert sum(len(k) for k in row) < 60  # the headers fit beside the values at 1366 px


@pytest.mark.parametrize(("stage", "actor"), [
    ("handover", "department's receiver"), ("solution", "department"),
    ("choice", "service centre"), ("execution", "responsible person"),
    ("review", "department and the service centre"), ("closed", ""),
])
def test_a_board_row_says_who_acts_next_in_short(stage: str, actor: str) -> None:
    assert board(stage=stage)["next"] == actor


def test_a_stalled_case_is_flagged_with_its_reason() -> None:
    row = board(why="flow run Cancelled")
    assert row["stalled"] == "\u26a0 stalled: flow run Cancelled"


def test_acknowledged_escalations_no_longer_count_as_open() -> None:
    assert board(escalations=1, acknowledged=1)["esc."] == "1 (1 ack)"
    assert board(escalations=0, acknowledged=2)["esc."] == "0 (2 ack)"


def test_a_case_whose_clocks_all_wait_shows_no_deadline_and_a_case_without_run_says_so() -> None:
    row = board_row({"number": "C-2", "tier": "", "stage": "choice", "name": None,
                     "round": None, "due_at": None, "escalations": 0, "acknowledged": 0},
                    now=NOW, tz="Asia/Shanghai", card="/artifacts/key/case-c-2",
                    run="no run yet", stalled="never started")
    assert (row["deadline"], row["due"], row["left"], row["tier"]) == ("-", "-", "-", "?")
    assert row["links"] == "[card](/artifacts/key/case-c-2) · no run yet"


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


FOLLOWED_UP = {
    "taken_by": "Wu Fang", "signed_by": "Technical *duty* engineer",
    "signed_at": "2026-11-24T01:30:00+00:00", "validity": "valid",
    "established_loss": "1200.00", "unreasonable_type": "interest_driven",
    "irrational": "second", "follow_up": "monitor", "tracker": "Technical manager",
    "rejections": 2, "callback_result": "not_satisfied", "satisfaction_score": 2,
    "callback_not_reached": 1,
    "responsible": [{"person": "Qian Lei", "department": "technical"}],
    "actions": [
        {"kind": "corrective", "what": "Replace the compressor mounts [see](http://x.example)",
         "owner": "Qian Lei", "due": "2026-11-30T10:00:00+00:00",
         "check": "no noise complaint in 30 days", "status": "done_effective", "note": ""},
        {"kind": "preventive", "what": "Add a vibration test to the delivery checklist",
         "owner": "Sun Hao", "due": "2026-12-15T10:00:00+00:00",
         "check": "audit of 20 deliveries", "status": "not_done", "note": "supplier late"}],
    "repeat_of": "C-20261001-0003",
    "history": [{"number": "C-20261001-0003", "received_at": "2026-09-30T17:00:00+00:00",
                 "category": "product_defect", "status": "closed", "close_kind": "first_time",
                 "callback_result": "satisfied"},
                {"number": "C-20261110-0012", "received_at": "2026-11-10T02:00:00+00:00",
                 "category": "parts", "status": "open", "close_kind": "",
                 "callback_result": ""}],
}


def test_every_decided_fact_of_the_centre_has_a_line_on_the_card() -> None:
    card = case_card(story(**FOLLOWED_UP), now=NOW, tz="Asia/Shanghai")
    for line in [
        "## Responsibility and follow-up", "- **First contact** Wu Fang",
        "- **Signed for by** Technical \\*duty\\* engineer · at 2026-11-24 09:30",
        "- **Validity** valid", "- **Established loss** 1200.00 yuan",
        "- **Unreasonable type** interest-driven",
        "- **Irrational** second irrational · follow-up: monitor · tracked by Technical manager",
        "- **Rejected proposals** 2",
        "- **Callback** not satisfied · score 2/5 · 1 attempt(s) did not reach the customer",
        "- **Responsible** Qian Lei (technical)",
        "| corrective | Replace the compressor mounts \\[see\\]\\(http:\u200d//x\\.example\\) "
        "| Qian Lei | 2026-11-30 | no noise complaint in 30 days | done, effective |",
        "| preventive | Add a vibration test to the delivery checklist | Sun Hao | 2026-12-15 "
        "| audit of 20 deliveries | not done: supplier late |",
        "## Customer history", "- **Possible repeat of C\\-20261001\\-0003**",
        "- C\\-20261001\\-0003 · received 2026-10-01 · product defect · closed, first-time "
        "close, callback satisfied",
        "- C\\-20261110\\-0012 · received 2026-11-10 · parts · open",
    ]:
        assert line in card, line


def test_a_card_without_those_facts_has_none_of_their_sections() -> None:
    empty = {key: [] if isinstance(value, list) else None if key in (
        "signed_at", "established_loss", "satisfaction_score") else 0 if isinstance(
        value, int) else "" for key, value in FOLLOWED_UP.items()}
    for card in (case_card(story(**empty), now=NOW, tz="Asia/Shanghai"),
                 case_card(story(), now=NOW, tz="Asia/Shanghai")):
        assert "## Responsibility and follow-up" not in card
        assert "## Customer history" not in card and "Possible repeat" not in card


def test_an_established_loss_of_nothing_is_still_shown() -> None:
    card = case_card(story(established_loss="0.00"), now=NOW, tz="Asia/Shanghai")
    assert "- **Established loss** 0.00 yuan" in card


def test_the_board_is_a_markdown_table_whose_cells_cannot_break_it() -> None:
    from models.cards import board_markdown

    rows = [{"case": "C-1", "stalled": "⚠ stalled: a | b", "links": "[card](/v2/x)"}]
    text = board_markdown(rows, tz="Asia/Shanghai")
    assert "Times: Asia/Shanghai" in text and "| case | stalled | links |" in text
    assert "| C-1 | ⚠ stalled: a \\| b | [card](/v2/x) |" in text
    assert "No open case" in board_markdown([], tz="Asia/Shanghai")
