"""Bad intake input: every invalid field gives one clear line naming it, and nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.main import main

GOOD: dict[str, Any] = {
    "channel": "phone", "taken_by": "Zhao Lei", "received_at": "2026-11-24T10:00:00+08:00",
    "customer": {"name": "Zhou Min", "phone": "13812345678", "language": "zh"},
    "subject": "Noisy compressor", "description": "The fridge bought last week hums loudly.",
    "category": "product_defect", "claimed_loss": 0,
}


def with_change(path: str, value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("channel", "fax", "channel: Input should be 'phone', 'email'"),
    ("channel", DELETE, "channel: Field required"),
    ("received_at", "yesterday", "received_at: 'yesterday' is not an ISO-8601 date-time"),
    ("received_at", "2026-11-24T10:00:00", "received_at: '2026-11-24T10:00:00' needs a UTC offset"),
    ("customer.phone", "12", "customer.phone: not a possible phone number"),
    ("customer.phone", "", "customer: give at least one of phone or email"),
    ("customer.email", "not-an-address", "customer.email: not an e-mail address"),
    ("customer.language", "fr", "customer.language: Input should be 'zh' or 'en'"),
    ("customer.name", "", "customer.name: String should have at least 1 character"),
    ("description", "   ", "description: String should have at least 1 character"),
    ("subject", DELETE, "subject: Field required"),
    ("category", "weather", "category: Input should be 'product_defect'"),
    ("claimed_loss", -5, "claimed_loss: Input should be greater than or equal to 0"),
    ("claimed_loss", "lots", "claimed_loss: Input should be a valid number"),
    ("emotion", "furious", "emotion: Input should be 'calm', 'strong' or 'extreme'"),
    ("violation", "huge", "violation: Input should be 'none', 'minor' or 'severe'"),
    ("public_impact", "viral", "public_impact: Input should be 'none', 'some' or 'large'"),
    ("threatening", "maybe", "threatening: Input should be a valid boolean"),
    ("valid", "perhaps", "valid: Input should be a valid boolean"),
    ("surprise", 1, "surprise: Extra inputs are not permitted"),
])
def test_an_invalid_field_is_named_in_one_line_and_nothing_is_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: Any, message: str,
) -> None:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(with_change(field, value)), encoding="utf-8")
    store_before = _case_count()
    code = main(["submit", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("complaints submit: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _case_count() == store_before


def test_a_file_that_is_not_json_names_the_line(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "intake.json"
    path.write_text('{"channel": "phone",\n  oops}', encoding="utf-8")
    assert main(["triage", str(path)]) == 2
    assert "not valid JSON (line 2" in capsys.readouterr().err


def test_a_missing_file_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "/nonexistent/intake.json"]) == 2
    assert "/nonexistent/intake.json: cannot read" in capsys.readouterr().err


def _case_count() -> int:
    from sqlalchemy import func, select

    from models.store import migrate, transaction
    from models.store.db import CaseRow
    from tasks.runtime import settings

    migrate(settings().store_url)
    with transaction(settings().store_url) as session:
        return int(session.scalar(select(func.count()).select_from(CaseRow)) or 0)
