"""How a flow run drives one case: replay from the store, wait for forms, deliver.

`CaseRun.stage()` is the one place a human stage happens: an answer already stored is
used as it is; otherwise an answer Prefect already holds for the form is taken, or the
run suspends with the stage's form, and the answer goes to `answer_stage`. A form (keyed
by the step) may be shown more than once (a rerun, an answer meant for another form):
each suspension gets a pause key of its own (`investigation`, `investigation--2`, ...),
since Prefect refuses a used one. Every form carries its key, so an answer for another
form is never applied to it; a missing input is never an answer.
A refused answer, an intermediate result or a review not approved asks again with the
next attempt key (`review`, `review-retry2`, ...; Prefect allows only letters, digits
and dashes in input keys), the refusal shown at the top of the form.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any
from uuid import UUID

from prefect import get_client, get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from prefect.input.actions import read_flow_run_input
from prefect.runtime import flow_run
from pydantic import BaseModel, Field, ValidationError, create_model

from flows.forms import describe
from models.form_words import localized, offered_words, to_keys
from models.privacy import mask_intake
from models.problems import Problem
from models.stages import FORMS, attempt_of_pause, form_of_pause, pause_key_for
from models.store import repo, transaction
from tasks.artifacts import publish_case_card
from tasks.cases import load_steps, mark_waiting
from tasks.delivery import deliver
from tasks.forms import form_view
from tasks.runtime import patiently, policy, settings, task_options
from tasks.stages import answer_stage, for_form, form_inputs


def known_case(flow_run_id: str) -> str:
    """The number of the case this run already drives, or ''."""
    with transaction(settings().store_url) as session:
        case = repo.case_by(session, flow_run_id=flow_run_id)
        return case.number if case else ""


class CaseRun:
    def __init__(self, number: str, info: dict[str, Any], steps: dict[str, dict[str, Any]]):
        self.number, self.info, self.steps = number, info, steps

    @classmethod
    def load(cls, number: str) -> CaseRun:
        with transaction(settings().store_url) as session:
            case = repo.find_case(session, number=number)
            info = {"tier": case.tier, "department": case.department, "channel": case.channel,
                    "subject": case.subject, "judgment": case.judgment or {},
                    "close_kind": case.close_kind}
        return cls(number, info, load_steps(number))

    @property
    def judged(self) -> bool:
        return "judgment" in self.steps

    def close_kind(self) -> str:
        with transaction(settings().store_url) as session:
            return repo.find_case(session, number=self.number).close_kind

    def options(self) -> dict[str, Any]:
        return task_options(policy().task_options(self.info["tier"] or None))

    def stage(self, stage: str, base: str,
              until: Callable[[dict[str, Any]], bool] | None = None,
              notice: str = "") -> dict[str, Any]:
        """The accepted answer of form `base` (asked again while refused, or while `until`
        says no); `notice` is shown above the form, e.g. why it is asked again."""
        attempt, problems = 1, list[Problem | str]()
        while True:
            key = base if attempt == 1 else f"{base}-retry{attempt}"
            step = self.steps.get(key)
            if step is None or (step["status"] == "answered" and f"{key}/done" not in self.steps):
                answer = step["payload"] if step else self.wait(stage, key, problems, notice)
                result = answer_stage.with_options(
                    name=stage, task_run_name=f"{stage} · {key}", **self.options(),
                )(self.number, stage=stage, key=key, answer=answer)
                step = {"status": "answered" if result["accepted"] else "refused",
                        "payload": result["answer"]}
                self.steps[key] = step
                if result["accepted"]:
                    self.steps[f"{key}/done"] = {"status": "done", "payload": {}}
                self.deliver()
            if step["status"] == "answered" and (until is None or until(step["payload"])):
                return step["payload"]
            problems = step["payload"].get("problems", []) or [_not_final(stage)]
            attempt += 1

    def wait(self, stage: str, key: str, problems: list[Problem | str],
             notice: str) -> dict[str, Any]:
        if patiently(mark_waiting, self.number, stage=stage, key=key):
            # first time at this form: nothing answered yet
            patiently(publish_case_card, self.number)
        run_id = UUID(str(flow_run.get_id()))
        given, used = _held(run_id, key)
        for pause_key, value in given:
            # Answered already (Retry, a rerun, or the resume that restarted this run):
            # take it instead of asking again; an answer meant for another form is not.
            answer = for_form(value, key)
            if answer is not None:
                return answer
            if pause_key == max(used, key=attempt_of_pause):
                get_run_logger().warning("An answer for another form reached form %s; "
                                         "it is not applied, the form is asked again.", key)
        return self.ask(stage, key, problems, used, notice)

    def ask(self, stage: str, key: str, problems: list[Problem | str], used: set[str],
            notice: str) -> dict[str, Any]:
        """Suspend at the form under a pause key this run has not used: Prefect refuses a
        used one and hands back an input that was never given."""
        view = patiently(form_view, self.number)
        offered = _offered(stage, view)
        form = _form(stage, key, describe(stage, view, problems, policy(), notice),
                     offered=offered)
        language = policy().staff_language
        timeout = int(policy().waiting_limit.total_seconds())
        for _ in range(3):
            pause_key = pause_key_for(key, 1 + max(map(attempt_of_pause, used), default=0))
            used.add(pause_key)
            try:
                given: Any = suspend_flow_run(wait_for_input=form, key=pause_key,
                                              timeout=timeout).model_dump(mode="json")
            except ValidationError:
                # The schema let it through but the form's own rules did not: keep the raw
                # answer, so answer_stage can refuse it with reasons and ask again.
                given = read_flow_run_input(f"suspended-{pause_key}-response")
            answer = for_form(given, key)
            if answer is not None:  # a missing input is never an answer: ask again
                # the values are the keys already; words typed in their place become keys
                return to_keys(FORMS[stage], answer, language,
                               choices={"chosen": offered} if offered else None)
        raise RuntimeError(f"form {key} could not be shown: Prefect gave no answer back")

    def deliver(self) -> None:
        state = deliver.with_options(**self.options())(self.number, return_state=True)
        if state.is_failed():
            get_run_logger().warning("Some messages of %s are still queued: %s",
                                     self.number, state.message)


def _held(run_id: UUID, key: str) -> tuple[list[tuple[str, Any]], set[str]]:
    """The answers Prefect holds for form `key` of this run, and every pause key used at it
    (from its inputs, and from the run's pause keys, which a Retry resets)."""
    with get_client(sync_client=True) as client:
        given, used = form_inputs(client, run_id, key)
        fired = client.read_flow_run(run_id).empirical_policy.pause_keys or set()
    return given, used | {k for k in fired if form_of_pause(k) == key}


def _form(stage: str, key: str, description: str,
          offered: dict[str, str] | None = None) -> type[RunInput]:
    """The stage's form as Prefect shows it, in the staff language, its `form_key` filled
    with this form's key; a choice form offers only the options proposed (and rejecting,
    while allowed), each by its text."""
    language = policy().staff_language
    base: type[BaseModel] = FORMS[stage]
    if offered:
        choices = Enum("Offered", {value: value for value in offered})  # type: ignore[misc]
        base = create_model("ChoiceForm", __base__=base, chosen=(
            choices, base.model_fields["chosen"]))
    base = localized(base, language, choices={"chosen": offered} if offered else None)
    key_field = base.model_fields["form_key"]
    return RunInput.subclass_from_base_model_type(base).with_initial_data(
        description=description,
        form_key=Field(default=key, title=key_field.title, description=key_field.description,
                       max_length=120))


def _offered(stage: str, view: dict[str, Any]) -> dict[str, str] | None:
    """The values a choice form offers, each with the words it shows (None for another
    stage): the proposal's options, and rejecting unless the general manager's opinion
    was final (two rejections)."""
    if stage != "choice":
        return None
    return offered_words(view["offer"], rejections=view.get("rejections", 0),
                         language=policy().staff_language)


def _not_final(stage: str) -> str:
    """Why a form answered is asked again, in the staff's language."""
    from models.i18n import t

    reason = stage if stage in ("handover", "review") else "other"
    return t(policy().staff_language, f"form_notice.again.{reason}")


def label_run(run_id: str, run_name: str, case: CaseRun) -> None:
    """Name the run 'C-… · A', tag it, and mask the customer in its parameters."""
    name = f"{case.number} · {case.info['tier']}"
    if run_name == name:
        return
    tags = [f"tier:{case.info['tier']}", f"department:{case.info['department']}",
            f"channel:{case.info['channel']}", "complaint"]
    with transaction(settings().store_url) as session:
        intake = repo.find_case(session, number=case.number).intake
    with get_client(sync_client=True) as client:
        client.update_flow_run(UUID(run_id), name=name, tags=tags,
                               parameters={"intake": mask_intake(intake)})
