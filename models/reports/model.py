"""The report as data: what the figures compute, the renderers draw and the flows store.

Everything here is plain pydantic and JSON-serialisable (a bulletin's content is this
model dumped to JSON). Counts are ints; money is Decimal yuan with two places; a rate is
a Decimal percentage (0.80 means 0.80 %) or None when no volume was given; a share is a
float in [0, 1] or None when its denominator is 0. Keys (category, department, clock,
rung, reason) are the stable keys of the store; the renderers translate them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

PeriodKind = Literal["weekly", "monthly"]
PenaltyReason = Literal["tier", "late_acceptance", "unclosed", "unclosed_month"]


class Period(BaseModel):
    kind: PeriodKind
    start: date  # first day, inclusive, in the policy's time zone
    end: date  # last day, inclusive
    timezone: str = "Asia/Shanghai"

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class Count(BaseModel):
    key: str
    count: int


class DayCount(BaseModel):
    day: date
    received: int
    closed: int


class ClockFigure(BaseModel):
    """Clocks due inside the period, by outcome; share_met = met / (met + breached)."""

    clock: str  # acknowledge | handover | first_reply | close | callback
    met: int
    breached: int
    deferred: int
    open: int
    share_met: float | None


class Irrational(BaseModel):
    """Among the cases received in the period."""

    first: int
    second: int
    share_first: float | None
    share_second: float | None
    watch: int
    monitor: int


class CategoryFigure(BaseModel):
    category: str
    complaints: int
    rate: Decimal | None  # complaints / the volume of all departments in the period, %


class DepartmentFigure(BaseModel):
    department: str
    complaints: int
    volume: Decimal | None  # None: no volume given for (part of) the period; a week
    # takes each month's volume pro rata by days (2 places)
    rate: Decimal | None  # complaints / volume, %, 4 places


class Figures(BaseModel):
    """The weekly figures (also the first part of the monthly analysis).

    received: received_at inside the period. closed: closed_at inside it; first_close:
    of those, closed inside the close limit the first time; second_close: after the limit
    or after a reopening (DOMAIN.md §3).
    open_at_end: received before the end and not closed by then. Complaints counted in
    categories, departments and rates: received in the period and not judged invalid.
    """

    received: int
    closed: int
    open_at_end: int
    first_close: int
    second_close: int
    clocks: list[ClockFigure]
    escalations: list[Count]  # by rung, escalations raised inside the period
    irrational: Irrational
    categories: list[CategoryFigure]
    departments: list[DepartmentFigure]
    days: list[DayCount]  # one row per day of the period, zeros included


class PenaltyLine(BaseModel):
    """One amount against one person (or, with person "", the department) for one case."""

    person: str
    department: str
    case_number: str
    reason: PenaltyReason
    tier: str
    amount: Decimal
    detail: str = ""  # "kind:n", the renderers say it in words: "neglect:2" (x2, repeat
    # by neglect), "days:2" (late), "month:1" (unclosed), "round:2" (a reopened case)


class DepartmentPenalty(BaseModel):
    """The department head's penalty for one month's complaint rate (bracket rule)."""

    department: str
    month: str  # YYYY-MM
    complaints: int
    volume: Decimal | None
    rate: Decimal | None
    bracket: str  # "", "=0.80", "(0.80,0.85]", ..., ">1.00", or "no_volume"
    amount: Decimal


class Suspension(BaseModel):
    person: str
    department: str
    month: str
    cases: list[str]


class Bulletin(BaseModel):
    lines: list[PenaltyLine]
    departments: list[DepartmentPenalty]
    suspensions: list[Suspension]
    total: Decimal


class MonthTrend(BaseModel):
    month: str
    received: int
    closed: int
    share_met: float | None  # all clocks due in the month
    repeat_rate: float | None
    satisfied_share: float | None


class Satisfaction(BaseModel):
    """Callbacks answered inside the period."""

    callbacks: int
    satisfied_share: float | None
    mean_score: float | None
    not_reached_share: float | None


class ActionFigures(BaseModel):
    """Corrective and preventive actions due inside the period."""

    due: int
    done: int
    effective: int
    not_checked: int


class RootCause(BaseModel):
    category: str  # "" for the total of a dimension
    dimension: str  # people | goods | place | "" (not yet reviewed)
    count: int


class Monthly(BaseModel):
    trends: list[MonthTrend]  # the three months before, then this one
    root_causes: list[RootCause]
    actions: ActionFigures
    repeat_rate: float | None  # cases with repeat_of among the received
    satisfaction: Satisfaction
    top_issues: list[CategoryFigure]  # the three categories with most complaints


class Warning(BaseModel):
    kind: Literal["surge", "repeat_rate", "dissatisfied", "score_falling"]
    key: str  # unique per occurrence, e.g. "surge:repair_quality:2026-11-16"
    department: str
    category: str = ""
    figures: dict[str, float | int | str] = Field(default_factory=dict)


class Report(BaseModel):
    period: Period
    generated_at: datetime
    figures: Figures
    bulletin: Bulletin | None = None  # weekly
    monthly: Monthly | None = None  # monthly
    warnings: list[Warning] = Field(default_factory=list)
    language: Literal["zh", "en"] = "zh"
