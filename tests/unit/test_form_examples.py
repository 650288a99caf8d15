"""`complaints forms`: every stage form's fields, read from the form itself, and an example
answer that the form and its rules accept; the README shows the same examples."""

from __future__ import annotations

from datetime import date

import pytest

from cli import forms
from cli.main import main
from models.stages import FORMS, StageRules
from tests.conftest import ROOT

# Rules that refuse nothing the case could allow: every department known, three options
# offered, no rejection yet, nobody has answered a stage. `today` is the day the examples
# were written, so their actions' due dates stay "after today".
PERMISSIVE = StageRules(departments=["technical", "service", "finance", "logistics"],
                        department="technical", min_options=1, max_options=3,
                        options_offered=3, today=date(2026, 11, 26))


def test_there_is_one_example_for_every_stage_form() -> None:
    assert list(forms.examples()) == list(FORMS)


@pytest.mark.parametrize("stage", list(FORMS))
def test_each_example_is_an_answer_its_form_and_its_rules_accept(stage: str) -> None:
    answer = FORMS[stage].model_validate(forms.examples()[stage])
    assert answer.problems(rules=PERMISSIVE) == []


@pytest.mark.parametrize("stage", list(FORMS))
def test_the_listing_names_every_field_of_the_form_and_which_are_required(stage: str) -> None:
    listed = {f["name"]: f for f in forms.fields(stage)}
    model = FORMS[stage].model_fields
    assert set(model) <= set(listed)
    for name, field in model.items():
        assert listed[name]["required"] is field.is_required(), name
        assert listed[name]["title"] == field.title, name


def test_a_choice_lists_its_allowed_values_and_nested_fields_their_own() -> None:
    investigation = {f["name"]: f for f in forms.fields("investigation")}
    assert investigation["validity"]["allowed"] == ["valid", "invalid"]
    assert investigation["responsible_persons[].department"]["required"] is True
    review = {f["name"]: f for f in forms.fields("review")}
    assert review["corrective_actions[].due"]["type"].startswith("date")


def test_the_readme_shows_the_examples_of_the_examples_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert forms.readme_section() in readme, "run: python -m cli.forms README.md"


def test_forms_prints_each_stage_for_a_person_and_json_for_programs(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms"]) == 0
    printed = capsys.readouterr().out
    assert all(f"{stage} (answer with: complaints respond CASE {stage} FILE)" in printed
               for stage in FORMS)
    assert main(["forms", "callback", "--json"]) == 0
    import json

    assert list(json.loads(capsys.readouterr().out)) == ["callback"]


def test_an_unknown_stage_is_refused_in_one_line_naming_the_stages(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "intake"]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "stage: 'intake' is not one of handover," in said
