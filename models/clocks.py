"""SLA clocks and the escalation ladder, as pure functions of a clock's data and `now`.

A clock runs from `started_at` to `due_at`; while the case waits on the customer it is
paused, and resuming moves `due_at` by the paused time. The ladder of one clock:

    warn-50, warn-75   the handler, at those fractions of the budget (policy.warn_at)
    department_manager at breach
    general_manager    at breach for the policy's immediate tiers (A) and relayed channels
                       (media ...); otherwise when the department manager has not
                       acknowledged within policy.manager_ack_within of being told (a
                       breach found late still gives the manager that window)
    public_relations   with the general manager, for relayed channels

An acknowledged escalation stops the climb. `plan()` says which rungs are due now and
when the clock must next be looked at, so the watchdog's query only touches clocks due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.policy import EscalationPolicy, Tier

WARN_ROLE = "handler"


@dataclass(frozen=True)
class Clock:
    name: str
    started_at: datetime
    due_at: datetime
    paused_seconds: int = 0
    paused_since: datetime | None = None
    met_at: datetime | None = None

    @property
    def budget(self) -> timedelta:
        return self.due_at - self.started_at - timedelta(seconds=self.paused_seconds)


@dataclass(frozen=True)
class Rung:
    name: str
    role: str
    at: datetime


@dataclass(frozen=True)
class Plan:
    due_now: list[Rung]
    next_check_at: datetime | None
    breached: bool = False


def pause(clock: Clock, *, at: datetime) -> Clock:
    if clock.paused_since is not None or clock.met_at is not None:
        return clock
    return Clock(clock.name, clock.started_at, clock.due_at, clock.paused_seconds, at)


def resume(clock: Clock, *, at: datetime) -> Clock:
    """Un-pause; the due time moves by the time spent paused."""
    if clock.paused_since is None:
        return clock
    paused = max(timedelta(0), at - clock.paused_since)
    return Clock(clock.name, clock.started_at, clock.due_at + paused,
                 clock.paused_seconds + int(paused.total_seconds()), None, clock.met_at)


def ladder(clock: Clock, *, tier: str, relayed: bool, policy: EscalationPolicy,
           manager_escalated_at: datetime | None) -> list[Rung]:
    """Every rung of this clock with the time it fires (GM after the manager's chance)."""
    rungs = [Rung(f"warn-{round(f * 100)}", WARN_ROLE, clock.due_at - clock.budget * (1 - f))
             for f in sorted(policy.warn_at)]
    rungs.append(Rung("department_manager", "department_manager", clock.due_at))
    immediate = relayed or (bool(tier) and Tier(tier) in policy.general_manager_at_breach)
    if immediate:
        top = clock.due_at
    else:
        top = (manager_escalated_at or clock.due_at) + policy.manager_ack_within
    rungs.append(Rung("general_manager", "general_manager", top))
    if relayed:
        rungs.append(Rung("public_relations", "public_relations", top))
    return rungs


def plan(clock: Clock, *, tier: str, relayed: bool, policy: EscalationPolicy, now: datetime,
         done: dict[str, datetime], acknowledged: bool) -> Plan:
    """Rungs due now that have not fired, and when to look again (None: never)."""
    if clock.met_at is not None or clock.paused_since is not None:
        return Plan([], None)
    manager_told = done.get("department_manager")
    if manager_told is None and clock.due_at <= now:
        manager_told = now  # told in this sweep: the acknowledgement window starts now
    rungs = ladder(clock, tier=tier, relayed=relayed, policy=policy,
                   manager_escalated_at=manager_told)
    if acknowledged:  # a manager has it: warnings may still go out, the climb stops
        rungs = [r for r in rungs if r.role == WARN_ROLE]
    due_now = [r for r in rungs if r.at <= now and r.name not in done]
    later = [r.at for r in rungs if r.at > now and r.name not in done]
    return Plan(due_now, min(later) if later else None, breached=clock.due_at <= now)


LEVELS_UP = ["general", "intermediate", "strong"]


def raise_level(level: str) -> str:
    """One step up general -> intermediate -> strong; strong and irrational stay."""
    if level not in LEVELS_UP:
        return level
    return LEVELS_UP[min(LEVELS_UP.index(level) + 1, len(LEVELS_UP) - 1)]
