"""Preliminary judgment (DOMAIN.md §2-3): tier, level, department, deadlines, and why.

Pure: a function of the intake, the policy and the moment received. The highest tier any
criterion reaches wins; an invalid complaint is tier D whatever else it carries. Every
clock runs from receipt; channel rules only tighten; nothing falls after the close
deadline. The reasons are data (models/reasons.py: a key and its values), put in words
only where a person reads them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from models.calendar import BusinessCalendar
from models.intake import Emotion, Intake, PublicImpact, Violation
from models.policy import SAME_BUSINESS_DAY, Level, Policy, Tier
from models.reasons import Reason, minutes, reason

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
    reasons: list[Reason]
    deadlines: Deadlines
    inform: list[str]
    needs_options: int


def triage(intake: Intake, *, policy: Policy, received_at: datetime) -> Judgment:
    tier, reasons = _tier(intake, policy)
    level = policy.tier(tier).level
    if intake.unreasonable_type.value != "none":
        level = Level.irrational
        reasons.append(reason("unreasonable", type=intake.unreasonable_type.value,
                              level=level.value))
    deadlines, notes = _deadlines(intake, policy, tier, received_at)
    rule = policy.channels.get(intake.channel)
    inform = list(rule.inform) if rule else []
    if rule and tier is Tier.A:
        inform += rule.inform_if_tier_a
    if intake.threatening:
        inform.append("department_manager")
        reasons.append(reason("threatening", options=policy.min_options_threatening))
    return Judgment(
        tier=tier, level=level, department=policy.routing[intake.category],
        reasons=reasons + notes, deadlines=deadlines, inform=list(dict.fromkeys(inform)),
        needs_options=policy.min_options_threatening if intake.threatening else 1,
    )


def _tier(intake: Intake, policy: Policy) -> tuple[Tier, list[Reason]]:
    if not intake.valid:
        return Tier.D, [reason("invalid", tier=Tier.D.value)]
    found: list[tuple[Tier, Reason]] = []
    threshold = f"{policy.tiering.loss_threshold_yuan:.2f}"
    loss = intake.loss
    if loss > policy.tiering.loss_threshold_yuan:
        found.append((Tier.A, reason("loss_over", loss=f"{loss:.2f}", threshold=threshold)))
    elif loss > 0:
        found.append((Tier.B, reason("loss_up_to", loss=f"{loss:.2f}", threshold=threshold)))
    found += _marks(intake)
    rule = policy.channels.get(intake.channel)
    if rule and rule.min_tier:
        found.append((rule.min_tier, reason("relayed", channel=intake.channel.value)))
    if not found:
        return Tier.C, [reason("calm", tier=Tier.C.value)]
    tier = max((t for t, _ in found), key=ORDER.index)
    # The criteria that set the tier first, then those a higher tier outranked.
    return tier, [{**why, "tier": t.value} for t, why in found if t is tier] + [
        {**why, "tier": t.value, "higher": tier.value} for t, why in found if t is not tier]


def _marks(intake: Intake) -> list[tuple[Tier, Reason]]:
    table: list[tuple[bool, Tier, str]] = [
        (intake.violation is Violation.severe, Tier.A, "violation_severe"),
        (intake.violation is Violation.minor, Tier.B, "violation_minor"),
        (intake.emotion is Emotion.extreme, Tier.A, "emotion_extreme"),
        (intake.emotion is Emotion.strong, Tier.B, "emotion_strong"),
        (intake.public_impact is PublicImpact.large, Tier.A, "impact_large"),
        (intake.public_impact is PublicImpact.some, Tier.B, "impact_some"),
    ]
    return [(tier, reason(key)) for hit, tier, key in table if hit]


def _deadlines(intake: Intake, policy: Policy, tier: Tier,
               received_at: datetime) -> tuple[Deadlines, list[Reason]]:
    calendar = BusinessCalendar(policy.calendar)
    limits = policy.tier(tier).limits
    close = (received_at + limits.close).astimezone(calendar.tz)
    rule = policy.channels.get(intake.channel)
    due: dict[str, Any] = {"close": close}
    notes: list[Reason] = []
    for clock in CLOCKS:
        limit = getattr(limits, clock)
        at = (calendar.same_business_day(received_at) if limit == SAME_BUSINESS_DAY
              else (received_at + limit).astimezone(calendar.tz))
        tighter: timedelta | None = getattr(rule, clock) if rule else None
        if tighter is not None and received_at + tighter < at:
            at = (received_at + tighter).astimezone(calendar.tz)
            notes.append(reason("channel_clock", channel=intake.channel.value, clock=clock,
                                minutes=minutes(tighter.total_seconds())))
        if at > close:
            at = close
            notes.append(reason("cut_back", clock=clock))
        due[clock] = at
    local_day = received_at.astimezone(calendar.tz).date()
    if not calendar.known_year(local_day):
        notes.append(reason("no_calendar", year=local_day.year))
    return Deadlines(**due), notes


def triage_json(judgment: Judgment) -> dict[str, Any]:
    """The triage as stored with the case (and printed by `complaints triage`, which adds
    the reasons in words): reasons as data, each a key and its values."""
    return {
        "tier": judgment.tier.value, "level": judgment.level.value,
        "department": judgment.department, "reasons": judgment.reasons,
        "deadlines": {k: v.isoformat() for k, v in judgment.deadlines.model_dump().items()},
        "inform": judgment.inform,
    }
