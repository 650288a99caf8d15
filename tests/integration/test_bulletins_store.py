"""Penalty bulletins in the store: numbered per week, decided once, immutable once issued
(a trigger, on SQLite and PostgreSQL), and a later bulletin for the week corrects it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from models.errors import StoreError, WrongStage
from models.reports.model import Period
from models.store import bulletins, transaction
from models.store.db import BulletinRow

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
WEEK = Period(kind="weekly", start=date(2026, 11, 16), end=date(2026, 11, 22))


def draft(url: str, run: str) -> str:
    with transaction(url) as session:
        return bulletins.add_draft(session, flow_run_id=run, period=WEEK, content={"x": 1},
                                   markdown="| a |", at=AT).number


def test_drafts_are_numbered_per_iso_week_and_a_later_one_corrects_the_issued(
    store_url: str,
) -> None:
    first = draft(store_url, "run-1")
    assert first == "PB-2026-W47-1"
    with transaction(store_url) as session:
        assert bulletins.decide(session, number=first, issue=True, by="李明", comment="",
                                at=AT)
    second = draft(store_url, "run-2")
    with transaction(store_url) as session:
        row = bulletins.draft_of(session, flow_run_id="run-2")
        assert row is not None
        assert (second, row.corrects, row.status) == ("PB-2026-W47-2", first, "draft")


def test_a_bulletin_is_decided_once(store_url: str) -> None:
    number = draft(store_url, "run-1")
    with transaction(store_url) as session:
        assert bulletins.decide(session, number=number, issue=False, by="李明",
                                comment="补上服务部的业务量", at=AT)
    with transaction(store_url) as session:
        assert not bulletins.decide(session, number=number, issue=True, by="李明", comment="",
                                    at=AT)
        row = bulletins.draft_of_number(session, number=number)
        assert (row.status, row.comment) == ("returned", "补上服务部的业务量")
    with transaction(store_url) as session, pytest.raises(WrongStage, match="PB-2026-W01-9"):
        bulletins.decide(session, number="PB-2026-W01-9", issue=True, by="x", comment="", at=AT)


@pytest.mark.parametrize("change", ["update", "delete"])
def test_an_issued_bulletin_cannot_be_changed_or_deleted(store_url: str, change: str) -> None:
    number = draft(store_url, "run-1")
    with transaction(store_url) as session:
        bulletins.decide(session, number=number, issue=True, by="李明", comment="", at=AT)
    statement = (update(BulletinRow).values(markdown="altered") if change == "update"
                 else delete(BulletinRow))
    with pytest.raises((StoreError, DBAPIError), match="immutable"), \
            transaction(store_url) as session:
        session.execute(statement.where(BulletinRow.number == number))
    with transaction(store_url) as session:
        assert bulletins.draft_of_number(session, number=number).markdown == "| a |"
