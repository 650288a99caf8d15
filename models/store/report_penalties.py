"""The penalty bulletin of a period, from the store (DOMAIN.md §5, §7; issue #13 item 4).

Bounds are the period's local days as UTC instants [start, end) (periods.bounds); the
prices are models/reports/penalties.py. A person is a (person, department) pair.

1. tier: every case closed in the period with responsible persons: one line per person,
   tiers[case.tier].penalty_yuan, times repeat_by_neglect_factor when neglect caused a
   repeat complaint (detail "neglect:2"). No responsible person: no line.
2. late_acceptance: acknowledge clocks met in the period later than due, against the
   first-contact person (case.taken_by) of the service centre (department
   "customer_service", which takes the complaints): late_acceptance_per_day per started
   day (detail "days:N"). An acknowledgement more than LATE_HORIZON (31 days) after
   its limit is not looked for: it keeps the query on the (name, due_at) index.
3. unclosed: close clocks breached (not deferred) with due_at in the period, the case
   not closed by then: the D amount per responsible person, or against the case's
   department (person "") while none is named (detail "round:N" after a reopening).
4. unclosed_month: for k = 1, 2, ...: the instant due_at + k calendar months (local day
   and time, clamped to the month's end) in the period, the close clock still not
   stopped and the case not closed at that instant: tier amount x unclosed_month_factor**k
   per person, or department as in 3 (detail "month:k"). The clock stops when the
   department reports the work done; callback and review after that are not its delay.
5. departments: each calendar month whose last day lies in the period, each department
   of the policy (zero rows too, so the bulletin shows every rate): complaints received
   in the month and not judged invalid, the month's volume, the rate and its bracket.
6. suspensions: each month the period touches: persons with >= suspend_at distinct cases
   made theirs (responsibility `at`) in that month up to the period's end, whose
   suspend_at-th case falls inside the period: listed once, in the week they reach it.
7. total: the lines and the department amounts.
A case never tiered has nothing to price: no tier or unclosed_month line.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from models.policy import Policy
from models.reports import penalties as rules
from models.reports.model import Bulletin, DepartmentPenalty, PenaltyLine, Period, Suspension
from models.reports.periods import bounds, month_of, months_ended_in, months_in
from models.store.db import CaseRow, ClockRow, ResponsibilityRow
from models.store.volumes import period_volume, rate

SERVICE_CENTRE = "customer_service"
LATE_HORIZON = timedelta(days=31)
SHORTEST_MONTH = timedelta(days=28)
REASONS = ("tier", "late_acceptance", "unclosed", "unclosed_month")
R = ResponsibilityRow


def bulletin(session: Session, *, period: Period, policy: Policy) -> Bulletin:
    """The bulletin of `period`: lines per person, department brackets, suspensions."""
    start, end = bounds(period)
    lines = [*_tier_lines(session, start, end, policy), *_late_lines(session, start, end, policy),
             *_unclosed_lines(session, start, end, policy),
             *_month_lines(session, start, end, policy, period.timezone)]
    lines.sort(key=lambda x: (REASONS.index(x.reason), x.department, x.person,
                              x.case_number, x.detail))
    departments = _department_penalties(session, period, policy)
    return Bulletin(lines=lines, departments=departments,
                    suspensions=_suspensions(session, period, policy),
                    total=rules.total([x.amount for x in lines]
                                      + [d.amount for d in departments]))


def _tier_yuan(policy: Policy, tier: str) -> int | None:
    """None for a case never tiered: there is nothing to price."""
    try:
        return policy.tier(tier).penalty_yuan
    except ValueError:
        return None


def _tier_lines(session: Session, start: datetime, end: datetime, policy: Policy
                ) -> list[PenaltyLine]:
    rows = session.execute(
        select(CaseRow.number, CaseRow.tier, CaseRow.repeat_by_neglect, R.person, R.department)
        .join(R, R.case_id == CaseRow.id)
        .where(CaseRow.closed_at >= start, CaseRow.closed_at < end).distinct())
    lines = []
    for number, tier, neglect, person, department in rows:
        price = _tier_yuan(policy, tier)
        if price is None:
            continue
        amount, detail = rules.tier_amount(price, by_neglect=neglect == 1,
                                           policy=policy.penalties)
        lines.append(PenaltyLine(person=person, department=department, case_number=number,
                                 reason="tier", tier=tier, amount=amount, detail=detail))
    return lines


def _late_lines(session: Session, start: datetime, end: datetime, policy: Policy
                ) -> list[PenaltyLine]:
    department = SERVICE_CENTRE if SERVICE_CENTRE in policy.departments else ""
    rows = session.execute(
        select(CaseRow.number, CaseRow.tier, CaseRow.taken_by, ClockRow.due_at, ClockRow.met_at)
        .join(ClockRow, ClockRow.case_id == CaseRow.id)
        .where(ClockRow.name == "acknowledge", ClockRow.due_at >= start - LATE_HORIZON,
               ClockRow.due_at < end, ClockRow.met_at >= start, ClockRow.met_at < end,
               ClockRow.met_at > ClockRow.due_at))
    lines = []
    for number, tier, taken_by, due_at, met_at in rows:
        assert met_at is not None  # by the query
        amount, detail = rules.late_amount(rules.days_late(met_at, due_at), policy.penalties)
        lines.append(PenaltyLine(person=taken_by, department=department, case_number=number,
                                 reason="late_acceptance", tier=tier, amount=amount,
                                 detail=detail))
    return lines


def _unclosed_lines(session: Session, start: datetime, end: datetime, policy: Policy
                    ) -> list[PenaltyLine]:
    rows = session.execute(
        _breached_close()
        .where(ClockRow.due_at >= start, ClockRow.due_at < end,
               or_(CaseRow.closed_at.is_(None), CaseRow.closed_at > ClockRow.due_at)))
    amount = rules.yuan(policy.tier("D").penalty_yuan)
    return [PenaltyLine(person=person or "", department=who or department,
                        case_number=number, reason="unclosed", tier=tier, amount=amount,
                        detail=f"round:{round_}" if round_ > 1 else "")
            for number, tier, department, _, _, _, round_, person, who in rows]


def _month_lines(session: Session, start: datetime, end: datetime, policy: Policy,
                 timezone: str) -> list[PenaltyLine]:
    # Driven from the cases still open at the period's start (closed_at index), not from
    # every breached close clock ever: `name || ''` keeps SQLite off the clocks' index.
    still_open = select(CaseRow.id).where(
        or_(CaseRow.closed_at.is_(None), CaseRow.closed_at > start))
    rows = session.execute(
        _breached_close(ClockRow.name.concat("") == "close")
        .where(CaseRow.id.in_(still_open), ClockRow.due_at < end - SHORTEST_MONTH,
               or_(ClockRow.met_at.is_(None), ClockRow.met_at > start)))
    lines = []
    for number, tier, department, closed_at, due_at, met_at, _, person, who in rows:
        price = _tier_yuan(policy, tier)
        if price is None:
            continue
        stopped = min((t for t in (closed_at, met_at) if t is not None), default=None)
        for k in rules.months_unclosed_in(due_at, stopped, start, end, timezone):
            amount, detail = rules.month_amount(price, k, policy.penalties)
            lines.append(PenaltyLine(person=person or "", department=who or department,
                                     case_number=number, reason="unclosed_month", tier=tier,
                                     amount=amount, detail=detail))
    return lines


def _breached_close(named: ColumnElement[bool] = ClockRow.name == "close"
                    ) -> Select[*tuple[Any, ...]]:
    """Breached close clocks with their case and each responsible person (or none)."""
    return (select(CaseRow.number, CaseRow.tier, CaseRow.department, CaseRow.closed_at,
                   ClockRow.due_at, ClockRow.met_at, ClockRow.round, R.person, R.department)
            .join(ClockRow, and_(ClockRow.case_id == CaseRow.id, named,
                                 ClockRow.outcome == "breached"))
            .outerjoin(R, R.case_id == CaseRow.id).distinct())


def _department_penalties(session: Session, period: Period, policy: Policy
                          ) -> list[DepartmentPenalty]:
    found = []
    for month in months_ended_in(period):
        start, end = bounds(month)
        counts: dict[str, int] = {d: n for d, n in session.execute(
            select(CaseRow.department, func.count())
            .where(CaseRow.received_at >= start, CaseRow.received_at < end,
                   CaseRow.validity != "invalid")
            .group_by(CaseRow.department))}
        for department in policy.departments:
            complaints = counts.get(department, 0)
            volume = period_volume(session, period=month, department=department)
            value = rate(complaints, volume)
            label, amount = rules.bracket(value, policy.penalties)
            found.append(DepartmentPenalty(
                department=department, month=month.start.strftime("%Y-%m"),
                complaints=complaints, volume=volume, rate=value, bracket=label,
                amount=amount))
    return found


def _suspensions(session: Session, period: Period, policy: Policy) -> list[Suspension]:
    start, _ = bounds(period)
    found = []
    for label, _, _ in months_in(period):
        month = month_of(date.fromisoformat(f"{label}-01"), period.timezone)
        window = month.model_copy(update={"end": min(month.end, period.end)})
        for (person, department), numbers in _reached(
                session, window=window, since=start,
                count=policy.penalties.suspend_at).items():
            found.append(Suspension(person=person, department=department, month=label,
                                    cases=numbers))
    return found


def _reached(session: Session, *, window: Period, since: datetime, count: int
             ) -> dict[tuple[str, str], list[str]]:
    """(person, department) -> case numbers, for those whose `count`-th case made theirs
    in `window` was made theirs at or after `since`."""
    low, high = bounds(window)
    firsts = (select(R.person, R.department, R.case_id, func.min(R.at).label("first_at"))
              .where(R.at >= low, R.at < high)
              .group_by(R.person, R.department, R.case_id).subquery())
    ranked = select(firsts, func.row_number().over(
        partition_by=(firsts.c.person, firsts.c.department),
        order_by=(firsts.c.first_at, firsts.c.case_id)).label("n")).subquery()
    reached = (select(ranked.c.person, ranked.c.department)
               .where(ranked.c.n == count, ranked.c.first_at >= since).subquery())
    rows = session.execute(
        select(firsts.c.person, firsts.c.department, CaseRow.number)
        .join(reached, and_(reached.c.person == firsts.c.person,
                            reached.c.department == firsts.c.department))
        .join(CaseRow, CaseRow.id == firsts.c.case_id)
        .order_by(firsts.c.person, firsts.c.department, firsts.c.first_at, CaseRow.number))
    found: dict[tuple[str, str], list[str]] = {}
    for person, department, number in rows:
        found.setdefault((person, department), []).append(number)
    return found

