"""The store side of action checks: find the actions due, ask each owner once, keep the
answer. Called by flows/action_check.py (and the CLI's `check-action`).

Asking is idempotent end to end: the review run is created with the idempotency key
`action-<id>`, so a second action-check (overlapping, or after a crash between the two
steps) gets the same run back from Prefect; marking the action asked and queueing the
owner's message is one transaction only one runner wins.
"""

from __future__ import annotations

from typing import Any

from models.actions import ActionCheck
from models.errors import WrongStage
from models.rules import local_text
from models.store import actions as store
from models.store import transaction
from models.store.db import CaseRow
from notifications.outbox import enqueue
from tasks.runtime import now, policy, retrying, settings

REVIEW_DEPLOYMENT = "action-review/action-review"


def due_actions(limit: int) -> list[int]:
    with transaction(settings().store_url) as session:
        return [row.id for row in store.due_unasked(session, now=now(), limit=limit)]


def load_action(action_id: int) -> dict[str, Any]:
    """What the form shows of an action (no customer data), and its answer if it has one."""
    with transaction(settings().store_url) as session:
        row = store.get_action(session, action_id=action_id)
        case = session.get(CaseRow, row.case_id)
        assert case is not None  # a foreign key
        return {"id": row.id, "case": case.number, "case_id": case.id, "kind": row.kind,
                "what": row.what, "owner": row.owner, "check": row.check,
                "due": local_text(row.due_at, policy=policy()),
                "answer": _answer(row) if row.checked_at else None}


def ask_owner(action_id: int) -> int | None:
    """Start the action's review run and tell its owner: the case's id, or None if the
    owner was asked already."""
    from prefect.deployments import run_deployment

    from tasks.operations import START_RETRY_DELAYS, _server_error, run_url

    action = load_action(action_id)
    # as_subflow=False: a run started from a flow must still be able to suspend
    run: Any = retrying(lambda: run_deployment(
        REVIEW_DEPLOYMENT, parameters={"action_id": action_id}, timeout=0, as_subflow=False,
        idempotency_key=f"action-{action_id}", flow_run_name=f"{action['case']} · action "
        f"{action_id}", tags=["complaints", "actions", f"action:{action['kind']}"]),
        delays=START_RETRY_DELAYS, retry_if=_server_error)
    at, rules = now(), policy()
    with transaction(settings().store_url) as session:
        if not store.mark_asked(session, action_id=action_id, flow_run_id=str(run.id), at=at):
            return None
        case = session.get(CaseRow, action["case_id"])
        assert case is not None
        enqueue(session, case=case, purpose="action_due", role="handler",
                ref=f"action-{action_id}", policy=rules, now=at,
                context={"action_kind": action["kind"], "what": action["what"],
                         "owner": action["owner"],
                         "due": store.get_action(session, action_id=action_id).due_at,
                         "check": action["check"], "action_id": action_id,
                         "case_url": run_url(str(run.id))})
        return case.id


def record(action_id: int, answer: ActionCheck) -> dict[str, Any]:
    """Keep the owner's answer; an action answered before keeps its first answer."""
    with transaction(settings().store_url) as session:
        try:
            row = store.record_check(session, action_id=action_id, done=answer.done == "yes",
                                     effective=answer.effective == "yes",
                                     checked_by=answer.checked_by, note=answer.note, at=now())
        except WrongStage:
            row = store.get_action(session, action_id=action_id)
        return _answer(row)


def _answer(row: Any) -> dict[str, Any]:
    return {"action": row.id, "checked_by": row.checked_by, "done": bool(row.done),
            "effective": bool(row.effective), "note": row.note,
            "checked_at": row.checked_at.isoformat(timespec="seconds")}
