"""What the `complaints` commands do; `cli.main` parses arguments and reports errors.

Each command returns a JSON-able dict. Errors a user can cause are `InputError`s (or
`CaseNotFound` / `WrongStage`) whose message names the field and what is allowed.
"""

from __future__ import annotations

import time
from typing import Any

from models import repo
from models.errors import InputError, WrongStage
from models.privacy import mask_email, mask_name, mask_phone
from models.stages import FORMS
from models.store import migrate, transaction
from models.triage import triage, triage_json
from tasks.intake_files import read_complaint, read_json
from tasks.operations import run_url, submit_intake
from tasks.runtime import now, policy, settings


def triage_file(path: str) -> dict[str, Any]:
    intake, letter = read_complaint(path)
    judged = triage_json(triage(intake, policy=policy(), received_at=intake.received(now())))
    if letter is None:
        return judged
    return {**judged, "intake": {
        "customer": intake.customer.model_dump(mode="json"), "category": intake.category.value,
        "emotion": intake.emotion.value, "threatening": intake.threatening,
        "claimed_loss": intake.claimed_loss, "references": letter.references,
        "attachments": letter.attachments, "reasons": letter.reasons}}


def submit(path: str) -> dict[str, Any]:
    intake, letter = read_complaint(path)
    migrate(settings().store_url)
    extracted = ({"reasons": letter.reasons, "references": letter.references,
                  "attachments": letter.attachments} if letter else None)
    return submit_intake(intake, actor="cli", letter=extracted)


def respond(number: str, stage: str, path: str, *, wait_seconds: float = 20) -> dict[str, Any]:
    """Answer the stage form a case waits for, as the UI form would."""
    from prefect.flow_runs import resume_flow_run

    from tasks.stages import judge_answer

    if stage not in FORMS:
        raise InputError(f"stage: {stage!r} is not one of {', '.join(FORMS)}")
    answer = read_json(path)
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        if case.status != "open":
            raise WrongStage(f"stage: case {number} is {case.status}; it waits for nothing")
        waiting = case.waiting_for.split("-")[0]
        if not case.waiting_for or waiting != stage:
            now_doing = case.waiting_for or f"its {case.stage} stage to run"
            raise WrongStage(f"stage: case {number} waits for {now_doing}, not {stage}")
        _form, problems = judge_answer(session, case, stage, answer, policy())
        key, run_id = case.waiting_for, case.flow_run_id
    if problems:
        raise InputError("; ".join(problems))
    _resume(run_id, answer, resume_flow_run, wait_seconds)
    return {"case": number, "stage": stage, "key": key, "resumed": True}


def _resume(run_id: str | None, answer: dict[str, Any], resume: Any, wait: float) -> None:
    from prefect.exceptions import PrefectException

    deadline = time.monotonic() + wait
    while True:
        try:
            resume(run_id, run_input=answer)
            return
        except (PrefectException, RuntimeError) as exc:
            # The run records that it waits a moment before Prefect shows it paused.
            if time.monotonic() > deadline:
                raise InputError(
                    f"stage: the case's flow run cannot take input now: {exc}") from None
            time.sleep(0.5)


def show(number: str, *, reveal: bool = False) -> dict[str, Any]:
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        from models.story import story

        return story(session, case, reveal=reveal,
                     maskers=(mask_name, mask_phone, mask_email), url=run_url(case.flow_run_id))


def clocks(number: str) -> list[dict[str, Any]]:
    """Each clock: name, round, due, paused seconds, outcome, met_at, its escalations."""
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        from models.story import clock_list

        return clock_list(session, case)
