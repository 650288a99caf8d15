"""When an action of a review is due, its owner says whether it was done and worked.

`action-check` (scheduled, every `actions.check_every_seconds` of the policy) finds the
actions due and not yet asked; for each it starts one `action-review` run and queues a
message to the case's department handler naming the owner. The `action-review` run
suspends at the check form, holding no process, and keeps the answer in the store (an
`action_checked` event on the case); the monthly report counts them. The form asks
again, the refusal at its top, when an answer contradicts itself (not done, but worked).

Its body is re-executed from the top after the resume: an answer already stored ends it
at once, and each suspension's pause key (`action-3`, `action-3--2`, ...) hands back the
answer it was given instead of asking again.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from prefect import flow, get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from pydantic import ValidationError

from flows.forms import describe_action
from models.actions import ActionCheck
from models.form_words import localized, to_keys
from models.problems import Problem, from_validation
from models.stages import pause_key_for
from tasks.actions import ask_owner, due_actions, load_action, record
from tasks.delivery import send_queued
from tasks.runtime import patiently, policy


@flow(name="action-check")
def action_check(limit: int = 200) -> dict[str, int]:
    """Ask the owner of every action due (at most `limit` a run); returns how many."""
    logger = get_run_logger()
    asked = 0
    for action_id in patiently(due_actions, limit):
        case_id = patiently(ask_owner, action_id)
        if case_id is not None:
            asked += 1
            failed = patiently(send_queued, case_id)
            if failed:
                logger.warning("Message of action %s queued, not sent yet: %s", action_id, failed)
    if asked:
        logger.info("Asked the owners of %d action(s).", asked)
    return {"asked": asked}


@flow(name="action-review", persist_result=True)
def action_review(action_id: int) -> dict[str, Any]:
    """Ask whether action `action_id` was done and worked; returns the answer stored."""
    action = patiently(load_action, action_id)
    if action["answer"]:
        return dict(action["answer"])
    problems = list[Problem]()
    for attempt in count(1):
        answer, problems = _ask(action, attempt, problems)
        if answer is not None and not problems:
            return patiently(record, action_id, answer)
    raise AssertionError("unreachable")


def _ask(action: dict[str, Any], attempt: int,
         problems: list[Problem]) -> tuple[ActionCheck | None, list[Problem]]:
    language = policy().staff_language
    form = RunInput.subclass_from_base_model_type(
        localized(ActionCheck, language)).with_initial_data(
        description=describe_action(action, problems, language))
    timeout = int(policy().waiting_limit.total_seconds())
    try:
        given = suspend_flow_run(wait_for_input=form, timeout=timeout,
                                 key=pause_key_for(f"action-{action['id']}", attempt))
        answer = ActionCheck.model_validate(
            to_keys(ActionCheck, given.model_dump(mode="json"), language))
    except ValidationError as exc:  # past the schema, not past the form's own limits
        return None, from_validation(exc)
    return answer, answer.problems()
