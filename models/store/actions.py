"""Placeholder until the actions branch lands."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def add_actions(session: Any, *, case: Any, corrective: list[Any], preventive: list[Any],
                at: datetime, policy: Any) -> None:
    return None
