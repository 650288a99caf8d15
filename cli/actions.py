"""`complaints check-action`: answer an action's check form from a shell, as the form in
the UI would, while its action-review run waits for it; refused once it was answered."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from models.actions import ActionCheck
from models.errors import InputError, WrongStage
from models.problems import texts
from models.rules import local_text
from models.stages import form_of_pause
from models.store import actions as store
from models.store import transaction
from tasks.runtime import policy, settings


def check_action(action_id: int, *, done: str, effective: str, by: str, note: str = "",
                 wait_seconds: float = 20) -> dict[str, Any]:
    try:
        answer = ActionCheck.model_validate(
            {"checked_by": by, "done": done, "effective": effective, "note": note})
    except ValidationError as exc:
        raise InputError("; ".join(f"{_option(e['loc'])}: {e['msg']}"
                                   for e in exc.errors())) from None
    if answer.problems():
        raise InputError("; ".join(f"--{line}" for line in texts(answer.problems(), "en")))
    run_id = _waiting_run(action_id)
    deadline = time.monotonic() + wait_seconds
    while True:
        why = _try_resume(run_id, action_id, answer.model_dump(mode="json"))
        if not why:
            return {"action": action_id, "resumed": True}
        _waiting_run(action_id)  # answered meanwhile: refused with who and when
        if time.monotonic() > deadline:  # the run shows Suspended a moment after it starts
            raise InputError(f"action: its check run cannot take an answer now: {why}")
        time.sleep(0.5)


def _option(loc: tuple[Any, ...]) -> str:
    name = str(loc[0]) if loc else "answer"
    return {"checked_by": "--by"}.get(name, f"--{name}")


def _waiting_run(action_id: int) -> str:
    """The id of the run that asks for this action's check; refused if none does."""
    with transaction(settings().store_url) as session:
        row = store.get_action(session, action_id=action_id)
        if row.checked_at is not None:
            raise WrongStage(store.already_checked(row))
        if row.asked_at is None or not row.flow_run_id:
            due = local_text(row.due_at, policy=policy())
            raise WrongStage(f"action: action {action_id} is not asked for yet (due {due}); "
                             "its owner is asked once it is due")
        return row.flow_run_id


def _try_resume(run_id: str, action_id: int, answer: dict[str, Any]) -> str:
    """'' once the run took the answer, else why not (yet)."""
    import httpx
    from prefect import get_client
    from prefect.client.schemas.responses import SetStateStatus

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(run_id)).state
        if state is None or not state.is_paused():
            return f"its run is {state.name if state else 'not started'}, not waiting"
        if form_of_pause(str(state.state_details.pause_key or "")) != f"action-{action_id}":
            return "its run waits for another form"
        try:
            result = client.resume_flow_run(UUID(run_id), run_input=answer)
        except httpx.HTTPStatusError as exc:
            return f"Prefect answered {exc.response.status_code}"
    if result is not None and result.status == SetStateStatus.ACCEPT:
        return ""
    return str(getattr(getattr(result, "details", None), "reason", "") or "refused")
