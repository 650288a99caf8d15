"""How well the letter reader reads (issue #14, 4): every letter labelled in
tests/data/letters/labels.yaml is read and compared, field by field, with what a person
found in it. Each field must be right in at least 90 % of the letters.

The table is printed (pytest -s) as markdown for the README; so does
`.venv/bin/python -m tests.unit.test_letter_accuracy`. The held-out column counts the
letters never used to tune models/lexicon.yaml: the fairer guess for letters to come.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.intake import Category, Intake
from models.letters import read_letter

LETTERS = Path(__file__).resolve().parents[1] / "data" / "letters"
FIELDS = ("category", "emotion", "threatening", "claimed_loss")
TITLES = {"category": "Category", "emotion": "Emotion", "threatening": "Threatening",
          "claimed_loss": "Claimed loss (exact)"}
LEAST = 0.90


@dataclass(frozen=True)
class Row:
    name: str
    language: str
    holdout: bool
    right: dict[str, bool]


def labels() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = yaml.safe_load(
        (LETTERS / "labels.yaml").read_text(encoding="utf-8"))
    return loaded


@cache
def rows() -> tuple[Row, ...]:
    read = []
    for name, want in labels().items():
        intake = Intake.model_validate(read_letter((LETTERS / name).read_bytes()).intake)
        got = {"category": intake.category.value, "emotion": intake.emotion.value,
               "threatening": intake.threatening, "claimed_loss": intake.claimed_loss}
        right = {f: got[f] == want[f] for f in FIELDS if f != "claimed_loss"}
        right["claimed_loss"] = abs(got["claimed_loss"] - float(want["claimed_loss"])) < 0.005
        read.append(Row(name, intake.customer.language.value, bool(want.get("holdout")), right))
    return tuple(read)


def share(selected: list[Row], field: str) -> str:
    right = sum(row.right[field] for row in selected)
    return f"{right}/{len(selected)} ({right / len(selected):.0%})".replace("%", " %")


def markdown(read: tuple[Row, ...]) -> str:
    columns = [("All letters", list(read)),
               ("Chinese", [r for r in read if r.language == "zh"]),
               ("English", [r for r in read if r.language == "en"]),
               ("Held out", [r for r in read if r.holdout])]
    lines = ["| Field | " + " | ".join(f"{title} ({len(rs)})" for title, rs in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    lines += [f"| {TITLES[f]} | " + " | ".join(share(rs, f) for _, rs in columns) + " |"
              for f in FIELDS]
    return "\n".join(lines)


def test_the_sample_is_at_least_40_letters_in_both_languages_and_every_category() -> None:
    named = labels()
    assert len(named) >= 40
    assert {f.name for f in LETTERS.glob("*.eml")} == set(named)  # each letter labelled
    assert {label["category"] for label in named.values()} == {c.value for c in Category}
    assert {row.language for row in rows()} == {"zh", "en"}
    assert any(label["claimed_loss"] for label in named.values())
    assert any(not label["claimed_loss"] for label in named.values())


@pytest.mark.parametrize("field", FIELDS)
def test_each_field_is_read_right_in_at_least_90_percent_of_the_letters(field: str) -> None:
    read = rows()
    table = markdown(read)
    if field == FIELDS[0]:
        print("\n" + table)
    wrong = [row.name for row in read if not row.right[field]]
    assert 1 - len(wrong) / len(read) >= LEAST, f"{field} wrong in {wrong}\n{table}"


if __name__ == "__main__":
    print(markdown(rows()))
