"""What the `complaints` commands do; `cli.main` parses arguments and reports errors.

Each command returns a JSON-able dict. Errors a user can cause are `InputError`s (or
`CaseNotFound` / `WrongStage`) whose message names the field and what is allowed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models import repo
from models.errors import InputError, WrongStage
from models.intake import Intake
from models.privacy import mask_email, mask_name, mask_phone
from models.stages import FORMS
from models.store import migrate, transaction
from models.triage import triage, triage_json
from tasks.operations import case_link, run_url, start_run
from tasks.runtime import now, policy, settings


def read_json(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: must hold one JSON object")
    return data


def parse_intake(data: dict[str, Any]) -> Intake:
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise InputError(first_error(exc)) from None


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "(top)"
    message = error["msg"].removeprefix("Value error, ")
    allowed = error.get("ctx", {}).get("expected")
    return f"{where}: {message}" + (f" (allowed: {allowed})" if allowed and
                                    "Input should be" not in message else "")


def triage_file(path: str) -> dict[str, Any]:
    intake = parse_intake(read_json(path))
    return triage_json(triage(intake, policy=policy(), received_at=intake.received(now())))


def submit(path: str) -> dict[str, Any]:
    from tasks.cases import create_from_intake

    intake = parse_intake(read_json(path))
    url = settings().store_url
    migrate(url)
    number, created = create_from_intake(intake, actor="cli")
    if not created:
        return {**case_link(number), "duplicate": True}
    tier = triage(intake, policy=policy(), received_at=intake.received(now())).tier.value
    started = start_run(number, tier, intake.model_dump(mode="json"))
    return {**started, "tier": started["tier"] or tier, "duplicate": False}


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
