"""Issue #14: the deployments' run forms (the intake form first) in the staff's language."""

from __future__ import annotations

import re
from typing import Any

import pytest

from flows.run_forms import translate
from flows.serve import runner_deployments

ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
# What a Chinese title or help may still spell in Latin letters: keys a person types or
# picks, formats and names (the enumerations' keys, YYYY-MM, policy.yaml, Prefect, ISO).
ALLOWED = re.compile(r"[a-z_]+|YYYY-MM(-DD)?|ISO|Prefect|yaml|policy|eml|data/inbox|[A-Z]-\d+")


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    return {d.name: d._parameter_openapi_schema.model_dump(exclude_none=True)
            for d in runner_deployments()}


def texts(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, text) of every title and help a person reads on the form."""
    found = [(f"{name}.{kind}", prop[kind]) for name, prop in schema["properties"].items()
             for kind in ("title", "description") if kind in prop]
    for model, definition in (schema.get("definitions") or {}).items():
        found += [(f"{model}.{kind}", definition[kind]) for kind in ("title", "description")
                  if kind in definition]
        found += [(f"{model}.{name}.{kind}", prop[kind])
                  for name, prop in (definition.get("properties") or {}).items()
                  for kind in ("title", "description") if kind in prop]
    return found


def tab_titles(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f"{model}.tab", tab["title"])
            for model, definition in (schema.get("definitions") or {}).items()
            for tab in definition.get("anyOf", [])]


def test_every_deployment_describes_itself_in_chinese() -> None:
    for deployment in runner_deployments():
        text = deployment.description or ""
        english = [w for w in ASCII_WORD.findall(ALLOWED.sub(" ", text))
                   if w not in ("Resume", "gzip", "JSON", "dry_run", "csv", "volume")]
        assert not english and re.search(r"[\u4e00-\u9fff]", text), (deployment.name, text)


def test_every_run_form_reads_in_chinese(schemas: dict[str, dict[str, Any]]) -> None:
    for deployment, schema in schemas.items():
        for where, text in texts(schema) + tab_titles(schema):
            english = [w for w in ASCII_WORD.findall(ALLOWED.sub(" ", text))]
            assert not english, f"{deployment} {where}: {text!r}"
            assert re.search(r"[\u4e00-\u9fff]", text), f"{deployment} {where}: {text!r}"


def test_the_intake_form_names_its_fields_as_the_service_centre_does(
    schemas: dict[str, dict[str, Any]],
) -> None:
    intake = schemas["complaint"]["definitions"]["Intake"]["properties"]
    assert intake["taken_by"]["title"] == "首问受理人"
    assert intake["claimed_loss"]["title"] == "客户声称的损失（元）"
    assert intake["channel"]["$ref"] == "#/definitions/Channel"
    tabs = schemas["complaint"]["definitions"]["Channel"]["anyOf"]
    assert tabs[0] == {"enum": [], "title": "请选择", "type": "string"}  # no default: empty
    assert {"const": "walk_in", "enum": ["walk_in"], "title": "到店", "type": "string"} in tabs
    emotion = schemas["complaint"]["definitions"]["Emotion"]["anyOf"]
    assert emotion[0]["title"] == "平稳"  # a default (calm): no empty tab first


def test_english_staff_get_the_english_words_and_a_missing_word_keeps_the_original() -> None:
    schema = {"properties": {"case_number": {"title": "case_number"},
                             "unknown": {"title": "Unknown", "description": "As is."}}}
    english = translate(schema, deployment="acknowledge", language="en")
    assert english["properties"]["case_number"]["title"] == "Case number"
    assert english["properties"]["unknown"] == {"title": "Unknown", "description": "As is."}
    assert schema["properties"]["case_number"]["title"] == "case_number"  # a copy


def test_the_cli_says_why_a_case_is_stalled_in_the_staff_language() -> None:
    from cli.main import _in_words

    assert _in_words("flow run Cancelled") == "停滞：流程运行已取消"
    assert _in_words("") == ""
