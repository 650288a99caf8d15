"""Business volume: the operators' CSV and the volume form, checked field by field; a
period takes each month pro rata; no volume is None, never a made-up rate."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from models.errors import InputError
from models.reports.model import Period
from models.store import transaction
from models.store.volumes import (
    Volume,
    parse_volume,
    period_volume,
    rate,
    read_csv,
    store_volumes,
)

DEPARTMENTS = ["service", "technical"]
AT = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_csv_is_read_with_every_row_checked(tmp_path: Path) -> None:
    good = tmp_path / "volume.csv"
    good.write_text("month,department,volume\n2026-11,service,\"4,125\"\n2026-12,technical,310\n",
                    encoding="utf-8")
    assert read_csv(good, departments=DEPARTMENTS) == [
        Volume("2026-11", "service", 4125), Volume("2026-12", "technical", 310)]
    bad = tmp_path / "bad.csv"
    bad.write_text("month,department,volume\n2026-11,service,10\n2026-13,sales,x\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv line 3: month: '2026-13' is not a month"):
        read_csv(bad, departments=DEPARTMENTS)
    header = tmp_path / "header.csv"
    header.write_text("month,dept,volume\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column.s. department"):
        read_csv(header, departments=DEPARTMENTS)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("department", "sales", "department: 'sales' is not one of service, technical"),
    ("volume", "12.5", "volume: '12.5' is not a whole number"),
    ("volume", "0", "volume: 0 must be above 0"),
    ("month", "11/2026", "month: '11/2026' is not a month; use YYYY-MM"),
])
def test_a_wrong_entry_names_its_field_and_what_is_allowed(field: str, value: str,
                                                           message: str) -> None:
    entry = {"month": "2026-11", "department": "service", "volume": "100", field: value}
    with pytest.raises(InputError, match=message):
        parse_volume(**entry, departments=DEPARTMENTS)


def test_a_week_across_a_month_end_takes_each_month_pro_rata(store_url: str) -> None:
    week = Period(kind="weekly", start=date(2026, 11, 30), end=date(2026, 12, 6))
    with transaction(store_url) as session:
        store_volumes(session, volumes=[Volume("2026-11", "service", 3000),
                                        Volume("2026-12", "service", 3100),
                                        Volume("2026-11", "technical", 600)],
                      source="csv", by="volume.csv", at=AT)
        # 3000 * 1/30 + 3100 * 6/31 = 100 + 600
        assert period_volume(session, period=week, department="service") == Decimal("700.00")
        # December has no technical volume: no rate for the week, never half of one
        assert period_volume(session, period=week, department="technical") is None
        assert period_volume(session, period=week) == Decimal("720.00")  # all: 100+20+600
        assert store_volumes(session, volumes=[Volume("2026-11", "service", 3000)],
                             source="csv", by="volume.csv", at=AT) == 0  # unchanged
        assert store_volumes(session, volumes=[Volume("2026-11", "service", 3300)],
                             source="form", by="Lin Xue", at=AT) == 1  # the latest wins
        assert period_volume(session, period=week, department="service") == Decimal("710.00")
    assert rate(7, Decimal("700.00")) == Decimal("1.0000")
    assert rate(7, None) is None and rate(0, Decimal("0")) is None
