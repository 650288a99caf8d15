"""Early warnings (DOMAIN.md §5; issue #13 item 6), checked daily, each raised once.

`day` is the last local day checked (the daily run passes yesterday). W is the 7 local
days ending `day`, P the 7 days before W (policy time zone). A warning's key ends with
the ISO year-week of `day` ("2026-W47"), so one subject warns at most once a week.

- surge, per category: count(W) >= surge_min_count and (count(P) == 0 or
  (count(W) - count(P)) / count(P) >= surge_ratio), in exact arithmetic (6 after 5 is
  20 %); every complaint received counts, since most are not judged yet within the week;
  department = policy.routing[category]; figures this_week, last_week, change ("new"
  when last week had none).
- repeat_rate, per department: cases received in W with repeat_of set, among those
  received in W, above repeat_rate_above, with at least surge_min_count received.
- dissatisfied, per department: cases whose callback clock was met in W with result
  satisfied or dissatisfied (a case counts once, by its latest result): the dissatisfied
  share above dissatisfied_above, with at least min_callbacks such callbacks.
- score_falling, per department: the mean satisfaction score of the callbacks answered
  in the 7-day windows ending day - 14, day - 7 and day, strictly falling twice
  (w-2 > w-1 > w), each window with at least one scored callback.

A callback answered more than HORIZON (31 days) from its due time is not looked for: it
keeps the callback queries on the clocks' (name, due_at) index.

`record_new` stores the warnings whose (kind, key) is not stored yet, each in a SAVEPOINT
against the unique constraint, so racing runs store (and send) each warning once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import Subquery, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.intake import Category
from models.policy import Policy
from models.reports.model import Period, Warning
from models.reports.periods import bounds
from models.store.db import CaseRow, ClockRow, WarningRow

WEEK = timedelta(days=7)
HORIZON = timedelta(days=31)


def _window(last: date, timezone: str) -> tuple[datetime, datetime]:
    """UTC bounds of the 7 local days ending `last`."""
    return bounds(Period(kind="weekly", start=last - timedelta(days=6), end=last,
                         timezone=timezone))


def _week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def early_warnings(session: Session, *, day: date, policy: Policy) -> list[Warning]:
    """The warnings `day` raises, surges first (not yet filtered by what was sent)."""
    return [*_surges(session, day, policy), *_repeat_rates(session, day, policy),
            *_dissatisfied(session, day, policy), *_score_falling(session, day, policy)]


def _surges(session: Session, day: date, policy: Policy) -> list[Warning]:
    zone, rule = policy.calendar.timezone, policy.warnings
    w_start, w_end = _window(day, zone)
    p_start, _ = _window(day - WEEK, zone)
    this = func.sum(case((CaseRow.received_at >= w_start, 1), else_=0))
    rows = session.execute(
        select(CaseRow.category, this, func.count() - this)
        .where(CaseRow.received_at >= p_start, CaseRow.received_at < w_end)
        .group_by(CaseRow.category).order_by(CaseRow.category))
    found = []
    for category, now, before in rows:
        now, before = int(now), int(before)
        if now < rule.surge_min_count:
            continue
        change = Fraction(now - before, before) if before else None
        if change is not None and change < _exact(rule.surge_ratio):
            continue
        found.append(Warning(
            kind="surge", key=f"surge:{category}:{_week_key(day)}",
            department=_routed(policy, category),
            category=category, figures={
                "this_week": now, "last_week": before,
                "change": round(float(change), 4) if change is not None else "new"}))
    return found


def _repeat_rates(session: Session, day: date, policy: Policy) -> list[Warning]:
    rule = policy.warnings
    start, end = _window(day, policy.calendar.timezone)
    rows = session.execute(
        select(CaseRow.department, func.count(),
               func.sum(case((CaseRow.repeat_of != "", 1), else_=0)))
        .where(CaseRow.received_at >= start, CaseRow.received_at < end)
        .group_by(CaseRow.department).order_by(CaseRow.department))
    return [Warning(kind="repeat_rate", key=f"repeat_rate:{department}:{_week_key(day)}",
                    department=department,
                    figures={"received": received, "repeats": int(repeats),
                             "rate": round(int(repeats) / received, 4)})
            for department, received, repeats in rows
            if received >= rule.surge_min_count
            and Fraction(int(repeats), received) > _exact(rule.repeat_rate_above)]


def _routed(policy: Policy, category: str) -> str:
    try:
        return policy.routing[Category(category)]
    except (ValueError, KeyError):
        return ""


def _exact(value: float) -> Fraction:
    """A policy share as written in the file (0.1, not the float next to it)."""
    return Fraction(Decimal(str(value)))


def _answered(start: datetime, end: datetime) -> Subquery:
    """Cases whose callback clock was met in [start, end), each once."""
    return (select(ClockRow.case_id)
            .where(ClockRow.name == "callback", ClockRow.due_at >= start - HORIZON,
                   ClockRow.due_at < end + HORIZON, ClockRow.met_at >= start,
                   ClockRow.met_at < end)
            .distinct().subquery())


def _dissatisfied(session: Session, day: date, policy: Policy) -> list[Warning]:
    rule = policy.warnings
    answered = _answered(*_window(day, policy.calendar.timezone))
    rows = session.execute(
        select(CaseRow.department, func.count(),
               func.sum(case((CaseRow.callback_result == "dissatisfied", 1), else_=0)))
        .join(answered, answered.c.case_id == CaseRow.id)
        .where(CaseRow.callback_result.in_(("satisfied", "dissatisfied")))
        .group_by(CaseRow.department).order_by(CaseRow.department))
    return [Warning(kind="dissatisfied", key=f"dissatisfied:{department}:{_week_key(day)}",
                    department=department,
                    figures={"callbacks": callbacks, "dissatisfied": int(unhappy),
                             "share": round(int(unhappy) / callbacks, 4)})
            for department, callbacks, unhappy in rows
            if callbacks >= rule.min_callbacks
            and Fraction(int(unhappy), callbacks) > _exact(rule.dissatisfied_above)]


def _score_falling(session: Session, day: date, policy: Policy) -> list[Warning]:
    zone = policy.calendar.timezone
    means: dict[str, dict[int, Fraction]] = {}
    for back in (0, 1, 2):
        answered = _answered(*_window(day - back * WEEK, zone))
        rows = session.execute(
            select(CaseRow.department, func.sum(CaseRow.satisfaction_score), func.count())
            .join(answered, answered.c.case_id == CaseRow.id)
            .where(CaseRow.satisfaction_score.is_not(None)).group_by(CaseRow.department))
        for department, points, scored in rows:
            means.setdefault(department, {})[back] = Fraction(int(points or 0), scored)
    found = []
    for department, by in sorted(means.items()):
        if len(by) == 3 and by[2] > by[1] > by[0]:
            found.append(Warning(
                kind="score_falling", key=f"score_falling:{department}:{_week_key(day)}",
                department=department, figures={
                    "two_weeks_ago": round(float(by[2]), 2),
                    "last_week": round(float(by[1]), 2), "this_week": round(float(by[0]), 2)}))
    return found


def record_new(session: Session, *, warnings: list[Warning], now: datetime) -> list[Warning]:
    """Store the warnings not stored yet; returns those, which the caller sends."""
    new = []
    for warning in warnings:
        known = session.scalar(select(WarningRow.id).where(
            WarningRow.kind == warning.kind, WarningRow.key == warning.key))
        if known is not None:
            continue
        try:
            with session.begin_nested():
                session.add(WarningRow(kind=warning.kind, key=warning.key,
                                       department=warning.department,
                                       data=warning.model_dump(mode="json"), raised_at=now))
        except IntegrityError:
            continue  # another run stored it first: it sends it
        new.append(warning)
    return new
