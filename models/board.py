"""The SLA board the watchdog publishes: one row per open case, narrow enough for a
1366 px screen, in the staff's language (the catalog's `board` section) with times in
the centre's zone, said once above the table. Pure."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from models.card_text import escape, next_actor, step_name, time_left, when, word
from models.i18n import t

# What tasks.operations.stalled says of a run, e.g. 'flow run Cancelled' or 'flow run
# Running since 2026-11-24T01:00:00+00:00': read back into words and the centre's zone.
RUN_STATE = re.compile(r"^flow run (?P<state>[\w ]+?)(?: since (?P<at>\S+))?$")


def stalled_text(why: str, *, language: str, zone: ZoneInfo) -> str:
    """Why a case's run cannot move it, in words ('' when it can)."""
    if not why:
        return ""
    found = RUN_STATE.match(why)
    if why == "never started":
        said = t(language, "board.why.never_started")
    elif why == "flow run missing":
        said = t(language, "board.why.missing")
    elif found:
        state = word(language, "board.state", found["state"])
        said = (t(language, "board.why.since", state=state,
                  at=when(language, found["at"], zone, short=True)) if found["at"]
                else t(language, "board.why.state", state=state))
    else:
        said = why
    return t(language, "board.stalled", why=escape(said, 80))


def flagged(text: str) -> str:
    """A stalled case's reason on the board: red and bold, seen at a glance (the UI's
    markdown keeps no colours, so the colour is a red mark)."""
    return f"🔴 **{text}**" if text else ""


def board_row(row: dict[str, Any], *, now: datetime, tz: str, card: str, run: str,
              stalled: str = "", language: str = "zh") -> dict[str, str]:
    """One line of the SLA board, by column key (models/board.py COLUMNS). `row`: the
    case's number, tier, stage, open and acknowledged escalations, and its nearest running
    clock (name, round, due_at; due_at None when no clock runs). `card` and `run` are links
    (empty: none; `run` not a URL: no run yet); `stalled` why the case's run cannot move
    it (tasks.operations.stalled), or ''."""
    zone = ZoneInfo(tz)
    due: datetime | None = row.get("due_at")
    acked = int(row.get("acknowledged") or 0)
    links = [(t(language, f"board.link.{label}"), url)
             for label, url in (("card", card), ("run", run)) if url]
    return {
        "case": row["number"], "tier": row["tier"] or "?",
        "stage": word(language, "card.stage", row["stage"]),
        "next": next_actor(language, row["stage"], short=True),
        "deadline": step_name(language, f"{row['name']}-{row['round']}",
                                                clock=True) if due else "-",
        "due": when(language, due, zone, short=True) if due else "-",
        "left": time_left(due, now, language) if due else "-",
        "escalations": str(int(row.get("escalations") or 0)) + (
            t(language, "board.acknowledged", count=acked) if acked else ""),
        "stalled": flagged(stalled_text(stalled, language=language, zone=zone)),
        "links": " · ".join(f"[{label}]({url})" if url.startswith(("http", "/"))
                            else t(language, "board.link.none") for label, url in links),
    }


def board_markdown(rows: list[dict[str, str]], *, tz: str, language: str = "zh",
                   warnings: list[str] | None = None, open_cases: int = 0) -> str:
    """The SLA board as a markdown table: its cells wrap, so it fits a 1366 px screen
    (a table artifact's cells do not). Times are in `tz`, said once above the table.
    The early warnings of the last days, if any, stand above the cases; below them, how
    many of the `open_cases` the table does not list (later deadlines, or clocks that
    all wait)."""
    head = [f"# {t(language, 'board.title')}", ""]
    if warnings:
        head += [f"## {t(language, 'board.warnings')}", "", *[f"- ⚠ {w}" for w in warnings], ""]
    if not rows:
        return "\n".join([*head, t(language, "board.empty")])
    columns = list(rows[0])
    names = [word(language, "board.column", c) for c in columns]
    lines = [*head,
             t(language, "board.intro", timezone=t(language, "card.timezone", timezone=tz)),
             "", "| " + " | ".join(names) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row.get(c, "").replace("|", "\\|") for c in columns) + " |"
              for row in rows]
    if open_cases > len(rows):
        lines += ["", t(language, "board.more", count=open_cases - len(rows))]
    return "\n".join(lines)
