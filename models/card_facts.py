"""The case card's decided facts: responsibility, follow-up, actions and the customer's
earlier cases, in the staff's language with times in the centre's zone. Pure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.card_text import escape, when, word
from models.i18n import money, t
from models.privacy import mask_text


def follow_up(story: dict[str, Any], zone: ZoneInfo, language: str) -> list[str]:
    """Responsibility and follow-up: only what is decided so far."""
    lines = [f"- **{t(language, f'card.facts.{label}')}** {value}"
             for label, value in _facts(story, zone, language) if value]
    actions = story.get("actions", [])
    if actions:
        names = [t(language, f"card.column.{c}")
                 for c in ("action", "what", "owner", "due", "check", "status")]
        lines += ["", "| " + " | ".join(names) + " |", "|---|---|---|---|---|---|",
                  *(_action(a, zone, language) for a in actions)]
    if not lines:
        return []
    return ["", f"## {t(language, 'card.section.follow_up')}", "", *lines]


def _facts(story: dict[str, Any], zone: ZoneInfo, language: str) -> list[tuple[str, str]]:
    def get(key: str) -> Any:
        return story.get(key) or ""

    def joined(*parts: str) -> str:
        return " · ".join(part for part in parts if part)

    def fact(key: str, **values: object) -> str:
        return t(language, f"card.facts.{key}", **values)

    score, missed, loss = (story.get("satisfaction_score"), get("callback_not_reached"),
                           story.get("established_loss"))
    return [
        ("taken_by", escape(get("taken_by"))),
        ("references", escape(mask_text(get("references")), 200)),
        ("requested_remedy", escape(mask_text(get("requested_remedy")), 300)),
        ("signed_by", joined(escape(get("signed_by")), get("signed_at") and fact(
            "signed_at", at=when(language, get("signed_at"), zone)))),
        ("validity", get("validity") and word(language, "card.validity", get("validity"))),
        ("established_loss", "" if loss is None else money(language, Decimal(loss))),
        ("unreasonable_type", get("unreasonable_type") and word(
            language, "card.unreasonable_type", get("unreasonable_type"))),
        ("irrational", joined(
            get("irrational") and word(language, "card.irrational", get("irrational")),
            get("follow_up") and fact("follow_up", mode=word(
                language, "card.follow_up", get("follow_up"))),
            get("tracker") and fact("tracker", person=escape(get("tracker"))))),
        ("rejections", str(get("rejections"))),
        ("callback", joined(
            get("callback_result") and word(language, "card.callback_result",
                                            get("callback_result")),
            fact("score", score=score) if score is not None else "",
            missed and fact("not_reached", count=missed))),
        ("responsible", t(language, "card.separator").join(
            t(language, "card.person_of", person=escape(r["person"]),
              department=word(language, "department", r["department"]))
            for r in story.get("responsible", []))),
        ("customer_summary", escape(mask_text(get("customer_summary")), 300)),
    ]


def _action(action: dict[str, Any], zone: ZoneInfo, language: str) -> str:
    status = word(language, "card.action_status", action["status"])
    if action.get("note"):
        status = t(language, "card.note", status=status,
                   note=escape(mask_text(action["note"]), 80))
    return (f"| {escape(word(language, 'card.action_kind', action['kind']))} "
            f"| {escape(mask_text(action['what']), 120)} | {escape(action['owner'])} "
            f"| {when(language, action['due'], zone, clock=False)} "
            f"| {escape(mask_text(action['check']), 80)} | {status} |")


def customer_history(story: dict[str, Any], zone: ZoneInfo, language: str) -> list[str]:
    """The customer's other cases (by number, never by contact) and a possible repeat."""
    history, repeat = story.get("history", []), story.get("repeat_of", "")
    if not history and not repeat:
        return []
    lines = ["", f"## {t(language, 'card.section.customer_history')}", ""]
    if repeat:
        lines.append(f"- **{t(language, 'card.repeat', number=escape(repeat))}**")
    sep = t(language, "card.separator")
    for case in history:
        outcome = [word(language, "card.status", case["status"])]
        if case["close_kind"]:
            outcome.append(word(language, "card.close_kind", case["close_kind"]))
        if case["callback_result"]:
            outcome.append(t(language, "card.callback_outcome", result=word(
                language, "card.callback_result", case["callback_result"])))
        lines.append("- " + t(language, "card.earlier", number=escape(case["number"]),
                              day=when(language, case["received_at"], zone, clock=False),
                              category=word(language, "category", case["category"]),
                              outcome=sep.join(outcome)))
    return lines
