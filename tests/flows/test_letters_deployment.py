"""Letters dropped into the inbox become cases; the same letter twice is one case."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from prefect.deployments import run_deployment

from tests.flows.driver import latest_artifact, wait_for

pytestmark = pytest.mark.prefect_server
LETTERS = Path(__file__).resolve().parents[1] / "data" / "letters"


def test_a_letter_dropped_in_the_inbox_opens_a_case_once(served: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"  # not the scheduled runs' inbox: they must not race us
    inbox.mkdir()
    folder = {"folder": str(inbox), "watch_seconds": 0}  # one look, not the interval
    shutil.copy(LETTERS / "chillers_en_html.eml", inbox / "chillers.eml")
    (inbox / "broken.eml").write_bytes(b"not a letter at all")
    first = run_deployment("letters/letters", parameters=folder, timeout=120)
    assert first.state is not None and first.state.is_completed()
    (taken,) = first.state.result()
    assert taken["letter"] == "chillers.eml" and not taken["duplicate"]
    assert (inbox / "done" / "chillers.eml").exists()
    assert "not an e-mail message" in (inbox / "failed" / "broken.eml.txt").read_text()

    story = wait_for(taken["case"], "handover")  # the first form since the handover stage
    assert story["tier"] == "A" and story["channel"] == "email"
    card = latest_artifact(f"case-{taken['case'].lower()}")
    assert "## 来信识别结果" in card and "INV\\-57304" in card

    shutil.copy(LETTERS / "chillers_en_html.eml", inbox / "chillers-again.eml")
    again = run_deployment("letters/letters", parameters=folder, timeout=120)
    assert again.state is not None
    assert again.state.result() == [{"letter": "chillers-again.eml", "case": taken["case"],
                                     "duplicate": True}]
