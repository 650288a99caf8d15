"""The human stages: a form's answer is stored first, then the stage's effects happen.

`answer_stage` runs two transactions. The first keeps the answer as given (or the reasons
it is refused, as data: models/problems.py), so a rerun never asks a person twice. The
second applies the stage: events, clocks, queued messages, and a `<key>/done` step, all
or nothing, so no effect happens twice however often the task is retried or the flow
replayed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import ValidationError
from sqlalchemy.orm import Session

from models.policy import Policy
from models.problems import Problem, from_validation
from models.rules import local_text
from models.stages import FORMS, StageForm, StageRules, attempt_of_pause
from models.store import repo, transaction
from models.store.db import CaseRow
from tasks import effects
from tasks.hooks import task_failed
from tasks.runtime import now, policy, settings

Handler = Callable[[Session, CaseRow, Any, str, datetime, Policy], None]
HANDLERS: dict[str, Handler] = {
    "handover": effects.handover,
    "investigation": effects.investigation,
    "solution": effects.solution,
    "choice": effects.choice,
    "execution": effects.execution,
    "deferral": effects.deferral,
    "callback": effects.callback,
    "review": effects.review,
}


@task(name="stage", cache_policy=NO_CACHE, persist_result=True, on_failure=[task_failed])
def answer_stage(number: str, *, stage: str, key: str, answer: dict[str, Any]) -> dict[str, Any]:
    """{"accepted": bool, "problems": [problem, ...], "answer": {...}} for one form answer."""
    rules, at, url = policy(), now(), settings().store_url
    with transaction(url) as session:
        case = repo.find_case(session, number=number, for_update=True)
        step = repo.get_step(session, case=case, key=key)
        if step is None:
            form, problems = judge_answer(session, case, stage, answer, rules)
            payload = (form.model_dump(mode="json", exclude={"form_key"}) if form
                       else {"given": answer})
            status = "refused" if problems else "answered"
            step, _ = repo.save_step(session, case=case, key=key, stage=stage, status=status,
                                     payload={**payload, "problems": problems},
                                     actor=str(answer.get("answered_by") or "unknown"), at=at)
            kind = "answer_refused" if problems else "answered"
            repo.record_event(session, case=case, kind=kind, actor=step.actor, at=at, step=key,
                              stage=stage, problems=problems)
            case.waiting_for = ""
            resumed = repo.resume_clocks(session, case=case, at=at)
            if resumed:
                repo.record_event(session, case=case, kind="clocks_resumed", actor="system",
                                  at=at, step=key, clocks=resumed)
        result = {"accepted": step.status == "answered", "answer": step.payload,
                  "problems": step.payload.get("problems", [])}
    if result["accepted"]:
        _apply(url, number, stage, key, rules)
    return result


def _apply(url: str, number: str, stage: str, key: str, rules: Policy) -> None:
    at = now()
    with transaction(url) as session:
        case = repo.find_case(session, number=number, for_update=True)
        if repo.get_step(session, case=case, key=f"{key}/done") is not None:
            return
        step = repo.get_step(session, case=case, key=key)
        assert step is not None
        form = FORMS[stage].model_validate(_form_fields(step.payload))
        HANDLERS[stage](session, case, form, key, at, rules)
        repo.save_step(session, case=case, key=f"{key}/done", stage=stage, status="done",
                       payload={}, actor="system", at=at)


def judge_answer(
    session: Session, case: CaseRow, stage: str, answer: dict[str, Any], rules: Policy,
) -> tuple[StageForm | None, list[Problem]]:
    """Validate an answer against its form and the rules; the problems name each field."""
    try:
        form = FORMS[stage].model_validate(answer)
    except ValidationError as exc:
        return None, from_validation(exc, stage)
    return form, form.problems(rules=stage_rules(session, case, rules))


def stage_rules(session: Session, case: CaseRow, rules: Policy) -> StageRules:
    judgment = case.judgment or {}
    offered = repo.get_step(session, case=case, key=f"offer-{case.round}")
    options = len(offered.payload.get("options", [])) if offered else 0
    at = now()
    handlers = repo.handlers_of(session, case=case)
    missed = [e.at for e in repo.events_of(session, case=case)
              if e.kind == "callback_not_reached" and e.data.get("round") == case.round]
    retry_from = max(missed) + rules.callback.retry_after if missed else None
    return StageRules(
        vague_actions=rules.actions.vague_phrases, filler_words=rules.actions.filler_words,
        max_options=rules.max_options, min_options=int(judgment.get("needs_options", 1)),
        options_offered=options, departments=list(rules.departments),
        department=case.department, rejections=case.rejections,
        invalid_is_irrational=rules.tier("D").level == "irrational",
        valid=case.validity != "invalid", handlers=handlers,
        today=at.astimezone(ZoneInfo(rules.calendar.timezone)).date(), now=at,
        next_callback_from=retry_from,
        next_callback_text=local_text(retry_from, policy=rules) if retry_from else "")


def _form_fields(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "problems"}


def form_inputs(client: Any, run_id: UUID, key: str) -> tuple[list[tuple[str, Any]], set[str]]:
    """What Prefect holds for one form of a run: the answers given (oldest suspension
    first, as (pause key, value)) and every pause key its suspensions used."""
    pattern = re.compile(rf"suspended-({re.escape(key)}(?:--\d+)?)-(schema|description|response)")
    found = client.filter_flow_run_input(flow_run_id=run_id, key_prefix=f"suspended-{key}",
                                         limit=1000, exclude_keys=set())
    used, given = set[str](), list[tuple[str, Any]]()
    for item in found:
        match = pattern.fullmatch(item.key)
        if match:
            used.add(match[1])
            if match[2] == "response":
                given.append((match[1], item.decoded_value))
    return sorted(given, key=lambda g: attempt_of_pause(g[0])), used


def for_form(value: Any, key: str) -> dict[str, Any] | None:
    """The answer in `value` if it is meant for form `key` (an answer naming no form is
    taken as meant for the form that was waiting); None if it is for another or no answer."""
    if isinstance(value, dict) and value.get("form_key") in (None, "", key):
        return {k: v for k, v in value.items() if k != "form_key"}
    return None
