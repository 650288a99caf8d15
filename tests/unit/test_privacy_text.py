"""Customer contacts written in free text are masked before Prefect sees them, and a case
store error names what failed without the values it was given (issue #9, defect 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text

from models.privacy import mask_intake, mask_text
from models.store import transaction
from models.store.db import CaseRow

SIGNATURE = ("Please call me on +86 138 1234 5678 or 13755556666, office (0755) 8888-6666, "
             "London +44 20 7123 4567, or 0086 139 8765 4321; mail anna.weber@example.org or "
             "陈小雨 chen_xy@example.cn. Order WS-448712, invoice INV-57304, order "
             "2026112400123, bought on 2026-11-02 for 12,800 yuan.")
SECRETS = ["1234 5678", "13755556666", "8888-6666", "7123 4567", "8765 4321", "anna.weber",
           "chen_xy"]


def test_phones_and_emails_written_in_the_description_are_masked() -> None:
    masked = mask_text(SIGNATURE)
    for secret in SECRETS:
        assert secret not in masked, masked
    # References, dates and amounts stay readable for the people handling the case.
    for kept in ("WS-448712", "INV-57304", "2026112400123", "2026-11-02", "12,800",
                 "@example.org", "138****5678"):
        assert kept in masked, masked


def test_an_intake_shown_in_prefect_has_its_free_text_masked_too() -> None:
    intake = {"subject": "Call 13755556666", "description": f"{SIGNATURE} Regards, Anna Weber",
              "external_ref": "anna.weber@example.org",
              "customer": {"name": "Anna Weber", "phone": "+8613812345678", "language": "en"}}
    shown = str(mask_intake(intake))
    for secret in [*SECRETS, "Anna Weber", "+8613812345678"]:
        assert secret not in shown, shown


@pytest.mark.parametrize("intake", [
    {"customer": "Anna Weber, 13755556666", "category": "nonsense"},
    {"customer": {"name": ["Anna Weber"], "phone": 13755556666, "email": None}},
    ["Anna Weber", "anna.weber@example.org"],
    "Anna Weber 13755556666",
])
def test_an_intake_that_is_not_valid_is_masked_as_well(intake: Any) -> None:
    shown = str(mask_intake(intake))
    assert "Weber" not in shown and "13755556666" not in shown and "anna.weber" not in shown


def test_masking_twice_changes_nothing_so_a_masked_run_is_recognised() -> None:
    intake = {"subject": "s", "description": SIGNATURE,
              "customer": {"name": "Zhou Min", "phone": "13800138000", "email": "z@example.cn"}}
    once = mask_intake(intake)
    assert mask_intake(once) == once != intake


def _case(number: str, **fields: Any) -> CaseRow:
    at = datetime.now(UTC)
    values: dict[str, Any] = {
        "number": number, "external_ref": f"REF-{number}", "status": "open", "stage": "intake",
        "waiting_for": "", "round": 1, "tier": "", "level": "", "department": "",
        "channel": "web", "category": "other", "language": "en", "customer_name": "Anna Weber",
        "customer_phone": "+8613755556666", "customer_email": "anna.weber@example.org",
        "subject": "Call me on 13755556666", "claimed_loss": 1, "intake": {},
        "received_at": at, "created_at": at, "updated_at": at, "close_kind": "", "failures": 0}
    return CaseRow(**{**values, **fields})


def _store_error(url: str, *rows: CaseRow) -> Exception:
    from models.errors import StoreError

    with pytest.raises(StoreError) as caught, transaction(url) as session:
        for row in rows:
            session.add(row)
            session.flush()
    return caught.value


def _one_clean_line(exc: Exception) -> None:
    from tasks.runtime import is_transient

    message = str(exc)
    assert message.startswith("case store: ") and "\n" not in message, message
    for value in ("13755556666", "Anna", "anna.weber", "INSERT", "parameters", "0001"):
        assert value not in message, message
    assert exc.__cause__ is None and exc.__suppress_context__
    assert not is_transient(exc)


def test_a_store_error_carries_no_sql_parameters_or_customer_values(store_url: str) -> None:
    duplicate = _store_error(store_url, _case("C-1"), _case("C-2", external_ref="REF-C-1"))
    _one_clean_line(duplicate)
    assert "IntegrityError" in str(duplicate) and "external_ref" in str(duplicate)
    year_one = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    _one_clean_line(_store_error(store_url, _case("C-3", received_at=year_one)))
    missing = _store_error(store_url, _case("C-4", category=None))
    _one_clean_line(missing)
    assert "category" in str(missing)
    if store_url.startswith("postgresql"):
        _one_clean_line(_store_error(store_url, _case("C-5", subject="Anna\x00Weber")))
        overflow = _store_error(store_url, _case("C-6", claimed_loss=10**15))
        _one_clean_line(overflow)
        assert "DataError" in str(overflow)


def test_a_store_that_does_not_answer_is_still_retried(store_url: str) -> None:
    from models.errors import StoreError
    from tasks.runtime import is_transient

    # SQLite: an OperationalError (as "database is locked" is); PostgreSQL: no server there.
    url, sql = ((store_url, "SELECT * FROM no_such_table") if store_url.startswith("sqlite")
                else (store_url.replace("127.0.0.1:5432", "127.0.0.1:1"), "SELECT 1"))
    with pytest.raises(StoreError) as caught, transaction(url) as session:
        session.execute(text(sql))
    assert is_transient(caught.value) and caught.value.transient
    assert "\n" not in str(caught.value)
