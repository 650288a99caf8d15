"""Category, emotion and threat of a letter, from what the lexicon found in it
(models/letters_lexicon.py): sums of weights against the thresholds in
models/lexicon.yaml `scoring`, each with the words that made it, for the case card.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.letters_lexicon import Hit, lexicon

EMOTION_GROUPS = ("urgency", "anger", "fury")
SHOWN = 4  # words named in a reason; the rest are summed


@dataclass(frozen=True)
class Finding:
    value: str
    reason: str


def category(hits: list[Hit], quoted: list[Hit]) -> Finding:
    """The category with the highest sum (ties: the lexicon's order); `other` when none
    reaches the threshold. The quoted earlier mails decide only when the customer's own
    words name no category (a follow-up that says "see below")."""
    found = _category(hits)
    if found.value == "other" and not _scores(hits) and _scores(quoted):
        earlier = _category(quoted)
        return Finding(earlier.value, f"{earlier.reason} (from the quoted earlier mail)")
    return found


def _category(hits: list[Hit]) -> Finding:
    scores = _scores(hits)
    least = float(lexicon().scoring["category_at_least"])
    ranked = sorted(scores, key=lambda c: (-scores[c], lexicon().categories.index(c)))
    if not ranked or scores[ranked[0]] < least:
        best = f"; best {_sum(hits, ranked[0])}" if ranked else ""
        return Finding("other", f"no category reaches {least:g}{best}: other")
    runner = f"; next {_sum(hits, ranked[1])}" if len(ranked) > 1 else ""
    return Finding(ranked[0], f"{_sum(hits, ranked[0])}{runner}")


def _scores(hits: list[Hit]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for hit in hits:
        if hit.group in lexicon().categories:
            scores[hit.group] = scores.get(hit.group, 0) + hit.weight
    return {group: score for group, score in scores.items() if score > 0}


def emotion(hits: list[Hit]) -> Finding | None:
    """calm, strong or extreme by the sum of urgency, anger and fury words; None when
    the letter holds none of them."""
    mine = [h for h in hits if h.group in EMOTION_GROUPS]
    if not mine:
        return None
    levels = lexicon().scoring["emotion"]
    score = sum(h.weight for h in mine)
    value = ("extreme" if score >= levels["extreme"] else
             "strong" if score >= levels["strong"] else "calm")
    return Finding(value, f"{_named(mine)} = {score:g}: {value} (strong from "
                          f"{levels['strong']:g}, extreme from {levels['extreme']:g})")


def threatening(hits: list[Hit]) -> Finding | None:
    """"yes" when the threat words reach the threshold, "no" when some were found but
    too few (a bare mention of the media), None when there were none."""
    mine = [h for h in hits if h.group == "threats"]
    if not mine:
        return None
    least = float(lexicon().scoring["threatening"])
    score = sum(h.weight for h in mine)
    value = "yes" if score >= least else "no"
    return Finding(value, f"threat words: {_named(mine)} = {score:g}"
                          + ("" if value == "yes" else f", under {least:g}: not a threat"))


def _sum(hits: list[Hit], group: str) -> str:
    mine = [h for h in hits if h.group == group]
    return f"{group} {sum(h.weight for h in mine):g} ({_named(mine)})"


def _named(hits: list[Hit]) -> str:
    ordered = sorted(hits, key=lambda h: -abs(h.weight))
    named = ", ".join(f"{h.term!r} {h.weight:g}" for h in ordered[:SHOWN])
    rest = ordered[SHOWN:]
    return named + (f" and {len(rest)} more ({sum(h.weight for h in rest):g})" if rest else "")
