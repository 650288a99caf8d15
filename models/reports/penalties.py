"""The penalty rules of the weekly bulletin (DOMAIN.md §5, §7), as plain arithmetic.

The store (models/store/report_penalties.py) finds the cases, clocks and persons; this
module prices them. Money is Decimal yuan with two places.

- Department head, monthly complaint rate T (a percentage, 0.80 means 0.80 %):
  T < 0.80: 0; T = 0.80 exactly: 50; (0.80, 0.85]: 100; (0.85, 0.90]: 150;
  (0.90, 0.95]: 200; (0.95, 1.00]: 300; T > 1.00: policy.rate_above_one_percent
  (500 to 1500, set in policy.yaml); no volume given: "no_volume", 0 (never a guess).
- Per case by tier, times repeat_by_neglect_factor when neglect caused a repeat.
- Late acceptance: late_acceptance_per_day per started day (1 minute late is 1 day).
- Unclosed k months after the close limit: the case's tier amount times
  unclosed_month_factor ** k; "k months after" is the same local day and time, k
  calendar months on, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from models.policy import PenaltyPolicy

CENTS = Decimal("0.01")
EXACT = Decimal("0.80")
# (lower bound, exclusive; label; yuan), highest first; above 1.00 the policy decides.
BRACKETS: tuple[tuple[Decimal, str, int], ...] = (
    (Decimal("0.95"), "(0.95,1.00]", 300),
    (Decimal("0.90"), "(0.90,0.95]", 200),
    (Decimal("0.85"), "(0.85,0.90]", 150),
    (Decimal("0.80"), "(0.80,0.85]", 100),
)
TOP = Decimal("1.00")
DAY = timedelta(days=1)


def yuan(amount: int | Decimal) -> Decimal:
    return Decimal(amount).quantize(CENTS)


def bracket(rate: Decimal | None, policy: PenaltyPolicy) -> tuple[str, Decimal]:
    """The department head's bracket label and amount for one month's rate."""
    if rate is None:
        return "no_volume", yuan(0)
    if rate > TOP:
        return ">1.00", yuan(policy.rate_above_one_percent)
    for above, label, amount in BRACKETS:
        if rate > above:
            return label, yuan(amount)
    if rate == EXACT:
        return "=0.80", yuan(50)
    return "", yuan(0)


def tier_amount(tier_yuan: int, *, by_neglect: bool, policy: PenaltyPolicy
                ) -> tuple[Decimal, str]:
    """A closed case's amount per responsible person, and the line's detail."""
    if not by_neglect:
        return yuan(tier_yuan), ""
    factor = policy.repeat_by_neglect_factor
    return yuan(tier_yuan * factor), f"neglect:{factor}"


def days_late(met_at: datetime, due_at: datetime) -> int:
    """Started days: 1 minute late is 1 day, 24 h 1 min late is 2; on time is 0."""
    late = met_at - due_at
    if late <= timedelta(0):
        return 0
    return math.ceil(late / DAY)


def late_amount(days: int, policy: PenaltyPolicy) -> tuple[Decimal, str]:
    return yuan(policy.late_acceptance_per_day * days), f"days:{days}"


def month_amount(tier_yuan: int, k: int, policy: PenaltyPolicy) -> tuple[Decimal, str]:
    """The case's amount for its k-th month unclosed past the limit."""
    return yuan(tier_yuan * policy.unclosed_month_factor ** k), f"month:{k}"


def months_later(instant: datetime, k: int, timezone: str) -> datetime:
    """The same local day and time k calendar months on (clamped to the month's end)."""
    zone = ZoneInfo(timezone)
    local = instant.astimezone(zone)
    index = local.year * 12 + local.month - 1 + k
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    moved = local.replace(tzinfo=None).replace(year=year, month=month + 1,
                                               day=min(local.day, last))
    return moved.replace(tzinfo=zone).astimezone(instant.tzinfo)


def months_unclosed_in(due_at: datetime, stopped_at: datetime | None, start: datetime,
                       end: datetime, timezone: str) -> list[int]:
    """Each k >= 1 whose instant due_at + k months falls in [start, end) while the case
    is still not closed (stopped_at None or later than that instant)."""
    found: list[int] = []
    k = 1
    while True:
        at = months_later(due_at, k, timezone)
        if at >= end or (stopped_at is not None and stopped_at <= at):
            return found
        if at >= start:
            found.append(k)
        k += 1


def total(amounts: Iterable[Decimal]) -> Decimal:
    return yuan(sum(amounts, Decimal(0)))
