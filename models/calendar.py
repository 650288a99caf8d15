"""Business days: China's official holidays and adjusted working days, plus the policy's
own extra dates; working hours from the policy.

`chinese_calendar` knows the official schedule for the years it ships (2004-2026 in
1.11); for a later year the State Council's schedule is not in it yet, so weekdays plus
the policy's `extra_holidays` / `extra_workdays` are used and `known_year()` says so.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import chinese_calendar

from models.policy import CalendarPolicy


class BusinessCalendar:
    def __init__(self, policy: CalendarPolicy) -> None:
        self.policy = policy
        self._holidays = {date.fromisoformat(d) for d in policy.extra_holidays}
        self._workdays = {date.fromisoformat(d) for d in policy.extra_workdays}

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.policy.timezone)

    def known_year(self, day: date) -> bool:
        if not self.policy.official_china_calendar:
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        if self.policy.official_china_calendar and self.known_year(day):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        nxt = day + timedelta(days=1)
        while not self.is_workday(nxt):
            nxt += timedelta(days=1)
        return nxt

    def end_of(self, day: date) -> datetime:
        return datetime.combine(day, self.policy.workday_end, tzinfo=self.tz)

    def same_business_day(self, received_at: datetime) -> datetime:
        """18:00 on the day received if a workday and before 18:00, else the next workday."""
        local = received_at.astimezone(self.tz)
        if self.is_workday(local.date()) and local < self.end_of(local.date()):
            return self.end_of(local.date())
        return self.end_of(self.next_workday(local.date()))

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """`duration` of working hours after `start` (time outside working hours and on
        days off does not count): when a promised reply falls due."""
        left, local = duration, start.astimezone(self.tz)
        day = local.date()
        while True:
            if self.is_workday(day):
                opens = datetime.combine(day, self.policy.workday_start, tzinfo=self.tz)
                begin, closes = max(local, opens), self.end_of(day)
                if begin < closes:
                    if begin + left <= closes:
                        return begin + left
                    left -= closes - begin
            day += timedelta(days=1)
