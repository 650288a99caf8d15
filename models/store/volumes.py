"""Business volume per department and month: the complaint rate's denominator.

Operators keep `data/volume.csv` (columns month, department, volume; month as YYYY-MM)
or answer the *volume* deployment's form; both end in the `volumes` table, one row per
(month, department), the latest word winning. A report reads volume from the table only:
a period without it says so ("no volume given"), it never divides by zero or guesses.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import InputError
from models.reports.model import Period
from models.reports.periods import months_in
from models.store.db import VolumeRow

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
COLUMNS = ("month", "department", "volume")
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Volume:
    month: str
    department: str
    volume: int


def parse_volume(*, month: str, department: str, volume: str | int,
                 departments: Iterable[str], where: str = "") -> Volume:
    """One volume entry, checked; errors name the field and what is allowed."""
    at = f"{where}: " if where else ""
    month = str(month).strip()
    if not MONTH.match(month):
        raise InputError(f"{at}month: {month!r} is not a month; use YYYY-MM, e.g. 2026-11")
    known = sorted(departments)
    department = str(department).strip()
    if department not in known:
        raise InputError(f"{at}department: {department!r} is not one of {', '.join(known)}")
    try:
        count = int(str(volume).strip().replace(",", ""))
    except ValueError:
        raise InputError(f"{at}volume: {volume!r} is not a whole number") from None
    if count <= 0:
        raise InputError(f"{at}volume: {count} must be above 0 (leave the month out when "
                         "there is no volume)")
    return Volume(month, department, count)


def read_csv(path: Path, *, departments: Iterable[str]) -> list[Volume]:
    """The operators' CSV, every row checked before any is stored."""
    known = list(departments)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path.name}: missing column(s) {', '.join(missing)}; the "
                             f"header must be {','.join(COLUMNS)}")
        return [parse_volume(month=row["month"], department=row["department"],
                             volume=row["volume"], departments=known,
                             where=f"{path.name} line {n}")
                for n, row in enumerate(reader, start=2)]


def store_volumes(session: Session, *, volumes: Iterable[Volume], source: str, by: str,
                  at: datetime) -> int:
    """Insert or replace; returns how many rows changed."""
    changed = 0
    for item in volumes:
        row = session.scalars(select(VolumeRow).where(
            VolumeRow.month == item.month, VolumeRow.department == item.department)).first()
        if row is None:
            session.add(VolumeRow(month=item.month, department=item.department,
                                  volume=item.volume, source=source, updated_by=by,
                                  updated_at=at))
            changed += 1
        elif (row.volume, row.source) != (item.volume, source):
            row.volume, row.source, row.updated_by, row.updated_at = (
                item.volume, source, by, at)
            changed += 1
    session.flush()
    return changed


def monthly_volumes(session: Session, *, months: Iterable[str]) -> dict[tuple[str, str], int]:
    """(month, department) -> volume for the months asked."""
    rows = session.execute(select(VolumeRow.month, VolumeRow.department, VolumeRow.volume)
                           .where(VolumeRow.month.in_(list(months))))
    return {(m, d): v for m, d, v in rows}


def period_volume(session: Session, *, period: Period, department: str | None = None
                  ) -> Decimal | None:
    """The volume of one department (or of all, with None) in the period: each month's
    volume pro rata by the days of it in the period, to the cent. None when any month
    of the period has no volume for it (all departments: when none has any)."""
    parts = months_in(period)
    known = monthly_volumes(session, months=[m for m, _, _ in parts])
    total = Decimal(0)
    for month, days, length in parts:
        if department is None:
            found = [v for (m, _), v in known.items() if m == month]
            if not found:
                return None
            volume = sum(found)
        elif (month, department) in known:
            volume = known[(month, department)]
        else:
            return None
        total += Decimal(volume) * days / length
    return total.quantize(CENTS, rounding=ROUND_HALF_UP)


def rate(complaints: int, volume: Decimal | None) -> Decimal | None:
    """Complaints per hundred units of volume (a percentage), to four places."""
    if volume is None or volume <= 0:
        return None
    return (Decimal(complaints) * 100 / volume).quantize(Decimal("0.0001"),
                                                          rounding=ROUND_HALF_UP)
