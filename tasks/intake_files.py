"""Reading a complaint from a file: an intake JSON, or a letter (.eml) read into one.

Errors name the file or the field and what is allowed (`InputError`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.errors import InputError
from models.intake import Intake
from models.letters import Letter, read_letter
from tasks.runtime import policy


def read_json(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8"
                         ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply (an intake or an answer is a few "
                         "levels deep)") from None
    except ValueError:  # Python's limit on integer digits: the message would quote none
        raise InputError(f"{path}: a number in it has too many digits (allowed: up to "
                         f"{sys.get_int_max_str_digits()})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: must hold one JSON object")
    return data


def parse_intake(data: dict[str, Any]) -> Intake:
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise InputError(first_error(exc)) from None


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "(top)"
    message = error["msg"].removeprefix("Value error, ")
    allowed = error.get("ctx", {}).get("expected")
    return f"{where}: {message}" + (f" (allowed: {allowed})" if allowed and
                                    "Input should be" not in message else "")


def read_complaint(path: str, *, taken_by: str = "",
                   default_taken_by: str = "") -> tuple[Intake, Letter | None]:
    """An intake JSON file, or a letter (.eml) read into an intake. `taken_by`, when
    given, is the first-contact person (`submit --by`); `default_taken_by` is taken when
    neither it nor the file names one (a letter: the inbox's owner from the policy)."""
    if not path.lower().endswith(".eml"):
        data = read_json(path)
        given = taken_by or data.get("taken_by") or default_taken_by
        return parse_intake({**data, "taken_by": given} if given else data), None
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    letter = read_letter(raw, taken_by=taken_by or policy().intake.letters_taken_by)
    return parse_intake(letter.intake), letter
