"""Corrective and preventive actions (placeholder until the actions branch lands)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    what: str = Field(title="What is done", min_length=1, max_length=2000)
    owner: str = Field(title="Owner (name)", min_length=1, max_length=120)
    due: date = Field(title="Due date")
    check: str = Field(title="How its effect is checked", min_length=1, max_length=2000)


def actions_problems(corrective: list[Action], preventive: list[Action], *, valid: bool,
                     today: date, phrases: list[str], fillers: list[str]) -> list[str]:
    found = []
    for field, actions in (("corrective_actions", corrective),
                           ("preventive_actions", preventive)):
        if valid and not actions:
            found.append(f"{field}: a valid complaint needs at least one")
        for n, action in enumerate(actions):
            if action.due <= today:
                found.append(f"{field}.{n}.due: must be after today ({today})")
    return found
