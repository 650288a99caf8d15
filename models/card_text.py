"""The small pieces the case card and the SLA board are written with: customer text made
inert, times in the centre's zone, time left, and data keys in the staff's words.

Pure. Every word comes from the catalog's `card` and `board` sections (models/i18n.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from models.i18n import day, t, words
from models.i18n import term as word  # a key in the staff's words (card.level, ...)

# The Prefect UI's markdown links bare URLs (http://, https://, ftp://, www.) and e-mail
# addresses by itself; a zero-width joiner inside each of those marks breaks the
# autolink while the text still reads the same.
ZWJ = "\u200d"
AUTOLINKS = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)", re.IGNORECASE)
STEP = re.compile(r"^([a-z_]+)-(\d+)$")


def escape(text: str, limit: int = 300) -> str:
    """Customer text shown as text in markdown: no formatting, HTML, links or images,
    neither written ones (`[x](y)`, `<a>`) nor the bare URLs the UI would link itself."""
    text = AUTOLINKS.sub(ZWJ, text)
    for char in "\\`*_{}[]()#+-.!<>|":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())[:limit]


def local(moment: str | datetime, zone: ZoneInfo) -> datetime:
    """An instant in the centre's zone; a time stored without an offset is UTC."""
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)


def when(language: str, moment: str | datetime, zone: ZoneInfo, *, short: bool = False,
         clock: bool = True) -> str:
    """Date (the locale's words) and HH:MM in the centre's zone; short drops the year."""
    at = local(moment, zone)
    text = day(language, at.date(), short=short)
    return f"{text} {at:%H:%M}" if clock else text


def time_left(due: datetime, now: datetime, language: str = "zh") -> str:
    """'剩余8小时0分' / '8 h 0 min left', or overdue by as much."""
    seconds = int((due - now).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    days, hours = divmod(hours, 24)
    span = (t(language, "card.span.days", days=days, hours=hours) if days
            else t(language, "card.span.hours", hours=hours, minutes=minutes) if hours
            else t(language, "card.span.minutes", minutes=minutes))
    return t(language, "card.left" if seconds >= 0 else "card.overdue", span=span)


def step_name(language: str, key: str, *, clock: bool = False) -> str:
    """A form or clock key ('solution-1', 'close-2') as words with its round; `clock`:
    the key is a clock's even where a stage has the same name (handover)."""
    found = STEP.match(key)
    if not found:
        return escape(word(language, "card.stage", key))
    name, round_ = found.groups()
    stage = name in words(language)["card"]["stage"] and not clock
    section = "card.stage" if stage else "clock"
    named = word(language, section, name)
    return t(language, "card.step", name=escape(named), round=round_)


def tier_name(language: str, tier: str) -> str:
    if not tier:
        return t(language, "card.no_tier")
    return t(language, "card.tier", letter=tier, name=word(language, "tier", tier))


def next_actor(language: str, stage: str, *, short: bool = False) -> str:
    """Who must act next: in full on the card, short on the board ('' when closed)."""
    if short:
        return word(language, "card.next_short", stage) if stage in words(
            language)["card"]["next_short"] else ""
    return word(language, "card.next_actor", stage if stage in words(
        language)["card"]["next_actor"] else "none")
