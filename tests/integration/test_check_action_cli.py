"""`complaints check-action` refuses, in one line and exit 2, what it cannot take."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from cli.main import main
from models.actions import Action
from models.store import actions as store
from models.store import migrate, repo, transaction
from tasks.runtime import policy, settings
from tests.factories import make_intake


def an_action_not_yet_due() -> int:
    migrate(settings().store_url)
    now = datetime.now(UTC)
    with transaction(settings().store_url) as session:
        case, _ = repo.create_case(
            session, intake=make_intake(external_ref=f"CLI-{uuid.uuid4().hex[:6]}",
                                        received_at=now.isoformat()),
            received_at=now, now=now, day="20261126", actor="test")
        [row] = store.add_actions(
            session, case=case, corrective=[], at=now, calendar=policy().calendar,
            preventive=[Action(what="Parts desk tests 1 in 10 screens of each batch",
                               owner="Wu Hao", due=date(2026, 12, 20) + timedelta(days=1),
                               check="Weekly log of tested screens")])
        return row.id


@pytest.mark.parametrize(("args", "said"), [
    (["--done", "yes", "--effective", "yes", "--by", "Wu Hao"], "is not asked for yet (due "
                                                                "2026-12-21 18:00"),
    (["--done", "no", "--effective", "yes", "--by", "Wu Hao"],
     "--effective: an action that was not done cannot have worked; answer no"),
    (["--done", "yes", "--effective", "yes", "--by", "  "], "--by: String should have at "
                                                           "least 1 character"),
])
def test_check_action_refuses_in_one_line(args: list[str], said: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    action_id = an_action_not_yet_due()
    assert main(["check-action", str(action_id), *args]) == 2
    line = capsys.readouterr().err
    assert line.startswith("complaints check-action: ") and said in line
    assert len(line.strip().splitlines()) == 1


def test_an_unknown_action_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    migrate(settings().store_url)
    assert main(["check-action", "987654", "--done", "yes", "--effective", "no",
                 "--by", "Wu Hao"]) == 2
    assert capsys.readouterr().err.strip() == "complaints check-action: action: no action 987654"
