"""Why an answer is refused: stable data where it is kept, words only when it is shown.

A problem is a flat mapping of strings, as a reason is (models/reasons.py): `key` names
the rule (`problem.<key>` in the catalog), `field` the place in the form as a dotted path
("corrective_actions.0.what"), the other entries its values as stable data — numbers,
department and decider keys, a date, the text the person gave, lists as JSON. The refused
step in the case store and its `answer_refused` event keep this form, so a catalog change
never rewrites history and a form shows the refusal in whatever language its staff read.

`text` makes the one line a reader sees. English keeps the lines the desk has always
printed ("field: sentence", the field as its path; a value the form could not take gets
pydantic's own message), so the CLI and its tests read as before. Chinese names the field
by the form's title (「纠正措施 1 · 措施内容」, items counted from 1) and says what is
allowed in the catalog's words. Steps stored before problems were data hold English
lines: those are shown as they are. A refusal outside a stage form (the operations runs)
raises `ProblemError`, whose message is the English line and which carries the data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from models.errors import InputError
from models.form_words import choice_words, field_words, item_model
from models.i18n import day, number, t, term, words

Problem = dict[str, str]


def problem(field: str, key: str, **values: object) -> Problem:
    """A problem as stored; lists and tuples are kept as JSON, everything else as str."""
    return {"key": key, "field": field, **{
        name: json.dumps(list(v), ensure_ascii=False) if isinstance(v, list | tuple) else str(v)
        for name, v in values.items()}}


class ProblemError(InputError):
    """Input refused outside a stage form (an operations run): the message is the English
    line for the CLI and logs, `problems` the data a run shows in the staff language."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(one_line(problems, "en"))
        self.problems = problems


def _listed(language: str, value: str, each: Callable[[str], str] = str) -> str:
    return t(language, "problem.word.join").join(each(v) for v in json.loads(value))


def _departments(language: str, value: str) -> str:
    # The field takes the key: Chinese shows the department's name with its key.
    return _listed(language, value, lambda key: key if language == "en" else t(
        language, "problem.word.keyed", words=term(language, "department", key), code=key))


def _limit(language: str, value: str) -> str:
    amount = Decimal(value)
    exact = amount == amount.to_integral_value()
    return value if language == "en" else number(language, amount, 0 if exact else 2)


def _waiting(language: str, value: str) -> str:
    """The form a case waits for (`investigation`, `review-retry2`) by its stage's name."""
    if not value:
        return t(language, "problem.word.waiting")
    if language == "en":
        return value
    stage = term(language, "form.above.stage", value.split("-")[0])
    return t(language, "problem.word.form", name=stage)


# How each stored value reads; a value not named here is shown as stored.
_VALUES: dict[str, Callable[[str, str], str]] = {
    "departments": _departments, "phrases": _listed,
    "close": lambda lang, v: t(lang, "problem.word.or").join(json.loads(v)),
    "decider": lambda lang, v: v.replace("_", " ") if lang == "en" else term(
        lang, "form.choice.Decider", v),
    "kind": lambda lang, v: v if lang == "en" else t(lang, f"form.above.{v}"),
    "today": lambda lang, v: v if lang == "en" else day(lang, date.fromisoformat(v)),
    "number": lambda lang, v: v or t(lang, "problem.word.empty"),
    "status": lambda lang, v: v if lang == "en" else term(lang, "card.status", v),
    "waiting": _waiting,
    "ge": _limit, "gt": _limit, "le": _limit, "lt": _limit,
}


def text(stored: Problem | str, language: str, model: type[BaseModel] | None = None) -> str:
    """One problem as the line a reader sees; `model` is the form it is about, whose
    titles name the field in Chinese (an old stored line stays as it is)."""
    if isinstance(stored, str):
        return stored
    values = {name: _VALUES.get(name, lambda _lang, v: v)(language, value)
              for name, value in stored.items() if name not in ("key", "field")}
    if "allowed" in stored:
        values["allowed"] = _allowed(language, stored, model)
    sentence = t(language, f"problem.{stored['key']}", **values)
    field = stored.get("field", "")
    if not field:
        return sentence
    name = field if language == "en" else title(field, language, model)
    return t(language, "problem.word.line", field=name, sentence=sentence)


def texts(stored: Iterable[Problem | str] | None, language: str,
          model: type[BaseModel] | None = None) -> list[str]:
    """Every problem of a refusal as lines in `language`."""
    return [text(p, language, model) for p in stored or []]


def one_line(stored: Iterable[Problem | str], language: str,
             model: type[BaseModel] | None = None) -> str:
    """Every problem of a refusal on one line, for a run's state message or the CLI."""
    return t(language, "problem.word.then").join(texts(stored, language, model))


def title(path: str, language: str, model: type[BaseModel] | None) -> str:
    """A dotted path in the words of the form: 纠正措施 1 · 措施内容. A name the form does
    not have is looked up in `problem.field`, else shown as it is."""
    names: list[str] = []
    for part in path.split("."):
        if part.isdigit() and names:
            names[-1] = t(language, "problem.word.item", name=names[-1], n=int(part) + 1)
        elif model is not None and part in model.model_fields:
            names.append(field_words(model, part, language)["title"])
            model = item_model(model.model_fields[part].annotation)
        else:
            names.append(term(language, "problem.field", part))
            model = None
    return t(language, "problem.word.path").join(names)


def _allowed(language: str, stored: Problem, model: type[BaseModel] | None) -> str:
    """The choices a field takes, in the words the form shows them with."""
    keys = json.loads(stored["allowed"])
    labels: dict[str, str] | None = None
    field = _last_field(stored.get("field", ""), model)
    if field is not None and language != "en":
        labels = choice_words(field, language)
    return t(language, "problem.word.join").join((labels or {}).get(k, k) for k in keys)


def _last_field(path: str, model: type[BaseModel] | None) -> Any:
    """The annotation of the field a path ends at, or None."""
    annotation = None
    for part in path.split("."):
        if part.isdigit():
            continue
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = item_model(annotation)
    return annotation


def from_validation(error: ValidationError, where: str = "") -> list[Problem]:
    """The problems of a value the form's model could not take, one per error; a known
    error type gets its sentence (with its limit), another quotes pydantic's message."""
    found = []
    for e in error.errors():
        field = ".".join(map(str, e["loc"])) or where
        kind = e["type"]
        ctx = {k: v for k, v in (e.get("ctx") or {}).items() if k in _CONTEXT}
        if kind in ("enum", "literal_error"):
            ctx = {"allowed": _quoted(str(e.get("ctx", {}).get("expected", "")))}
        if kind == "string_too_short" and ctx.get("min_length") == 1:
            kind = "string_empty"
        known = kind in words("en")["problem"]["input"]
        found.append(problem(field, f"input.{kind if known else 'other'}", msg=e["msg"],
                             **ctx))
    return found


_CONTEXT = ("min_length", "max_length", "ge", "gt", "le", "lt")


def _quoted(expected: str) -> list[str]:
    """The keys of pydantic's "'a', 'b' or 'c'"."""
    return re.findall(r"'([^']*)'", expected)
