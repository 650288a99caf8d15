"""The action-check deployment asks the owner of a due action, once; the answer is kept."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from prefect import get_client
from prefect.deployments import run_deployment

from cli.actions import check_action
from models.actions import Action
from models.errors import WrongStage
from models.store import actions as store
from models.store import repo, transaction
from models.store.db import OutboxRow
from tasks.runtime import policy, settings
from tests.factories import make_intake
from tests.flows.driver import flow_run, until

pytestmark = pytest.mark.prefect_server


def closed_case_with_a_due_action() -> tuple[str, int]:
    now = datetime.now(UTC)
    with transaction(settings().store_url) as session:
        case, _ = repo.create_case(
            session, intake=make_intake(external_ref=f"ACT-{uuid.uuid4().hex[:6]}",
                                        received_at=(now - timedelta(days=20)).isoformat()),
            received_at=now - timedelta(days=20), now=now, day="20261101", actor="test")
        case.status, case.stage, case.department, case.tier = "closed", "closed", "service", "C"
        [row] = store.add_actions(
            session, case=case, preventive=[], at=now, calendar=policy().calendar,
            corrective=[Action(what="前台6名员工做退款流程培训并考试", owner="王芳",
                               due=date.today() - timedelta(days=2),
                               check="抽查20笔退款，差错为零")])
        return case.number, row.id


def action_row(action_id: int) -> Any:
    with transaction(settings().store_url) as session:
        return store.get_action(session, action_id=action_id)


def paused_at(run_id: str, pause_key: str) -> bool:
    state = flow_run(run_id).state
    return bool(state and state.is_paused() and state.state_details.pause_key == pause_key)


def test_a_due_action_is_asked_once_and_its_owners_answer_is_kept(served: Any) -> None:
    number, action_id = closed_case_with_a_due_action()
    check = run_deployment("action-check/action-check", timeout=120)
    assert check.state is not None and check.state.is_completed()
    run_id = until(lambda: action_row(action_id).flow_run_id, "the action was never asked")
    until(lambda: paused_at(run_id, f"action-{action_id}"), "the review never suspended")
    assert flow_run(run_id).name == f"{number} · action {action_id}"
    with transaction(settings().store_url) as session:
        [message] = [m for m in session.query(OutboxRow).filter_by(ref=f"action-{action_id}")]
        assert (message.purpose, message.role) == ("action_due", "handler")
        assert "王芳" in message.text and "退款流程培训" in message.text

    # An answer that contradicts itself, as the UI form could send it: asked again.
    with get_client(sync_client=True) as client:
        client.resume_flow_run(UUID(run_id), run_input={
            "checked_by": "王芳", "done": "no", "effective": "yes", "note": ""})
    until(lambda: paused_at(run_id, f"action-{action_id}--2"), "the form was not asked again")
    assert action_row(action_id).checked_at is None

    assert check_action(action_id, done="yes", effective="no", by="王芳",
                        note="培训已完成；抽查仍有1笔差错") == {"action": action_id,
                                                               "resumed": True}
    row = until(lambda: (r := action_row(action_id)).checked_at and r, "answer never stored")
    assert (row.done, row.effective, row.checked_by) == (1, 0, "王芳")
    with transaction(settings().store_url) as session:
        events = repo.events_of(session, case=repo.find_case(session, number=number))
        assert [(e.kind, e.data["done"], e.data["effective"]) for e in events
                if e.kind == "action_checked"] == [("action_checked", True, False)]
    with pytest.raises(WrongStage, match=f"action {action_id} was checked already "
                                         "\\(by 王芳 at"):
        check_action(action_id, done="yes", effective="yes", by="Someone else")

    again = run_deployment("action-check/action-check", timeout=120)
    assert again.state is not None and again.state.result() == {"asked": 0}
