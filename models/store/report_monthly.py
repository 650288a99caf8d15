"""The monthly analysis (DOMAIN.md §5) beside the month's figures, counted in SQL.

Bounds as in report_figures (periods.bounds: UTC [start, end) of local days).

- trends: the three calendar months before the period, then the period itself, each:
  received, closed, share_met of all clocks due in it (met / (met + breached)),
  repeat_rate (received with repeat_of set / received) and satisfied_share (below).
- root_causes: cases closed in the period per (category, root_cause_dimension), sorted
  by category then dimension (people, goods, place, "" = not reviewed), then the total
  per dimension with category "".
- actions: actions due (due_at) in the period: due, done, effective (the owner's
  answers), not_checked (no answer yet).
- repeat_rate: the period's trend figure.
- satisfaction: the cases whose callback clock stopped (met_at: the customer was called,
  in time or late) in the period: callbacks (cases, once each), satisfied_share =
  satisfied / (satisfied + dissatisfied), mean_score over those with a score,
  not_reached_share = not_reached / callbacks. The result is the case's callback_result,
  so a reopened case called back twice counts once, with its latest result.
- top_issues: the three categories with most complaints (as report_figures.categories).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from models.policy import Policy
from models.reports.model import ActionFigures, Monthly, MonthTrend, Period, RootCause, Satisfaction
from models.reports.periods import bounds, previous_months
from models.store.db import ActionRow, CaseRow, ClockRow
from models.store.report_figures import (
    categories_of,
    clock_names,
    count_if,
    received_groups,
    share,
)
from models.store.volumes import period_volume

DIMENSIONS = ("people", "goods", "place", "")
Spans = list[tuple[datetime, datetime]]


def monthly_analysis(session: Session, *, period: Period, policy: Policy) -> Monthly:
    months = [*previous_months(period, 3), period]
    spans = [bounds(m) for m in months]
    callbacks = _callbacks(session, spans)
    trends = _trends(session, months, spans, callbacks)
    start, end = spans[-1]
    top = categories_of(received_groups(session, start=start, end=end),
                        period_volume(session, period=period))[:3]
    return Monthly(trends=trends, root_causes=_root_causes(session, start=start, end=end),
                   actions=_actions(session, start=start, end=end),
                   repeat_rate=trends[-1].repeat_rate, satisfaction=_satisfaction(callbacks[-1]),
                   top_issues=top)


def _bucket(column: Any, spans: Spans) -> ColumnElement[Any]:
    """Which span an instant falls in (0, 1, ...), NULL outside all of them."""
    return case(*[(and_(column >= s, column < e), i) for i, (s, e) in enumerate(spans)])


def _per_span(session: Session, column: Any, spans: Spans, *counts: ColumnElement[int],
              also: ColumnElement[bool] | None = None) -> list[tuple[int, ...]]:
    """`counts` over the rows whose `column` lies in each span, in span order."""
    bucket = _bucket(column, spans).label("bucket")
    query = (select(bucket, *counts).where(column >= spans[0][0], column < spans[-1][1])
             .group_by(bucket))
    if also is not None:
        query = query.where(also)
    found = {row[0]: tuple(row[1:]) for row in session.execute(query)}
    return [found.get(i, (0,) * len(counts)) for i in range(len(spans))]


def _trends(session: Session, months: list[Period], spans: Spans,
            callbacks: list[tuple[int, ...]]) -> list[MonthTrend]:
    received = _per_span(session, CaseRow.received_at, spans, func.count(),
                         count_if(CaseRow.repeat_of != ""))
    closed = _per_span(session, CaseRow.closed_at, spans, func.count())
    clocks = _per_span(session, ClockRow.due_at, spans, count_if(ClockRow.outcome == "met"),
                       count_if(ClockRow.outcome == "breached"),
                       also=ClockRow.name.in_(clock_names(session)))
    satisfied = [_satisfaction(c).satisfied_share for c in callbacks]
    return [MonthTrend(month=m.start.strftime("%Y-%m"), received=r[0], closed=c[0],
                       share_met=share(k[0], k[0] + k[1]), repeat_rate=share(r[1], r[0]),
                       satisfied_share=s)
            for m, r, c, k, s in zip(months, received, closed, clocks, satisfied, strict=True)]


def _callbacks(session: Session, spans: Spans) -> list[tuple[int, ...]]:
    """Per span: (callbacks, satisfied, dissatisfied, not_reached, score sum, scored)."""
    bucket = _bucket(ClockRow.met_at, spans).label("bucket")
    called = (select(ClockRow.case_id, bucket)
              .where(ClockRow.name == "callback", ClockRow.met_at >= spans[0][0],
                     ClockRow.met_at < spans[-1][1])
              .group_by(ClockRow.case_id, bucket).subquery())
    result = CaseRow.callback_result
    query = (select(called.c.bucket, func.count(), count_if(result == "satisfied"),
                    count_if(result == "dissatisfied"), count_if(result == "not_reached"),
                    func.coalesce(func.sum(CaseRow.satisfaction_score), 0),
                    func.count(CaseRow.satisfaction_score))
             .join_from(called, CaseRow, CaseRow.id == called.c.case_id)
             .where(called.c.bucket.is_not(None)).group_by(called.c.bucket))
    found = {row[0]: tuple(int(n) for n in row[1:]) for row in session.execute(query)}
    return [found.get(i, (0,) * 6) for i in range(len(spans))]


def _satisfaction(counts: tuple[int, ...]) -> Satisfaction:
    callbacks, satisfied, dissatisfied, not_reached, score_sum, scored = counts
    return Satisfaction(callbacks=callbacks,
                        satisfied_share=share(satisfied, satisfied + dissatisfied),
                        mean_score=score_sum / scored if scored else None,
                        not_reached_share=share(not_reached, callbacks))


def _root_causes(session: Session, *, start: datetime, end: datetime) -> list[RootCause]:
    query = (select(CaseRow.category, CaseRow.root_cause_dimension, func.count())
             .where(CaseRow.closed_at >= start, CaseRow.closed_at < end)
             .group_by(CaseRow.category, CaseRow.root_cause_dimension))
    rows = [RootCause(category=c, dimension=d, count=n) for c, d, n in session.execute(query)]
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    rows.sort(key=lambda r: (r.category, order.get(r.dimension, len(order)), r.dimension))
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.dimension] = totals.get(row.dimension, 0) + row.count
    return rows + [RootCause(category="", dimension=d, count=totals[d])
                   for d in sorted(totals, key=lambda d: (order.get(d, len(order)), d))]


def _actions(session: Session, *, start: datetime, end: datetime) -> ActionFigures:
    query = (select(func.count(), count_if(ActionRow.done == 1),
                    count_if(ActionRow.effective == 1), count_if(ActionRow.checked_at.is_(None)))
             .where(ActionRow.due_at >= start, ActionRow.due_at < end))
    due, done, effective, not_checked = session.execute(query).one()
    return ActionFigures(due=due, done=done, effective=effective, not_checked=not_checked)
