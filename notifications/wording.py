"""The words of a case message in its recipient's language.

Callers of `notifications.outbox.enqueue` pass stable keys and datetimes; `message_context`
turns them into what the recipient reads: the greeting (customers respectfully, staff by
name and role), the department's title, tier, level, category, clock and rung in words
from the catalog (models/catalog/*.yaml, section `message` and the data sections), and
times in the policy's time zone, named once in the footer. Pure: no store, no clock.

A deadline already past is never given: `promise` swaps it for the next reply time,
now + `messages.next_reply_after` counted in business hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from models import i18n
from models.calendar import BusinessCalendar
from models.policy import Contact, Policy
from models.reasons import render_all


@dataclass(frozen=True)
class CaseFacts:
    """What a message may say of its case (copied from the store's row)."""

    number: str
    subject: str
    customer_name: str
    tier: str = ""
    level: str = ""
    category: str = ""
    channel: str = ""
    department: str = ""
    round: int = 1
    rejections: int = 0
    follow_up: str = ""


def promise(due: datetime | None, *, now: datetime,
            policy: Policy) -> tuple[datetime | None, datetime | None]:
    """(the deadline if still ahead, the next reply time if it has passed)."""
    if due is None or due > now:
        return due, None
    calendar = BusinessCalendar(policy.calendar)
    return None, calendar.add_business_time(now, policy.messages.next_reply_after)


def moment(language: str, when: datetime, policy: Policy) -> str:
    """zh 2026年11月25日 10:00, en 25 Nov 2026, 10:00 — in the policy's time zone."""
    local = when.astimezone(BusinessCalendar(policy.calendar).tz)
    return i18n.t(language, "message.time", day=i18n.day(language, local.date()),
                  hour=f"{local:%H:%M}")


def zone_note(language: str, policy: Policy) -> str:
    """文中时间均为北京时间。 / All times are Beijing (Asia/Shanghai) time."""
    zone = policy.calendar.timezone
    return i18n.t(language, "message.zone_note", zone=i18n.term(language, "message.zone", zone))


def _inline(language: str, words: str) -> str:
    """A catalog word inside an English sentence: 'Close' reads 'the close deadline'."""
    return words[:1].lower() + words[1:] if language == "en" else words


def greeting(language: str, *, role: str, contact: Contact) -> str:
    """Customers respectfully without guessing a gender (尊敬的张伟先生/女士：您好！,
    Dear Zhang Wei,); staff by name and role (周强（技术部值班工程师）：)."""
    name = contact.name_in(language).strip()
    if role == "customer":
        if not name:
            return i18n.t(language, "message.greet_customer_unnamed")
        return i18n.t(language, "message.greet_customer", name=name)
    title = contact.role_in(language)
    if title:
        return i18n.t(language, "message.greet_staff", name=name, role=title)
    return i18n.t(language, "message.greet_staff_unnamed", name=name)


def clock_text(language: str, clock: str) -> str:
    """'close-1' reads 结案（第1轮）; keys of escalations without a clock read ''."""
    name, dash, round_ = clock.rpartition("-")
    if not dash or not round_.isdigit() or ":" in clock:
        return ""
    words = i18n.term(language, "clock", name)
    return i18n.t(language, "message.clock_round", clock=words, round=round_)


def rung_text(language: str, rung: str) -> str:
    if rung.startswith("warn-"):
        return i18n.t(language, "message.rung_warn", percent=rung.split("-", 1)[1])
    return i18n.term(language, "rung", rung)


def escalation_reason(language: str, *, clock: str, rung: str, facts: CaseFacts) -> str:
    """Why the case is escalated, from the escalation's clock key (what the store keeps)."""
    kind, _, detail = clock.partition(":")
    follow_up = i18n.term(language, "message.follow_up", facts.follow_up)
    if kind == "irrational":
        key = "irrational_second" if detail == "second" else "irrational_first"
        return i18n.t(language, f"message.reason.{key}", follow_up=follow_up)
    if kind == "rejected":
        key = "rejected_manager" if rung == "department_manager" else "rejected_general"
        return i18n.t(language, f"message.reason.{key}", n=detail)
    if kind == "repeat":
        return i18n.t(language, "message.reason.repeat", round=facts.round)
    if kind == "failure":
        return i18n.t(language, "message.reason.failure")
    name = clock.rpartition("-")[0]
    words = _inline(language, i18n.term(language, "clock", name))
    if rung.startswith("warn-"):
        return i18n.t(language, "message.reason.warn", clock=words,
                      percent=rung.split("-", 1)[1])
    if clock_text(language, clock):
        return i18n.t(language, "message.reason.breached", clock=words)
    return i18n.t(language, "message.reason.other")


def case_words(language: str, facts: CaseFacts, policy: Policy) -> dict[str, str]:
    """The case's department, tier, level, category and channel in words."""
    department = policy.departments.get(facts.department)
    contact = department.contact if department else None
    tier = i18n.term(language, "tier", facts.tier) if facts.tier else ""
    return {
        "department_title": department.title_in(language) if department else "",
        "contact_name": contact.name_in(language) if contact else "",
        "contact_phone": contact.phone if contact else "",
        "tier_text": i18n.t(language, "message.tier", tier=facts.tier,
                            name=_inline(language, tier))
        if facts.tier else "",
        "level_text": i18n.term(language, "message.level", facts.level),
        "category_text": i18n.term(language, "category", facts.category),
        "channel_text": i18n.term(language, "message.channel", facts.channel),
    }


def message_context(purpose: str, language: str, context: Mapping[str, object], *,
                    facts: CaseFacts, role: str, contact: Contact,
                    policy: Policy) -> dict[str, object]:
    """Everything a case template reads: the case's words, the caller's context with its
    datetimes written out (None reads ''), and the words of this purpose."""
    times = [v for v in context.values() if isinstance(v, datetime)]
    given = {k: moment(language, v, policy) if isinstance(v, datetime) else
             "" if v is None else v for k, v in context.items()}
    words: dict[str, object] = {
        "case_number": facts.number, "subject": facts.subject,
        "recipient_name": contact.name_in(language), "tier": facts.tier,
        "greeting": greeting(language, role=role, contact=contact),
        "zone_note": zone_note(language, policy) if times else "",
        **case_words(language, facts, policy), **given,
    }
    if purpose == "escalation":
        clock, rung = str(context.get("clock", "")), str(context.get("rung", ""))
        words.update(clock_text=clock_text(language, clock), rung_text=rung_text(language, rung),
                     reason_text=escalation_reason(language, clock=clock, rung=rung,
                                                   facts=facts))
    if purpose == "handover":  # stored as data (models/reasons.py), read in words
        reasons = context.get("reasons")
        words["reasons"] = render_all(language, reasons if isinstance(reasons, list) else [])
    if purpose == "callback_result":
        words["result_text"] = i18n.term(language, "message.callback_result",
                                         str(context.get("result")))
    if purpose == "action_due":
        words["action_kind_text"] = i18n.term(language, "message.action_kind",
                                              str(context.get("action_kind")))
    return words
