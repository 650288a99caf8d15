"""The run forms of the deployments (their parameter schemas) in the staff's language.

Prefect builds a deployment's run form from the flow's signature: the intake form of
`complaint` from the `Intake` model, the operations forms from their parameters, all
in English. `translate` puts the titles and help of the catalog's `run_form` section in
their place (per deployment for its parameters, per model for the models they use);
the values a form sends stay the stable keys, so `complaints submit` and the UI give
the flow the same intake. A word missing from the catalog leaves the English one.

The choices of the run form stay their keys (walk_in, repair_quality): Prefect's UI
shows an enumeration titled per value (oneOf with const and title) as tabs above a
JSON editor, which is worse than the keys; its help text says the keys in words.
"""

from __future__ import annotations

import copy
from typing import Any

from models.i18n import words

TEXTS = ("title", "description")


def translate(schema: dict[str, Any], *, deployment: str, language: str) -> dict[str, Any]:
    """A copy of the parameter schema with the catalog's titles and help."""
    catalog: dict[str, Any] = words(language).get("run_form", {})
    found = copy.deepcopy(schema)
    _fields(found.get("properties", {}), catalog.get(deployment, {}))
    for name, definition in (found.get("definitions") or {}).items():
        entry = catalog.get("model", {}).get(name.lower(), {})
        if isinstance(entry.get("_title"), str):
            definition["title"] = entry["_title"]
        if isinstance(entry.get("_description"), str):
            definition["description"] = entry["_description"]
        _fields(definition.get("properties", {}), entry)
    return found


def _fields(properties: dict[str, Any], entry: dict[str, Any]) -> None:
    for name, prop in properties.items():
        words_of = entry.get(name)
        if not isinstance(words_of, dict):
            continue
        for text in TEXTS:
            if isinstance(words_of.get(text), str):
                prop[text] = words_of[text]
