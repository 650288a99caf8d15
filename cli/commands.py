"""What the `complaints` commands do; `cli.main` parses arguments and reports errors.

Each command returns a JSON-able dict. Errors a user can cause are `InputError`s (or
`CaseNotFound` / `WrongStage`) whose message names the field and what is allowed.
"""

from __future__ import annotations

import os
import time
from typing import Any

from models.errors import InputError, WrongStage
from models.privacy import mask_email, mask_name, mask_phone
from models.problems import one_line
from models.stages import FORMS, form_of_pause, templated
from models.store import migrate, repo, transaction
from tasks.intake_files import read_complaint, read_json
from tasks.operations import run_url, submit_intake
from tasks.runtime import policy, settings


def submit(path: str, *, by: str = "") -> dict[str, Any]:
    from cli.desk import DeskNotUp, answers, serving

    intake, letter = read_complaint(path, taken_by=by.strip())
    api = os.environ.get("PREFECT_API_URL", "")
    # Before anything is stored: never a case without its run.
    if not answers(api):
        raise DeskNotUp(f"the desk is not up: {api or 'no PREFECT_API_URL'} does not answer; "
                        "nothing was stored")
    if not serving(api, settings().deployment, auth=os.environ.get("PREFECT_API_AUTH_STRING", "")):
        raise DeskNotUp(f"the desk is not up: {api} answers, but nothing serves the "
                        f"{settings().deployment} deployment there; nothing was stored")
    migrate(settings().store_url)
    extracted = ({"reasons": letter.reasons, "references": letter.references,
                  "attachments": letter.attachments} if letter else None)
    return submit_intake(intake, actor=intake.taken_by, letter=extracted)


def respond(number: str, stage: str, path: str, *, wait_seconds: float = 20) -> dict[str, Any]:
    """Answer the stage form a case waits for, as the UI form would: for that form only."""
    from tasks.stages import judge_answer

    if stage not in FORMS:
        raise InputError(f"stage: {stage!r} is not one of {', '.join(FORMS)}")
    answer = read_json(path)
    where = templated(answer)
    if where:  # the form's field, as the form names it
        raise InputError(f"{where.split('.')[0]}: template objects (__prefect_kind) are "
                         "not allowed; give the value itself")
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        if case.status != "open":
            raise WrongStage(f"stage: case {number} is {case.status}; it waits for nothing")
        waiting = case.waiting_for.split("-")[0]
        if not case.waiting_for or waiting != stage:
            now_doing = case.waiting_for or f"its {case.stage} stage to run"
            raise WrongStage(f"stage: case {number} waits for {now_doing}, not {stage}")
        key, run_id = case.waiting_for, case.flow_run_id
        if answer.get("form_key") not in (None, "", key):
            raise WrongStage(f"form_key: case {number} waits for form {key}, "
                             f"not {answer['form_key']}")
        _form, problems = judge_answer(session, case, stage, answer, policy())
    if problems:  # the CLI speaks English, as its options do
        raise InputError(one_line(problems, "en", FORMS[stage]))
    _resume(number, key, run_id, {**answer, "form_key": key}, wait_seconds)
    return {"case": number, "stage": stage, "key": key, "resumed": True}


def _resume(number: str, key: str, run_id: str | None, answer: dict[str, Any],
            wait: float) -> None:
    """Resume the run with the answer while it is suspended at this form; refuse it once
    the form has been answered (by someone else) or the case has moved on."""
    from prefect import get_client

    deadline = time.monotonic() + wait
    with get_client(sync_client=True) as client:
        while True:
            why = _try_resume(client, number, key, run_id, answer)
            if not why:
                return
            # The run records that it waits a moment before Prefect shows it suspended.
            if time.monotonic() > deadline:
                raise InputError(f"stage: the case's flow run cannot take input now: {why}")
            time.sleep(0.5)


def _try_resume(client: Any, number: str, key: str, run_id: str | None,
                answer: dict[str, Any]) -> str:
    """'' once the run took this answer; else why not yet (WrongStage once it never will)."""
    from uuid import UUID

    import httpx
    from prefect.client.schemas.responses import SetStateStatus

    if not run_id:
        return "the case has no flow run"
    state = client.read_flow_run(UUID(run_id)).state
    paused = state is not None and state.is_paused()
    at_form = paused and form_of_pause(str(state.state_details.pause_key or "")) == key
    why = "its flow run is not suspended at this form"
    if at_form:
        try:
            result = client.resume_flow_run(UUID(run_id), run_input=answer)
        except httpx.HTTPStatusError as exc:  # e.g. another answer stored at the same moment
            result, why = None, f"Prefect answered {exc.response.status_code}"
        # Prefect's own resume_flow_run returns None on ABORT too: only ACCEPT took it.
        if result is not None and result.status == SetStateStatus.ACCEPT:
            return ""
        if result is not None:
            why = str(getattr(result.details, "reason", "") or result.status.value)
    _refuse_if_answered(client, number, key, run_id, paused_elsewhere=paused and not at_form)
    return why


def _refuse_if_answered(client: Any, number: str, key: str, run_id: str, *,
                        paused_elsewhere: bool) -> None:
    from uuid import UUID

    from tasks.stages import for_form, form_inputs

    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        step = repo.get_step(session, case=case, key=key)
        moved_on = case.waiting_for != key
    gone = f"case {number} is no longer waiting for {key}"
    if step is not None:
        raise WrongStage(f"stage: {gone} (answered by {step.actor} at "
                         f"{step.at.isoformat(timespec='seconds')})")
    given, _used = form_inputs(client, UUID(run_id), key)
    if paused_elsewhere or moved_on or any(for_form(value, key) for _, value in given):
        raise WrongStage(f"stage: {gone} (answered by another person just now)")


def show(number: str, *, reveal: bool = False) -> dict[str, Any]:
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        from models.store.story import story

        told = story(session, case, reveal=reveal,
                     maskers=(mask_name, mask_phone, mask_email), url=run_url(case.flow_run_id))
    return {**told, "reasons_text": _reasons_text(told)}


def _reasons_text(told: dict[str, Any]) -> list[str]:
    """The judgment's reasons in the staff's language, beside the data they are kept as."""
    from models.reasons import render_all
    from tasks.runtime import policy

    return render_all(policy().staff_language, told.get("reasons"))


def clocks(number: str) -> list[dict[str, Any]]:
    """Each clock: name, round, due, paused seconds, outcome, met_at, its escalations."""
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        from models.store.story import clock_list

        return clock_list(session, case)
