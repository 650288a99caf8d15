"""The first-contact person (首问责任人) of a complaint: the intake file's `taken_by`,
`complaints submit --by` over it, and the inbox's owner from the policy for a letter."""

from __future__ import annotations

import json
from pathlib import Path

from tasks.intake_files import read_complaint
from tasks.runtime import policy
from tests.factories import make_intake

LETTER = Path(__file__).parents[1] / "data" / "letters" / "aircon_zh.eml"


def intake_file(tmp_path: Path, **changes: object) -> str:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({**make_intake().model_dump(mode="json"), **changes}))
    return str(path)


def test_the_intake_files_taken_by_is_the_first_contact(tmp_path: Path) -> None:
    intake, letter = read_complaint(intake_file(tmp_path, taken_by="Zhao Lei"))
    assert intake.taken_by == "Zhao Lei" and letter is None


def test_submit_by_names_the_first_contact_over_the_file(tmp_path: Path) -> None:
    intake, _ = read_complaint(intake_file(tmp_path, taken_by="Zhao Lei"), taken_by="Wu Fang")
    assert intake.taken_by == "Wu Fang"


def test_a_letters_first_contact_is_the_inbox_owner_unless_given() -> None:
    owner = policy().intake.letters_taken_by
    assert owner
    intake, letter = read_complaint(str(LETTER))
    assert letter is not None and intake.taken_by == owner
    intake, _ = read_complaint(str(LETTER), taken_by="Wu Fang")
    assert intake.taken_by == "Wu Fang"
