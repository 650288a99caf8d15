"""The claimed loss of a letter: the amounts that stand in a claim (赔偿, 退还, refund,
compensation ...), a loss (损失, cost me, lost wages ...) or a fee charged (维修费,
charged ...) — never a price, an order value or an invoice total (售价, 订单金额, price,
invoice total ...). The words that decide are data: `amounts` in models/lexicon.yaml,
which also says the rule.

Each amount is read in its clause (between commas, full stops and conjunctions such as
but/and/但是): a claim word there wins, then a loss word, else the nearest of a fee, a
payment or a price; a clause without such a word is read by the nearest in its
sentence. A clause that starts "其中" / "of which" is a part of the amount before it.
Words are looked for only within WINDOW characters of the amount, and only the first
MOST amounts are read: a letter of thousands of amounts is read in linear time.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache

from models.letters_amounts import Amount, amounts
from models.letters_lexicon import CJK, lexicon
from models.letters_text import CLAUSE_END, SENTENCE_END, joined, spans
from models.reasons import Reason, reason

TAKEN = ("claim", "loss", "fee")  # in this order: the first kind present is the loss
NEAREST = ("price", "paid", "fee")  # at equal distance the first wins: price is safest
KINDS = ("claim", "loss", "fee", "paid", "price", "total")
WINDOW, MOST, NAMED = 120, 50, 6
Span = tuple[int, int]


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    kind: str
    word: str


@dataclass(frozen=True)
class Reading:
    amount: Amount
    kind: str
    cue: str
    total: bool
    sentence: int  # which sentence of the letter it stands in


@dataclass(frozen=True)
class Claim:
    loss: float
    reason: Reason


def claimed_loss(text: str) -> Claim | None:
    """The loss the letter claims and why, or None when it names no amount at all."""
    text = joined(text)
    found = amounts(text)
    if not found:
        return None
    cues, sentences = _cues(text), spans(text, SENTENCE_END)
    readings = _readings(text, found[:MOST], cues, sentences)
    asking = {_index(sentences, c.start) for c in cues if c.kind == "claim"}
    kind = next((k for k in TAKEN if any(_yuan(r, k) for r in readings)), "")
    taken = [r for r in readings if _yuan(r, kind)] if kind else _asked_back(readings, asking)
    totals = [r.amount.value for r in taken if r.total]
    loss = max(totals) if totals else sum(dict.fromkeys(r.amount.value for r in taken))
    unread = {"most": str(MOST), "found": str(len(found))} if len(found) > MOST else {}
    return Claim(loss, _reason(readings, taken, bool(asking)) | unread)


def _asked_back(readings: list[Reading], asking: set[int]) -> list[Reading]:
    """When no amount is claimed outright but the letter asks for money back: what was
    paid ('I paid 899 yuan ... I want a refund'), else a price in the sentence asking or
    next to it ('Can I have a refund? They cost 1,299 yuan')."""
    if not asking:
        return []
    paid = [r for r in readings if _yuan(r, "paid")]
    return paid or [r for r in readings if _yuan(r, "price") and
                    {r.sentence - 1, r.sentence, r.sentence + 1} & asking]


def _yuan(reading: Reading, kind: str) -> bool:
    return reading.kind == kind and reading.amount.yuan


def _readings(text: str, found: list[Amount], cues: list[Cue],
              sentences: list[Span]) -> list[Reading]:
    clauses, parts = spans(text, CLAUSE_END), _words("part")
    readings: list[Reading] = []
    for amount in found:
        clause, index = _around(clauses, amount), _index(sentences, amount.start)
        inside = _near(cues, amount, clause)
        total = any(c.kind == "total" for c in inside)
        if readings and parts.match(text[clause[0]:amount.start].strip()):
            before = readings[-1]  # 其中工时费800元: read as the amount it is a part of
            readings.append(Reading(amount, before.kind, before.cue, total, index))
            continue
        cue = _decide(amount, inside) or _nearest(amount, [
            c for c in _near(cues, amount, _around(sentences, amount)) if c.kind != "total"])
        readings.append(Reading(amount, cue.kind if cue else "none",
                                cue.word if cue else "", total, index))
    return readings


def _decide(amount: Amount, inside: list[Cue]) -> Cue | None:
    for kind in ("claim", "loss"):
        cue = _nearest(amount, [c for c in inside if c.kind == kind])
        if cue:
            return cue
    return _nearest(amount, [c for c in inside if c.kind in NEAREST])


def _nearest(amount: Amount, cues: list[Cue]) -> Cue | None:
    def distance(cue: Cue) -> tuple[int, int]:
        gap = amount.start - cue.end if cue.end <= amount.start else cue.start - amount.end
        return gap, NEAREST.index(cue.kind) if cue.kind in NEAREST else -1
    return min(cues, key=distance, default=None)


def _near(cues: list[Cue], amount: Amount, span: Span) -> list[Cue]:
    """The cues inside `span` and within WINDOW of the amount, not part of it."""
    low, high = max(span[0], amount.start - WINDOW), min(span[1], amount.end + WINDOW)
    first = bisect_left(cues, low, key=lambda c: c.start)
    last = bisect_right(cues, high, key=lambda c: c.start)
    return [c for c in cues[first:last] if c.end <= high and
            (c.end <= amount.start or c.start >= amount.end)]


def _around(spans_: list[Span], amount: Amount) -> Span:
    index = _index(spans_, amount.start)
    return spans_[index] if index >= 0 else (amount.start, amount.end)


def _index(spans_: list[Span], at: int) -> int:
    """Which of the (sorted, disjoint) spans holds position `at`; -1 for none."""
    index = bisect_right(spans_, at, key=lambda s: s[0]) - 1
    return index if index >= 0 and at < spans_[index][1] else -1


def _cues(text: str) -> list[Cue]:
    found = [Cue(match.start(), match.end(), kind, match.group(0))
             for kind in KINDS for match in _words(kind).finditer(text)]
    return sorted(found, key=lambda c: c.start)


@cache
def _words(kind: str) -> re.Pattern[str]:
    """One pattern of the lexicon's words of a kind: Chinese as written, English as
    whole words (a final * any ending), longest first."""
    words = sorted(lexicon().amounts.get(kind, []), key=len, reverse=True)
    return re.compile("|".join(_word(w) for w in words) or r"(?!)", re.IGNORECASE | re.ASCII)


def _word(word: str) -> str:
    if CJK.search(word):
        return re.escape(word)
    body = r"\s+".join(re.escape(w) for w in word.rstrip("*").split())
    return rf"\b{body}" + (r"\w*" if word.endswith("*") else r"\b")


def _reason(readings: list[Reading], taken: list[Reading], asks_back: bool) -> Reason:
    """Which amounts were taken and why the others were not, as data: each amount a
    short list [as written, cue word, kind, note] that models/reasons.py puts in words."""
    kind = taken[0].kind if taken else ""
    seen = _listed([_seen(r, kind, asks_back) for r in readings if r not in taken])
    if not taken:
        return reason("letter.claimed_none", seen=seen)
    how = "total" if any(r.total for r in taken) else (
        "sum" if len({r.amount.value for r in taken}) > 1 else "one")
    back = "asks_back" if kind in NEAREST else ""
    named = _listed([[r.amount.written.strip(), r.cue, r.kind, back] for r in taken])
    return reason(f"letter.claimed_{how}", taken=named, rest=seen)


def _seen(reading: Reading, kind: str, asks_back: bool) -> list[str]:
    written = [reading.amount.written.strip(), reading.cue, reading.kind]
    if not reading.amount.yuan:
        return [*written, "not_yuan"]
    if reading.kind == kind:
        return [*written, "part"]
    if kind and reading.kind in (*TAKEN, "paid"):
        return [*written, f"claims_{kind}"]
    if reading.kind == "paid" and not asks_back:
        return [*written, "no_ask"]
    return [*written, ""]


def _listed(items: list[list[str]]) -> str:
    """The first NAMED amounts, then how many more (["+", count]): one short line."""
    more = [["+", str(len(items) - NAMED)]] if len(items) > NAMED else []
    return json.dumps(items[:NAMED] + more, ensure_ascii=False)
