"""The run forms of the deployments (their parameter schemas) in the staff's language.

Prefect builds a deployment's run form from the flow's signature: the intake form of
`complaint` from the `Intake` model, the operations forms from their parameters, all
in English. `translate` puts the titles and help of the catalog's `run_form` section in
their place (per deployment for its parameters, per model for the models they use);
the values a form sends stay the stable keys, so `complaints submit` and the UI give
the flow the same intake. A word missing from the catalog leaves the English one.

Choices show their words as tabs (到店, 维修质量) and send their keys (walk_in,
repair_quality): each value becomes `{"const": key, "enum": [key], "title": words}` under
`anyOf`, as the stage forms do (models/form_words.py says why the UI needs the enum).
A choice without a default starts on a tab that holds no value.
"""

from __future__ import annotations

import copy
from typing import Any

from models.form_words import catalog, choice_tabs
from models.i18n import words

TEXTS = ("title", "description")


def translate(schema: dict[str, Any], *, deployment: str, language: str) -> dict[str, Any]:
    """A copy of the parameter schema with the catalog's titles and help."""
    catalog: dict[str, Any] = words(language).get("run_form", {})
    found = copy.deepcopy(schema)
    _fields(found.get("properties", {}), catalog.get(deployment, {}))
    required = _without_default(found)
    for name, definition in (found.get("definitions") or {}).items():
        _tabs(definition, _choice_words(name.lower(), language), name in required, language)
        entry = catalog.get("model", {}).get(name.lower(), {})
        if isinstance(entry.get("_title"), str):
            definition["title"] = entry["_title"]
        if isinstance(entry.get("_description"), str):
            definition["description"] = entry["_description"]
        _fields(definition.get("properties", {}), entry)
    return found


def _choice_words(name: str, language: str) -> dict[str, str]:
    """The words of an enumeration's values: categories and channels as the card says
    them, the others from the catalog's `run_form.choice` section."""
    every = words(language)
    if name == "category":
        return dict(every.get("category", {}))
    if name == "channel":
        return dict(every.get("card", {}).get("channel", {}))
    return dict(every.get("run_form", {}).get("choice", {}).get(name, {}))


def _without_default(schema: dict[str, Any]) -> set[str]:
    """The enumerations some field uses without a default (its choice starts empty)."""
    found: set[str] = set()
    for definition in (schema.get("definitions") or {}).values():
        for prop in (definition.get("properties") or {}).values():
            ref = str(prop.get("$ref", ""))
            if ref and "default" not in prop:
                found.add(ref.rsplit("/", 1)[-1])
    return found


def _tabs(definition: dict[str, Any], labels: dict[str, str], empty_first: bool,
          language: str) -> None:
    values = definition.get("enum")
    if not values or not all(isinstance(labels.get(v), str) for v in values):
        return
    del definition["enum"]
    definition.pop("type", None)
    definition["anyOf"] = choice_tabs({v: labels[v] for v in values},
                                      catalog(language)["pick"] if empty_first else None)


def _fields(properties: dict[str, Any], entry: dict[str, Any]) -> None:
    for name, prop in properties.items():
        words_of = entry.get(name)
        if not isinstance(words_of, dict):
            continue
        for text in TEXTS:
            if isinstance(words_of.get(text), str):
                prop[text] = words_of[text]
