"""How a flow run drives one case: replay from the store, wait for forms, deliver.

`CaseRun.stage()` is the one place a human stage happens: an answer already stored is
used as it is; otherwise the run suspends with the stage's form (keyed by the step, so
each attempt has its own pause key), and on resume the answer goes to `answer_stage`.
A refused answer, an intermediate result or a review not approved asks again with the
next attempt key (`review`, `review-retry2`, ...; Prefect allows only letters, digits
and dashes in input keys), the refusal shown at the top of the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from prefect import get_client, get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from prefect.input.actions import read_flow_run_input
from pydantic import ValidationError

from flows.forms import describe
from models import repo
from models.privacy import mask_intake
from models.stages import FORMS
from models.store import transaction
from tasks.artifacts import publish_case_card
from tasks.cases import load_steps, mark_waiting
from tasks.delivery import deliver
from tasks.runtime import patiently, policy, settings, task_options
from tasks.stages import answer_stage


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
              until: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        attempt, problems = 1, list[str]()
        while True:
            key = base if attempt == 1 else f"{base}-retry{attempt}"
            step = self.steps.get(key)
            if step is None or (step["status"] == "answered" and f"{key}/done" not in self.steps):
                answer = step["payload"] if step else self.wait(stage, key, problems)
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

    def wait(self, stage: str, key: str, problems: list[str]) -> dict[str, Any]:
        if patiently(mark_waiting, self.number, stage=stage, key=key):
            # first time at this form: nothing answered yet
            patiently(publish_case_card, self.number)
        else:
            given = read_flow_run_input(f"suspended-{key}-response")
            if isinstance(given, dict):
                # Answered already; Prefect may have reset its pause keys (Retry, a
                # rerun), so take the answer instead of asking again.
                return given
        form = RunInput.subclass_from_base_model_type(FORMS[stage]).with_initial_data(
            description=describe(stage, self.number, self.info, problems, policy()))
        timeout = int(policy().waiting_limit.total_seconds())
        try:
            answer = suspend_flow_run(wait_for_input=form, key=key, timeout=timeout)
        except ValidationError:
            # The schema let it through but the form's own rules did not: keep the raw
            # answer, so answer_stage can refuse it with reasons and ask again.
            raw = read_flow_run_input(f"suspended-{key}-response")
            return dict(raw) if isinstance(raw, dict) else {"given": raw}
        return answer.model_dump(mode="json")

    def deliver(self) -> None:
        state = deliver.with_options(**self.options())(self.number, return_state=True)
        if state.is_failed():
            get_run_logger().warning("Some messages of %s are still queued: %s",
                                     self.number, state.message)


def _not_final(stage: str) -> str:
    return {"execution": "intermediate result reported: report again when the solution is "
                         "fully carried out",
            "review": "closure not approved: review again"}.get(stage, "asked again")


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
