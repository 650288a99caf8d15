"""What the Prefect UI shows of a case: the case card and the rows of the SLA board.

Pure: built from the case's story (`models.store.story`) or clock rows and `now`. Customer
details arrive masked; customer text is escaped so it cannot change the markdown.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from models.privacy import mask_text

NEXT_ACTOR = {
    "handover": "the department's receiver (sign for the case, 签收, or transfer it)",
    "investigation": "the department's handler (findings and first reply)",
    "solution": "the department (solution proposal)",
    "choice": "the service centre (the customer's choice)",
    "execution": "the responsible person (execution report)",
    "deferral": "the service centre (decide the deferred close, 暂缓关闭)",
    "callback": "the service centre (callback to the customer)",
    "review": "the department and the service centre (review; the leader approves)",
}


# The Prefect UI's markdown links bare URLs (http://, https://, ftp://, www.) and e-mail
# addresses by itself; a zero-width joiner inside each of those marks breaks the
# autolink while the text still reads the same.
ZWJ = "\u200d"
AUTOLINKS = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)", re.IGNORECASE)


def escape(text: str, limit: int = 300) -> str:
    """Customer text shown as text in markdown: no formatting, HTML, links or images,
    neither written ones (`[x](y)`, `<a>`) nor the bare URLs the UI would link itself."""
    text = AUTOLINKS.sub(ZWJ, text)
    for char in "\\`*_{}[]()#+-.!<>|":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())[:limit]


def time_left(due: datetime, now: datetime) -> str:
    seconds = int((due - now).total_seconds())
    sign, seconds = ("", seconds) if seconds >= 0 else ("overdue by ", -seconds)
    hours, minutes = divmod(seconds // 60, 60)
    days, hours = divmod(hours, 24)
    text = f"{days} d {hours} h" if days else f"{hours} h {minutes} min"
    return f"{sign}{text}" if sign else f"{text} left"


def case_card(story: dict[str, Any], *, now: datetime, tz: str) -> str:
    """The card as markdown; times in the service centre's timezone."""
    zone = ZoneInfo(tz)
    waiting = story["waiting_for"]
    head = [
        f"# {story['case']} · tier {story['tier']} · {story['status']}",
        f"**Stage** {story['stage']}" + (f" · waiting for form `{waiting}`" if waiting else ""),
        f"**Next to act** {NEXT_ACTOR.get(story['stage'], 'nobody: the case is closed')}"
        if story["status"] == "open" else "**Closed** "
        f"({story['close_kind'].replace('_', '-')} close)",
        f"**Level** {story['level']} · **department** {story['department']} · "
        f"**channel** {story['channel']} · **round** {story['round']}",
        f"**Customer** {escape(story['customer']['name'])} · **subject** "
        f"{escape(mask_text(story['subject']))}",
    ]
    lines = [head[0], ""] + [line + "  " for line in head[1:]] + [
        "", "## Deadlines", "", f"| clock | round | due ({tz}) | status |", "|---|---|---|---|"]
    for clock in story["clocks"]:
        due = datetime.fromisoformat(clock["due"])
        status = clock["outcome"] if clock["met_at"] else (
            "paused" if clock["paused"] else time_left(due, now))
        lines.append(f"| {clock['name']} | {clock['round']} "
                     f"| {due.astimezone(zone):%Y-%m-%d %H:%M} | {status} |")
    lines += ["", "## Escalations", ""]
    lines += [f"- {e['at'][:16]} {e['rung']} ({e['clock']}): {escape(e['reason'], 200)}"
              + (f" — acknowledged by {escape(e['acknowledged_by'])}"
                 if e["acknowledged_by"] else "")
              for e in story["escalations"]] or ["- none"]
    lines += _follow_up(story, zone) + _customer_history(story, zone)
    lines += ["", "## Why this tier", ""] + [f"- {escape(r)}" for r in story["reasons"]]
    lines += _letter(story)
    lines += ["", "## History", ""] + [
        f"- {e['at'][:19]} **{e['kind']}** {escape(e['step'])} by {escape(e['actor'])}"
        for e in story["events"][-30:]]
    return "\n".join(lines)


ACTION_STATUS = {"open": "open", "done_effective": "done, effective",
                 "done_not_effective": "done, not effective", "done": "done",
                 "not_done": "not done"}


def _follow_up(story: dict[str, Any], zone: ZoneInfo) -> list[str]:
    """Responsibility and follow-up: only what is decided so far."""
    lines = [f"- **{label}** {value}" for label, value in _facts(story, zone) if value]
    actions = story.get("actions", [])
    if actions:
        lines += ["", f"| action | what | owner | due ({zone.key}) | check | status |",
                  "|---|---|---|---|---|---|", *(_action(a, zone) for a in actions)]
    return ["", "## Responsibility and follow-up", "", *lines] if lines else []


