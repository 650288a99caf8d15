"""Factories for test data; every sample complaint here is written for these tests."""

from __future__ import annotations

from typing import Any

from models.intake import Intake


def make_intake(**overrides: Any) -> Intake:
    """A calm, valid phone complaint about a product defect, with any field overridden
    (a `customer` dict is merged into the default customer)."""
    data: dict[str, Any] = {
        "channel": "phone",
        "taken_by": "Zhao Lei",
        "received_at": "2026-11-24T10:00:00+08:00",
        "customer": {"name": "Zhou Min", "phone": "+86 138 1234 5678", "email": "",
                     "language": "zh"},
        "subject": "Fridge compressor hums loudly",
        "description": "The fridge delivered last Tuesday hums loudly day and night.",
        "category": "product_defect",
        "claimed_loss": 0,
    }
    customer = overrides.pop("customer", None)
    if customer:
        data["customer"] = {**data["customer"], **customer}
    data.update(overrides)
    return Intake.model_validate(data)
