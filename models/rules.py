"""Small pure rules the stage tasks and hooks share: who hears of a failure, how a case
closed, how a time reads in a message. No clock, no database, no Prefect."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from models.policy import Policy, Tier


def failure_rung(*, tier: str, earlier_failures: int, policy: Policy) -> str:
    """The department manager hears of a failed run; the general manager for the tiers the
    policy names (A by default) and for any case that has failed before."""
    if earlier_failures > 0:
        return "general_manager"
    if tier and Tier(tier) in policy.escalation.general_manager_on_failure_of_tiers:
        return "general_manager"
    return "department_manager"


def close_kind(*, requested_at: datetime, due_at: datetime, round_: int) -> str:
    """First-time close: asked to close inside the limit, on the first round."""
    return "first_time" if round_ == 1 and requested_at <= due_at else "second"


def local_text(moment: datetime, *, policy: Policy) -> str:
    """'2026-11-23 18:00 (UTC+08:00)' in the policy's timezone, for messages and forms."""
    local = moment.astimezone(ZoneInfo(policy.calendar.timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"
