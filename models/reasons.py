"""Why a case got its tier and level: stable data in the store, words only when shown.

A reason is a flat mapping of strings: `key` names the rule (`reason.<key>` in the
catalog), the other entries are its values as stable data — tier letters, level,
channel, clock and unreasonable-type keys, amounts as plain decimals ("800.00"), spans in
minutes. The judgment stored with a case, its events and `complaints show` keep this
form, so a reader never has to parse a sentence and a catalog change never rewrites
history. `render` turns one into a sentence in a staff language, with the catalog's
words for the keys and the locale's digits for the numbers.

A reason that reached a criterion's tier carries `tier`; one outranked by another
criterion also carries `higher`, the tier that applied. Cases judged before reasons
were data hold English sentences: those are shown as they are.

The letter reader's reasons (models/letters*.py) are keyed `letter.<name>` and read from
the catalog's `letter_reason` section. The customer's own words in them (words found with
their weights, amounts as written, cue words) are quoted as written in every language;
the amounts it listed are a JSON list of [as written, cue, kind, note], ["+", n] last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal

from models.i18n import number, t, term

Reason = dict[str, str]


def reason(key: str, **values: object) -> Reason:
    """A reason as stored: {"key": key, value: str(value), ...}."""
    return {"key": key, **{name: str(value) for name, value in values.items()}}


def minutes(seconds: float) -> str:
    """A duration as the whole minutes a reason stores."""
    return str(int(seconds // 60))


def _tier(language: str, letter: str) -> str:
    return t(language, "reason.word.tier", letter=letter, name=term(language, "tier", letter))


def _clock(language: str, key: str) -> str:
    # Inside an English sentence 'First reply' reads 'first reply'.
    name = term(language, "clock", key)
    return name[:1].lower() + name[1:] if language == "en" else name


def _amount(language: str, value: str) -> str:
    amount = Decimal(value)
    return number(language, amount, 0 if amount == amount.to_integral_value() else 2)


def _span(language: str, value: str) -> str:
    """Minutes as the largest whole unit: 90 天, 36 小时, 45 分钟 / 90 days, ..."""
    total = int(value)
    unit, count = "minute", total
    for name, size in (("day", 1440), ("hour", 60)):
        if total >= size and total % size == 0:
            unit, count = name, total // size
            break
    plural = "" if count == 1 else "s"
    return t(language, f"reason.word.{unit}{plural}", n=number(language, count))


def _count(language: str, value: str) -> str:
    n = int(value)
    if language != "en":
        return number(language, n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# How each stored value reads; a value not named here is shown as stored (a year).
_VALUES: dict[str, Callable[[str, str], str]] = {
    "tier": _tier, "higher": _tier,
    "loss": lambda lang, v: number(lang, Decimal(v), 2), "threshold": _amount,
    "level": lambda lang, v: term(lang, "card.level", v),
    "channel": lambda lang, v: term(lang, "card.channel", v),
    "clock": _clock,
    "type": lambda lang, v: term(lang, "card.unreasonable_type", v),
    "category": lambda lang, v: term(lang, "category", v),
    "next_category": lambda lang, v: term(lang, "category", v),
    "parts": lambda lang, v: _parts(lang, v),
    "most": lambda lang, v: number(lang, int(v)), "found": lambda lang, v: number(lang, int(v)),
    "department": lambda lang, v: term(lang, "department", v),
    "minutes": _span, "within": _span, "count": _count,
    "options": lambda lang, v: number(lang, int(v)),
}


def render(language: str, stored: Reason | str) -> str:
    """One reason as a sentence in `language` (an old English sentence stays as it is)."""
    if isinstance(stored, str):
        return stored
    if stored["key"].startswith("letter."):
        return _letter(language, stored)
    values = {name: _VALUES.get(name, lambda _lang, v: v)(language, value)
              for name, value in stored.items() if name != "key"}
    text = t(language, f"reason.{stored['key']}", **values)
    if "higher" in stored:
        return t(language, "reason.word.outranked", why=text, **values)
    if "tier" in stored:
        return t(language, "reason.word.tiered", why=text, **values)
    return text


def _letter(language: str, stored: Reason) -> str:
    """What the letter reader found (models/letters*.py), from `letter_reason` in the catalog."""
    values = {name: _VALUES.get(name, lambda _lang, v: v)(language, value)
              for name, value in stored.items() if name != "key"}
    values |= {name: _amounts(language, stored[name]) for name in ("taken", "seen", "rest")
               if name in stored}
    text = t(language, f"letter_reason.{stored['key'].removeprefix('letter.')}", **values)
    if json.loads(stored.get("rest", "[]")):
        text += t(language, "letter_reason.word.rest", items=values["rest"])
    if "most" in stored:
        text += t(language, "letter_reason.word.unread", **values)
    if "limit" in stored:
        text += t(language, "letter_reason.word.limit", limit=number(
            language, Decimal(stored["limit"]), 2))
    return t(language, "letter_reason.word.quoted", why=text) if "quoted" in stored else text


def _amounts(language: str, stored: str) -> str:
    """Amounts the letter reader listed: [as written, cue, kind, note] each, ["+", n] last."""
    items = [_item(language, item) for item in json.loads(stored)]
    return t(language, "letter_reason.word.join").join(items)


def _item(language: str, item: list[str]) -> str:
    if item[0] == "+":
        return t(language, "letter_reason.word.more", n=number(language, int(item[1])))
    written, cue, kind, note = item
    why = t(language, f"letter_reason.kind.{kind}")
    if note.startswith("claims_"):
        why = t(language, "letter_reason.note.claims", why=why,
                kind=t(language, f"letter_reason.kind.{note.removeprefix('claims_')}"))
    elif note:
        why = t(language, f"letter_reason.note.{note}", why=why)
    cue_text = t(language, "letter_reason.word.cue", cue=cue) if cue else t(
        language, "letter_reason.word.no_cue")
    return t(language, "letter_reason.word.item", amount=written, cue=cue_text, why=why)


def _parts(language: str, value: str) -> str:
    return t(language, "letter_reason.word.join").join(
        t(language, f"letter_reason.part.{part}") for part in value.split(",") if part)


def render_all(language: str, stored: Iterable[Reason | str] | None) -> list[str]:
    """Every reason of a judgment or an event in `language`."""
    return [render(language, r) for r in stored or []]
