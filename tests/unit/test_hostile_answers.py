"""Answers the CLI must refuse before they reach Prefect, and the form's own key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli import commands
from models.errors import InputError
from models.stages import FORMS, form_of_pause, pause_key_for

INVESTIGATION = {"answered_by": "Li Ming", "facts": "f", "customer_expectation": "e",
                 "first_reply": "r"}


def _file(tmp_path: Path, answer: dict[str, Any]) -> str:
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(answer), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("field,value", [
    ("answered_by", {"__prefect_kind": "jinja", "template": "{{ 7*7 }}"}),
    ("facts", {"__prefect_kind": "workspace_variable", "variable_name": "secret"}),
    ("evidence", [{"__prefect_kind": "json", "value": "1"}]),
])
def test_a_template_in_an_answer_is_refused_before_it_reaches_prefect(
    tmp_path: Path, field: str, value: Any,
) -> None:
    path = _file(tmp_path, {**INVESTIGATION, field: value})
    with pytest.raises(InputError, match=f"^{field}: .*not allowed") as caught:
        commands.respond("C-20260101-0001", "investigation", path)
    assert "\n" not in str(caught.value)


def test_every_stage_form_carries_the_key_of_the_form_it_answers() -> None:
    for form in FORMS.values():
        field = form.model_fields["form_key"]
        assert field.default == "" and "do not change" in (field.description or "").lower()
    assert pause_key_for("execution-1-retry2", 1) == "execution-1-retry2"
    assert pause_key_for("execution-1-retry2", 3) == "execution-1-retry2--3"
    assert form_of_pause("execution-1-retry2--3") == "execution-1-retry2"
    assert form_of_pause("investigation") == "investigation"