def _facts(story: dict[str, Any], zone: ZoneInfo) -> list[tuple[str, str]]:
    def get(key: str) -> Any:
        return story.get(key) or ""

    def joined(*parts: str) -> str:
        return " · ".join(part for part in parts if part)

    score, missed = story.get("satisfaction_score"), get("callback_not_reached")
    return [
        ("First contact", escape(get("taken_by"))),
        ("Signed for by", joined(escape(get("signed_by")), get("signed_at") and
                                 f"at {_local(get('signed_at'), zone):%Y-%m-%d %H:%M}")),
        ("Validity", get("validity")),
        ("Established loss", get("established_loss") and f"{get('established_loss')} yuan"),
        ("Unreasonable type", get("unreasonable_type").replace("_", "-")),
        ("Irrational", joined(get("irrational") and f"{get('irrational')} irrational",
                              get("follow_up") and f"follow-up: {get('follow_up')}",
                              get("tracker") and f"tracked by {escape(get('tracker'))}")),
        ("Rejected proposals", str(get("rejections"))),
        ("Callback", joined(get("callback_result").replace("_", " "),
                            f"score {score}/5" if score is not None else "",
                            missed and f"{missed} attempt(s) did not reach the customer")),
        ("Responsible", ", ".join(f"{escape(r['person'])} ({escape(r['department'])})"
                                  for r in story.get("responsible", []))),
    ]


def _action(action: dict[str, Any], zone: ZoneInfo) -> str:
    status = ACTION_STATUS.get(action["status"], escape(action["status"]))
    if action.get("note"):
        status += f": {escape(mask_text(action['note']), 80)}"
    return (f"| {escape(action['kind'])} | {escape(mask_text(action['what']), 120)} "
            f"| {escape(action['owner'])} | {_local(action['due'], zone):%Y-%m-%d} "
            f"| {escape(mask_text(action['check']), 80)} | {status} |")


def _customer_history(story: dict[str, Any], zone: ZoneInfo) -> list[str]:
    """The customer's other cases (by number, never by contact) and a possible repeat."""
    history, repeat = story.get("history", []), story.get("repeat_of", "")
    if not history and not repeat:
        return []
    lines = ["", "## Customer history", ""]
    if repeat:
        lines.append(f"- **Possible repeat of {escape(repeat)}** (same category, open or recent)")
    for case in history:
        outcome = case["status"]
        if case["close_kind"]:
            outcome += f", {case['close_kind'].replace('_', '-')} close"
        if case["callback_result"]:
            outcome += f", callback {case['callback_result'].replace('_', ' ')}"
        lines.append(f"- {escape(case['number'])} · received "
                     f"{_local(case['received_at'], zone):%Y-%m-%d} · "
                     f"{case['category'].replace('_', ' ')} · {outcome}")
    return lines


def _local(iso: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(iso).astimezone(zone)


def _letter(story: dict[str, Any]) -> list[str]:
    """What was read from the customer's letter, with why: for a person to check."""
    read = next((e.get("data", {}) for e in story["events"] if e["kind"] == "letter_read"), None)
    if not read:
        return []
    lines = ["", "## Read from the letter (check and correct)", ""]
    lines += [f"- **{field}**: {escape(why)}" for field, why in read.get("reasons", {}).items()]
    for kind, values in read.get("references", {}).items():
        lines.append(f"- {kind}: {escape(', '.join(values))}")
    if read.get("attachments"):
        lines.append(f"- attachments: {escape(', '.join(read['attachments']))}")
    return lines


def next_actor(stage: str) -> str:
    """Who must act next, short: the NEXT_ACTOR text without what they do."""
    return NEXT_ACTOR.get(stage, "").split(" (")[0].removeprefix("the ")


STALLED = "\u26a0 stalled: "  # the table cannot colour a cell: a warning sign leads


def board_row(row: dict[str, Any], *, now: datetime, tz: str, card: str, run: str,
              stalled: str = "") -> dict[str, str]:
    """One line of the SLA board, narrow enough for a 1366 px screen. `row`: the case's
    number, tier, stage, open and acknowledged escalations, and its nearest running clock
    (name, round, due_at; due_at None when no clock runs). `card` and `run` are links
    (empty: none); `stalled` why the case's run cannot move it, or ''."""
    due: datetime | None = row.get("due_at")
    acked = int(row.get("acknowledged") or 0)
    return {
        "case": row["number"], "tier": row["tier"] or "?", "stage": row["stage"],
        "next": next_actor(row["stage"]),
        "deadline": f"{row['name'].replace('_', ' ')} r{row['round']}" if due else "-",
        "due": f"{due.astimezone(ZoneInfo(tz)):%m-%d %H:%M}" if due else "-",
        "left": time_left(due, now) if due else "-",
        "esc.": str(int(row.get("escalations") or 0)) + (f" ({acked} ack)" if acked else ""),
        "stalled": f"{STALLED}{escape(stalled, 80)}" if stalled else "",
        "links": " · ".join(f"[{label}]({url})" if url.startswith(("http", "/")) else url
                            for label, url in (("card", card), ("run", run)) if url),
    }


def board_markdown(rows: list[dict[str, str]], *, tz: str, warnings: list[str] | None = None,
                   warnings_title: str = "Early warnings (last 7 days)") -> str:
    """The SLA board as a markdown table: its cells wrap, so it fits a 1366 px screen
    (a table artifact's cells do not). Times are in `tz`, said once above the table.
    The early warnings of the last days, if any, stand above the cases."""
    head = ["# SLA board", ""]
    if warnings:
        head += [f"## {warnings_title}", "", *[f"- ⚠ {w}" for w in warnings], ""]
    if not rows:
        return "\n".join([*head, "No open case has a running deadline."])
    columns = list(rows[0])
    lines = [*head,
             f"Open cases: stalled first, then by nearest deadline. Times: {tz}. esc.: open "
             "escalations (acknowledged ones in brackets).", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row.get(c, "").replace("|", "\\|") for c in columns) + " |"
              for row in rows]
    return "\n".join(lines)
