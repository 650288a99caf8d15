"""Preliminary judgment (DOMAIN.md §2-3): tier, level, department, deadlines, and why.

Pure: a function of the intake, the policy and the moment received. The highest tier any
criterion reaches wins; an invalid complaint is tier D whatever else it carries. Every
clock runs from receipt; channel rules only tighten; nothing falls after the close
deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from models.calendar import BusinessCalendar
from models.intake import Emotion, Intake, PublicImpact, Violation
from models.policy import SAME_BUSINESS_DAY, Level, Policy, Tier

ORDER = [Tier.D, Tier.C, Tier.B, Tier.A]
CLOCKS = ("acknowledge", "handover", "first_reply")


class Deadlines(BaseModel):
    acknowledge: datetime
    handover: datetime
    first_reply: datetime
    close: datetime


class Judgment(BaseModel):
    tier: Tier
    level: Level
    department: str
    reasons: list[str]
    deadlines: Deadlines
    inform: list[str]
    needs_options: int


def triage(intake: Intake, *, policy: Policy, received_at: datetime) -> Judgment:
    tier, reasons = _tier(intake, policy)
    level = policy.tier(tier).level
    if intake.unreasonable_type.value != "none":
        level = Level.irrational
        reasons.append(f"unreasonable complaint ({intake.unreasonable_type.value}): "
                       "level irrational, tracked by the department manager")
    deadlines, notes = _deadlines(intake, policy, tier, received_at)
    rule = policy.channels.get(intake.channel)
    inform = list(rule.inform) if rule else []
    if rule and tier is Tier.A:
        inform += rule.inform_if_tier_a
    if intake.threatening:
        inform.append("department_manager")
        reasons.append("threatening customer: reported to the department manager at once; "
                       f"at least {policy.min_options_threatening} solution options")
    return Judgment(
        tier=tier, level=level, department=policy.routing[intake.category],
        reasons=reasons + notes, deadlines=deadlines, inform=list(dict.fromkeys(inform)),
        needs_options=policy.min_options_threatening if intake.threatening else 1,
    )


def _tier(intake: Intake, policy: Policy) -> tuple[Tier, list[str]]:
    if not intake.valid:
        return Tier.D, ["marked invalid: tier D (still answered patiently)"]
    found: list[tuple[Tier, str]] = []
    threshold = policy.tiering.loss_threshold_yuan
    loss = intake.loss
    if loss > threshold:
        found.append((Tier.A, f"claimed loss {loss:,.2f} yuan is over {threshold:,.0f} yuan"))
    elif loss > 0:
        found.append((Tier.B, f"claimed loss {loss:,.2f} yuan is up to {threshold:,.0f} yuan"))
    found += _marks(intake)
    rule = policy.channels.get(intake.channel)
    if rule and rule.min_tier:
        found.append((rule.min_tier, f"relayed by {intake.channel.value.replace('_', ' ')}: "
                                     "at least some public impact"))
    if not found:
        return Tier.C, ["no loss, calm customer, no violation or public impact: tier C"]
    tier = max((t for t, _ in found), key=ORDER.index)
    return tier, [f"{why}: tier {t.value}" for t, why in found if t is tier] + [
        f"{why}: tier {t.value} (a higher tier applies)" for t, why in found if t is not tier]


def _marks(intake: Intake) -> list[tuple[Tier, str]]:
    table: list[tuple[bool, Tier, str]] = [
        (intake.violation is Violation.severe, Tier.A, "severe violation of procedure"),
        (intake.violation is Violation.minor, Tier.B, "violation of procedure"),
        (intake.emotion is Emotion.extreme, Tier.A, "customer's emotion extreme"),
        (intake.emotion is Emotion.strong, Tier.B, "customer's emotion strong"),
        (intake.public_impact is PublicImpact.large, Tier.A, "large negative public impact"),
        (intake.public_impact is PublicImpact.some, Tier.B, "some negative public impact"),
    ]
    return [(tier, why) for hit, tier, why in table if hit]


def _deadlines(intake: Intake, policy: Policy, tier: Tier,
               received_at: datetime) -> tuple[Deadlines, list[str]]:
    calendar = BusinessCalendar(policy.calendar)
    limits = policy.tier(tier).limits
    close = (received_at + limits.close).astimezone(calendar.tz)
    rule = policy.channels.get(intake.channel)
    due: dict[str, Any] = {"close": close}
    notes = []
    for clock in CLOCKS:
        limit = getattr(limits, clock)
        at = (calendar.same_business_day(received_at) if limit == SAME_BUSINESS_DAY
              else (received_at + limit).astimezone(calendar.tz))
        tighter: timedelta | None = getattr(rule, clock) if rule else None
        if tighter is not None and received_at + tighter < at:
            at = (received_at + tighter).astimezone(calendar.tz)
            notes.append(f"{intake.channel.value.replace('_', ' ')} channel: "
                         f"{clock.replace('_', ' ')} within {_span(tighter)}")
        if at > close:
            at = close
            notes.append(f"{clock.replace('_', ' ')} cut back to the close deadline")
        due[clock] = at
    if not calendar.known_year(received_at.astimezone(calendar.tz).date()):
        notes.append(f"no official calendar for {received_at.astimezone(calendar.tz).year}: "
                     "weekdays and the policy's extra dates used")
    return Deadlines(**due), notes


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def triage_json(judgment: Judgment) -> dict[str, Any]:
    """The triage as printed by `complaints triage` and stored with the case."""
    return {
        "tier": judgment.tier.value, "level": judgment.level.value,
        "department": judgment.department, "reasons": judgment.reasons,
        "deadlines": {k: v.isoformat() for k, v in judgment.deadlines.model_dump().items()},
        "inform": judgment.inform,
    }
