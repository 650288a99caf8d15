"""`complaints forms [STAGE]`: the fields of each stage form, and an example answer.

The fields come from each form's JSON schema (`models.stages.FORMS`): the schema the UI
renders and Prefect's server enforces on resume, so this listing cannot drift from the
forms. The examples live in one file, `cli/form_examples.json`; a test validates each
against its form and its rules, and the README's respond section shows them, written by
`python -m cli.forms README.md` (a test checks that the README holds what it writes).
Imports no database, HTTP or Prefect code: it answers without the desk.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from models.errors import InputError
from models.stages import FORMS

EXAMPLES = Path(__file__).with_name("form_examples.json")
BEGIN = "<!-- written by `python -m cli.forms README.md` from cli/form_examples.json -->"
END = "<!-- end of the stage examples -->"
# The words this listing adds to the forms' own titles and descriptions.
WORDS = {"text": "text", "number": "number", "integer": "whole number",
         "boolean": "true or false", "date": "date YYYY-MM-DD", "object": "object",
         "array": "list", "one_of": "one of", "required": "required",
         "default": "default", "optional": "optional", "characters": "characters",
         "at_most": "at most", "objects": "objects (their fields below)",
         "answer": "answer with: complaints respond CASE {stage} FILE",
         "example": "example"}


def examples() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return found


def forms(stage: str | None = None) -> dict[str, Any]:
    """Each stage's fields and example (only `stage`'s if given): the --json output."""
    if stage is not None and stage not in FORMS:
        raise InputError(f"stage: {stage!r} is not one of {', '.join(FORMS)}")
    chosen = [stage] if stage else list(FORMS)
    samples = examples()
    return {name: {"fields": fields(name), "example": samples[name]} for name in chosen}


def fields(stage: str) -> list[dict[str, Any]]:
    schema = FORMS[stage].model_json_schema()
    return _fields(schema, schema.get("$defs", {}), prefix="")


def _fields(schema: dict[str, Any], defs: dict[str, Any], *, prefix: str) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    found = []
    for name, given in schema.get("properties", {}).items():
        spec = _resolved(given, defs)
        field: dict[str, Any] = {
            "name": prefix + name, "type": _type(spec, defs), "title": spec.get("title", ""),
            "description": spec.get("description", ""), "required": name in required}
        if "enum" in spec:
            field["allowed"] = list(spec["enum"])
        if name not in required and "default" in spec:
            field["default"] = spec["default"]
        found.append(field)
        item = _resolved(spec.get("items", {}), defs)
        if item.get("type") == "object":  # a list of objects: its fields, as name[].field
            found += _fields(item, defs, prefix=f"{prefix}{name}[].")
    return found


def _resolved(spec: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The schema with its `$ref` (or a one-item `allOf`) replaced by what it points to;
    the field's own keys (title, default, description) win."""
    own = dict(spec)
    if len(own.get("allOf", [])) == 1:
        own = {**own.pop("allOf")[0], **own}
    ref = own.pop("$ref", None)
    if ref:
        return {**_resolved(defs[ref.rsplit("/", 1)[-1]], defs), **own}
    return own


def _type(spec: dict[str, Any], defs: dict[str, Any]) -> str:
    if "anyOf" in spec:
        return " or ".join(_type(_resolved(s, defs), defs) for s in spec["anyOf"])
    if "enum" in spec:
        return f"{WORDS['one_of']}: {', '.join(str(v) for v in spec['enum'])}"
    kind = spec.get("type", "")
    if kind == "string" and spec.get("format") == "date":
        return WORDS["date"]
    if kind == "string":
        low, high = spec.get("minLength", 0), spec.get("maxLength")
        size = f"{low}-{high}" if low and high else f"{WORDS['at_most']} {high}" if high else ""
        return f"{WORDS['text']}, {size} {WORDS['characters']}" if size else WORDS["text"]
    if kind in ("number", "integer"):
        low, high = spec.get("minimum"), spec.get("maximum")
        span = f" {_plain(low)}-{_plain(high)}" if low is not None and high is not None else ""
        return f"{WORDS[kind]}{span}"
    if kind == "array":
        item = _resolved(spec.get("items", {}), defs)
        most = f" ({WORDS['at_most']} {spec['maxItems']})" if "maxItems" in spec else ""
        what = WORDS["objects"] if item.get("type") == "object" else _type(item, defs)
        return f"{WORDS['array']}{most} of {what}"
    return WORDS.get(kind, kind or "any")


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def text(stage: str | None = None) -> str:
    """What a person reads: per stage, each field with its type, whether it is required
    (or its default), its title and description, then the example."""
    blocks = []
    for name, form in forms(stage).items():
        lines = [f"{name} ({WORDS['answer'].format(stage=name)})"]
        for field in form["fields"]:
            lines.append(f"  {field['name']}: {field['type']}; {_need(field)}")
            about = " — ".join(p for p in (field["title"], field["description"]) if p)
            lines += textwrap.wrap(about, 88, initial_indent="      ",
                                   subsequent_indent="      ")
        lines.append(f"  {WORDS['example']}:")
        lines += [f"    {line}" for line in _json(form["example"]).splitlines()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _need(field: dict[str, Any]) -> str:
    if field["required"]:
        return WORDS["required"]
    if "default" not in field:
        return WORDS["optional"]
    return f"{WORDS['default']} {json.dumps(field['default'], ensure_ascii=False)}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def readme_section() -> str:
    """The README's examples, one per stage, between the BEGIN and END markers."""
    parts = [BEGIN]
    for name, example in examples().items():
        parts += ["", f"`{name}`:", "", "```json", _json(example), "```"]
    return "\n".join([*parts, "", END])


def write_readme(path: Path) -> bool:
    """Replace the section between the markers in `path`; True if the file changed."""
    old = path.read_text(encoding="utf-8")
    start, end = old.find(BEGIN), old.find(END)
    if start < 0 or end < start:
        raise InputError(f"{path}: no section between {BEGIN!r} and {END!r}")
    new = old[:start] + readme_section() + old[end + len(END):]
    path.write_text(new, encoding="utf-8")
    return new != old


if __name__ == "__main__":
    for given in sys.argv[1:] or ["README.md"]:
        print(f"{given}: {'rewritten' if write_readme(Path(given)) else 'unchanged'}")
