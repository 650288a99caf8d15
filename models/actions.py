"""Corrective and preventive actions of a review, and the check of each when it is due.

An action names what is done, its owner, a due date and how its effect is checked
(DOMAIN.md §7). "Strengthen training" and its kin are not actions, alone or combined:
`vague` finds a text made of nothing else. Text is compared as units, an ASCII word or
one CJK character, so an English phrase matches whole words only while Chinese, written
without spaces, matches character by character; filler words are dropped from text and
phrases alike (加强员工培训 is 加强培训), then the rest must be a run of phrases.

`ActionCheck` is the form an action's owner answers when it is due. Its effect is
judged then, yes or no: the rule is that an action is evaluated when it is due, and a
"not known yet" would leave it unevaluated for good, since nothing asks again (who needs
longer to see the effect gives a later due date).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from models.problems import Problem, problem

YesNo = Literal["yes", "no"]


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    what: str = Field(
        title="What is done", min_length=1, max_length=2000,
        description="The concrete step: what changes, for whom, how much. "
                    "'Strengthen training' or 'pay attention in future' is not an action.",
    )
    owner: str = Field(
        title="Owner (name)", min_length=1, max_length=120,
        description="The one person who sees that it is done: a name, not 'all staff'.",
    )
    due: date = Field(
        title="Due date",
        description="The day it must be done by (after today). That day its owner is asked "
                    "whether it was done and whether it worked.",
    )
    check: str = Field(
        title="How its effect is checked", min_length=1, max_length=2000,
        description="What will show that it worked: a figure, a record, a sample checked.",
    )


class ActionCheck(BaseModel):
    """The answer of an action's owner when it is due. No defaults: a person chooses."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    checked_by: str = Field(title="Your name", min_length=1, max_length=120,
                            description="Recorded with the answer.")
    done: YesNo = Field(title="Was it done?", description="yes: done as written, by its due date.")
    effective: YesNo = Field(
        title="Did it work?",
        description="yes: the check named in the action shows the effect. An action not "
                    "done cannot have worked.")
    note: str = Field(default="", title="Note", max_length=2000,
                      description="What was found; why it was not done or did not work.")

    def problems(self) -> list[Problem]:
        if self.done == "no" and self.effective == "yes":
            return [problem("effective", "action.not_done_worked")]
        return []


def due_moment(due: date, *, timezone: str, workday_end: time) -> datetime:
    """The end of the due date's working day, in the calendar's timezone."""
    return datetime.combine(due, workday_end, tzinfo=ZoneInfo(timezone))


def vague(text: str, *, phrases: list[str], fillers: list[str]) -> list[str]:
    """The vague phrases `text` is made of, if it is nothing but those, filler words,
    punctuation and spaces (any order, any number); [] if it says anything else."""
    units = _drop(_units(text), fillers)
    table = {tuple(_drop(_units(p), fillers)): p for p in reversed(phrases)}
    table.pop((), None)  # a phrase of fillers only would match nothing at all
    if not units or not table:
        return []
    # reach[i]: the phrases that cover units[:i] exactly, or None if none do
    reach: list[list[str] | None] = [[]] + [None] * len(units)
    for start in range(len(units)):
        found = reach[start]
        if found is None:
            continue
        for parts, phrase in table.items():
            end = start + len(parts)
            if end <= len(units) and reach[end] is None and tuple(units[start:end]) == parts:
                reach[end] = found + [phrase]
    return list(dict.fromkeys(reach[-1] or []))


def only_fillers(text: str, *, fillers: list[str]) -> bool:
    """True if `text` holds nothing but filler words and punctuation."""
    return not _drop(_units(text), fillers)


def action_problems(action: Action, *, field: str, today: date, phrases: list[str],
                    fillers: list[str]) -> list[Problem]:
    """What is wrong with one action; each problem's field is `field`.<part>."""
    found = []
    for part in ("what", "check"):
        text = getattr(action, part)
        if not text.strip() or only_fillers(text, fillers=fillers):
            found.append(problem(f"{field}.{part}", "action.empty", given=text))
            continue
        named = vague(text, phrases=phrases, fillers=fillers)
        if named:
            found.append(problem(f"{field}.{part}", f"action.vague_{part}", given=text,
                                 phrases=named))
    if not action.owner.strip() or only_fillers(action.owner, fillers=fillers):
        found.append(problem(f"{field}.owner", "action.nobody", given=action.owner))
    if action.due <= today:
        found.append(problem(f"{field}.due", "action.due", today=today.isoformat()))
    return found


def actions_problems(corrective: list[Action], preventive: list[Action], *, valid: bool,
                     today: date, phrases: list[str], fillers: list[str]) -> list[Problem]:
    """Problems of every action; a valid complaint needs at least one of each kind (an
    invalid one may have none)."""
    found = []
    for name, actions in (("corrective_actions", corrective),
                          ("preventive_actions", preventive)):
        if valid and not actions:
            found.append(problem(name, "action.missing", kind=name.split("_")[0]))
        for index, action in enumerate(actions):
            found += action_problems(action, field=f"{name}.{index}", today=today,
                                     phrases=phrases, fillers=fillers)
    return found


def _units(text: str) -> list[str]:
    """Words of letters and digits, each CJK (wide) character a unit of its own; every
    other character (punctuation, ASCII or full-width, and spaces) separates."""
    units, word = list[str](), ""
    for char in unicodedata.normalize("NFKC", text).casefold():
        if char.isalnum() and unicodedata.east_asian_width(char) not in ("W", "F"):
            word += char
            continue
        if word:
            units.append(word)
            word = ""
        if char.isalnum():
            units.append(char)
    return units + [word] if word else units


def _drop(units: list[str], fillers: Iterable[str]) -> list[str]:
    """`units` without the fillers in them, the longest filler first at each place."""
    forms = sorted({tuple(_units(f)) for f in fillers} - {()}, key=len, reverse=True)
    kept, at = list[str](), 0
    while at < len(units):
        match = next((f for f in forms if tuple(units[at:at + len(f)]) == f), None)
        if match:
            at += len(match)
        else:
            kept.append(units[at])
            at += 1
    return kept
