"""What the Prefect UI shows of a case: the case card (the SLA board is models/board.py).

Pure: built from the case's story (`models.store.story`) and `now`. Every word is the
staff's language (policy.staff_language) from the catalog's `card` section, every time is
in the centre's zone, said once under the title (the story itself stays ISO-8601 with
offsets for `complaints show`). Customer details arrive masked; customer text is escaped
so it cannot change the markdown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from models.card_facts import customer_history, follow_up
from models.card_text import (
    escape,
    next_actor,
    step_name,
    tier_name,
    time_left,
    when,
    word,
)
from models.i18n import t
from models.privacy import mask_text
from models.reasons import render, render_all

__all__ = ["case_card", "escape", "time_left"]


def case_card(story: dict[str, Any], *, now: datetime, tz: str, language: str = "zh") -> str:
    """The card as markdown in `language`; times in `tz`, the centre's zone."""
    zone = ZoneInfo(tz)
    lines = [*_head(story, language, tz, now)]
    lines += _deadlines(story, now, zone, language)
    lines += _escalations(story, zone, language)
    lines += follow_up(story, zone, language) + customer_history(story, zone, language)
    lines += _section(language, "reasons") + [
        f"- {escape(r)}" for r in render_all(language, story["reasons"])]
    lines += _letter(story, language)
    lines += _section(language, "history") + [
        "- " + t(language, "card.event", at=when(language, e["at"], zone),
          kind=word(language, "card.events", e["kind"]),
          step=" " + step_name(language, e["step"]) if e["step"] else "",
          actor=escape(word(language, "card.actor", e["actor"]))) + _detail(e, language)
        for e in story["events"][-30:]]
    return "\n".join(lines)


def _detail(event: dict[str, Any], language: str) -> str:
    """Why a transfer, a rejection or a deferral happened, as the person wrote it."""
    data = event.get("data") or {}
    parts = []
    if event["kind"] == "transferred":
        parts.append(t(language, "card.transfer",
                       before=word(language, "department", data.get("before", "")),
                       after=word(language, "department", data.get("after", ""))))
    if event["kind"] in ("transferred", "solution_rejected", "deferral_requested") \
            and data.get("reason"):
        parts.append(escape(mask_text(data["reason"]), 120))
    if event["kind"] == "deferral_decided":
        parts.append(word(language, "card.deferral", "yes" if data.get("approved") else "no"))
        if data.get("note"):
            parts.append(escape(mask_text(data["note"]), 120))
    if not parts:
        return ""
    return t(language, "card.event_detail", detail=t(language, "card.separator").join(parts))


def _section(language: str, name: str) -> list[str]:
    return ["", f"## {t(language, f'card.section.{name}')}", ""]


def _head(story: dict[str, Any], language: str, tz: str, now: datetime) -> list[str]:
    def label(key: str, **values: object) -> str:
        return t(language, f"card.label.{key}", **values)

    waiting, stage = story["waiting_for"], story["stage"]
    status = word(language, "card.status", story["status"])
    head = [
        f"**{label('stage')}** {word(language, 'card.stage', stage)}"
        + (f" · {label('waiting', form=step_name(language, waiting))}" if waiting else ""),
        f"**{label('next')}** {next_actor(language, stage)}" if story["status"] == "open"
        else f"**{label('closed')}**" + (label("close_kind", kind=word(
            language, "card.close_kind", story["close_kind"])) if story["close_kind"] else ""),
        f"**{label('level')}** {word(language, 'card.level', story['level'])} · "
        f"**{label('department')}** {word(language, 'department', story['department'])} · "
        f"**{label('channel')}** {word(language, 'card.channel', story['channel'])} · "
        f"**{label('round')}** {story['round']}",
        f"**{label('customer')}** {escape(story['customer']['name'])} · "
        f"**{label('subject')}** {escape(mask_text(story['subject']))}",
        t(language, "card.as_of", at=when(language, now, ZoneInfo(tz))) + " · "
        + t(language, "card.timezone", timezone=tz),
    ]
    title = t(language, "card.title", case=story["case"],
              tier=tier_name(language, story["tier"]), status=status)
    return [f"# {title}", "", *(line + "  " for line in head[:-1]), head[-1]]


def _deadlines(story: dict[str, Any], now: datetime, zone: ZoneInfo,
               language: str) -> list[str]:
    def column(key: str) -> str:
        return t(language, f"card.column.{key}")

    lines = _section(language, "deadlines") + [
        f"| {column('clock')} | {column('round')} | {column('due')} | {column('status')} |",
        "|---|---|---|---|"]
    for clock in story["clocks"]:
        due = datetime.fromisoformat(clock["due"])
        status = (word(language, "card.outcome", clock["outcome"]) if clock["met_at"]
                  else t(language, "card.outcome.paused") if clock["paused"]
                  else time_left(due, now, language))
        lines.append(f"| {word(language, 'clock', clock['name'])} | {clock['round']} "
                     f"| {when(language, due, zone)} | {status} |")
    return lines


def _escalations(story: dict[str, Any], zone: ZoneInfo, language: str) -> list[str]:
    lines = []
    for e in story["escalations"]:
        rung = e["rung"]
        reason = (t(language, "card.escalation.warn", percent=rung.split("-")[1])
                  if rung.startswith("warn-") else t(language, "card.escalation.breach"))
        line = t(language, "card.escalation.line", at=when(language, e["at"], zone),
                 rung=word(language, "rung", rung), reason=reason,
                 clock=step_name(language, e["clock"], clock=True))
        if e["acknowledged_by"]:
            line += t(language, "card.escalation.acknowledged",
                      person=escape(e["acknowledged_by"]))
        lines.append(f"- {line}")
    return _section(language, "escalations") + (lines or [f"- {t(language, 'card.none')}"])


def _letter(story: dict[str, Any], language: str) -> list[str]:
    """What was read from the customer's letter, with why: for a person to check."""
    read = next((e.get("data", {}) for e in story["events"] if e["kind"] == "letter_read"), None)
    if not read:
        return []
    sep = t(language, "card.separator")
    lines = _section(language, "letter")
    lines += [f"- **{word(language, 'card.letter_field', field)}**: "
              f"{escape(render(language, why))}"
              for field, why in read.get("reasons", {}).items()]
    for kind, values in read.get("references", {}).items():
        lines.append(f"- {word(language, 'card.reference', kind)}: {escape(sep.join(values))}")
    if read.get("attachments"):
        lines.append(f"- {t(language, 'card.attachments')}: "
                     f"{escape(sep.join(read['attachments']))}")
    return lines

