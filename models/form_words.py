"""A form in the staff language, derived from its pydantic model when the form is built.

Every field's title and help come from the catalog's `form.field.<Model>.<field>` (a
model's base classes are looked up too, so `answered_by` is written once for all stage
forms), nested models (a list's items) included. A choice keeps its stable key as the
value: its JSON schema becomes `anyOf` of `{"const": key, "title": words}`, the standard
way to label an enum, which the Prefect UI shows as the words while the answer, the
server's check of it on resume, the store and `complaints respond` all keep the keys.
`to_keys` still maps an answer written with the words back to the keys, for whoever
types what the form showed.
"""

from __future__ import annotations

from copy import copy
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, create_model

from models.i18n import words


def catalog(language: str) -> dict[str, Any]:
    """The catalog's `form:` section of a language."""
    section = words(language)["form"]
    if not isinstance(section, dict):
        raise ValueError("the catalog's form section is not a mapping")
    return section


def field_words(model: type[BaseModel], name: str, language: str) -> dict[str, str]:
    """{"title": ..., "help": ...} of a field, from the model or the first base naming it."""
    fields = catalog(language)["field"]
    for klass in model.__mro__:
        found = fields.get(klass.__name__, {}).get(name)
        if found is not None:
            return dict(found)
    raise KeyError(f"form.field.{model.__name__}.{name} is not in the {language} catalog")


def choice_words(annotation: Any, language: str) -> dict[str, str] | None:
    """key -> words of a choice field's type (an enum or a Literal), None if not a choice."""
    keys = _choice_keys(annotation)
    if keys is None:
        return None
    section = catalog(language)["choice"]
    name = getattr(annotation, "__name__", "YesNo")  # a Literal["yes", "no"] reads YesNo
    table = section.get(name) or section["YesNo"]
    return {key: str(table.get(key, key)) for key in keys}


def _choice_keys(annotation: Any) -> list[str] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(arg) for arg in get_args(annotation)]
    return None


def item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a list[Model] field's items, else None."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _labelled(labels: dict[str, str], placeholder: str) -> Any:
    """A json_schema_extra that shows a choice as tabs titled with its words and keeps its
    keys. The UI needs an enum under each tab (without one it puts a template object in
    the answer) and shows the first tab as chosen: a choice with no default starts on a
    tab that holds no value (`placeholder`), so nothing is chosen until a person does."""
    def rewrite(schema: dict[str, Any]) -> None:
        for drop in ("$ref", "allOf", "enum", "type"):
            schema.pop(drop, None)
        schema["anyOf"] = choice_tabs(labels, placeholder if "default" not in schema else None)
    return rewrite


def choice_tabs(labels: dict[str, str], placeholder: str | None) -> list[dict[str, Any]]:
    """The JSON schema of a choice as tabs titled with words that send their keys
    (`anyOf` of `{"const": key, "enum": [key], "title": words}`), first an empty tab
    titled `placeholder` when one is given (a choice without a default)."""
    tabs: list[dict[str, Any]] = [{"const": key, "enum": [key], "title": text,
                                   "type": "string"} for key, text in labels.items()]
    if placeholder is not None:
        tabs.insert(0, {"enum": [], "title": placeholder, "type": "string"})
    return tabs


def localized(model: type[BaseModel], language: str,
              choices: dict[str, dict[str, str]] | None = None) -> type[BaseModel]:
    """A subclass of `model` whose schema speaks `language`; `choices` overrides the words
    of a field's options (e.g. the choice form's offered options with their text)."""
    fields: dict[str, Any] = {}
    for name, original in model.model_fields.items():
        info = copy(original)
        text = field_words(model, name, language)
        info.title, info.description = text["title"], text.get("help") or None
        annotation = original.annotation
        labels = (choices or {}).get(name) or choice_words(annotation, language)
        if labels is not None:
            info.json_schema_extra = _labelled(labels, catalog(language)["pick"])
        item = item_model(annotation)
        if item is not None:
            annotation = list[localized(item, language)]  # type: ignore[misc,assignment]
        fields[name] = (annotation, info)
    return create_model(model.__name__, __base__=model, **fields)


def offered_words(offer: list[str], *, rejections: int,
                  language: str) -> dict[str, str]:
    """key -> words of the options a choice form offers: each proposed option by its
    number (方案1, as the list of the options' text above the form names them: tabs with
    the whole text would run past the form's edge), and rejecting them all while the
    customer may still reject (fewer than two rejections)."""
    section = catalog(language)
    options = {f"option_{n}": section["offered_tab"].format(n=n) for n in range(1, len(offer) + 1)}
    if rejections < 2:
        options["reject_all"] = str(section["choice"]["OptionChoice"]["reject_all"])
    return options


def to_keys(model: type[BaseModel], answer: dict[str, Any], language: str,
            choices: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """`answer` with every choice given in words replaced by its key (keys stay keys)."""
    mapped = dict(answer)
    for name, info in model.model_fields.items():
        if name not in mapped:
            continue
        labels = (choices or {}).get(name) or choice_words(info.annotation, language)
        value = mapped[name]
        if labels is not None and isinstance(value, str):
            back = {text: key for key, text in labels.items()}
            mapped[name] = back.get(value.strip(), value)
        item = item_model(info.annotation)
        if item is not None and isinstance(value, list):
            mapped[name] = [to_keys(item, v, language) if isinstance(v, dict) else v
                            for v in value]
    return mapped

