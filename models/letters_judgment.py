"""Category, emotion and threat of a letter, from what the lexicon found in it
(models/letters_lexicon.py): sums of weights against the thresholds in
models/lexicon.yaml `scoring`, each with the words that made it, for the case card.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.letters_lexicon import Hit, lexicon
from models.reasons import Reason, reason

EMOTION_GROUPS = ("urgency", "anger", "fury")
SHOWN = 4  # words named in a reason; the rest are summed


@dataclass(frozen=True)
class Finding:
    value: str
    reason: Reason  # data (models/reasons.py): words found and sums, never a sentence


def category(hits: list[Hit], quoted: list[Hit]) -> Finding:
    """The category with the highest sum (ties: the lexicon's order); `other` when none
    reaches the threshold. The quoted earlier mails decide only when the customer's own
    words name no category (a follow-up that says "see below")."""
    found = _category(hits)
    if found.value == "other" and not _scores(hits) and _scores(quoted):
        earlier = _category(quoted)
        return Finding(earlier.value, earlier.reason | {"quoted": "yes"})
    return found


def _category(hits: list[Hit]) -> Finding:
    scores = _scores(hits)
    least = float(lexicon().scoring["category_at_least"])
    ranked = sorted(scores, key=lambda c: (-scores[c], lexicon().categories.index(c)))
    if not ranked or scores[ranked[0]] < least:
        if not ranked:
            return Finding("other", reason("letter.category_none", least=f"{least:g}"))
        return Finding("other", reason("letter.category_best", least=f"{least:g}",
                                       **_sum(hits, ranked[0])))
    if len(ranked) == 1:
        return Finding(ranked[0], reason("letter.category", **_sum(hits, ranked[0])))
    runner = {f"next_{name}": value for name, value in _sum(hits, ranked[1]).items()}
    return Finding(ranked[0], reason("letter.category_next", **_sum(hits, ranked[0]), **runner))


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
    return Finding(value, reason(f"letter.emotion_{value}", words=_named(mine), score=f"{score:g}",
                                 strong=f"{levels['strong']:g}",
                                 extreme=f"{levels['extreme']:g}"))


def threatening(hits: list[Hit]) -> Finding | None:
    """"yes" when the threat words reach the threshold, "no" when some were found but
    too few (a bare mention of the media), None when there were none."""
    mine = [h for h in hits if h.group == "threats"]
    if not mine:
        return None
    least = float(lexicon().scoring["threatening"])
    score = sum(h.weight for h in mine)
    value = "yes" if score >= least else "no"
    return Finding(value, reason(f"letter.threat_{value}", words=_named(mine),
                                 score=f"{score:g}", least=f"{least:g}"))


def _sum(hits: list[Hit], group: str) -> dict[str, str]:
    mine = [h for h in hits if h.group == group]
    return {"category": group, "score": f"{sum(h.weight for h in mine):g}",
            "words": _named(mine)}


def _named(hits: list[Hit]) -> str:
    """The customer's words with their weights, the same in every language:
    "'lawyer' 3, 'media' 2 … +3 (4)" (three more words weighing 4 in all)."""
    ordered = sorted(hits, key=lambda h: -abs(h.weight))
    named = ", ".join(f"{h.term!r} {h.weight:g}" for h in ordered[:SHOWN])
    rest = ordered[SHOWN:]
    return named + (f" … +{len(rest)} ({sum(h.weight for h in rest):g})" if rest else "")
