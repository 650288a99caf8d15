"""One complaint, one flow run: the seven stages of DOMAIN.md §1 in order.

The body is re-executed from the top after every resume. It reads the case's steps from
the store once, skips what is done without creating task runs, and suspends (holding no
process) where a person must answer a form. Input already in the store is never asked
for again, even after Prefect's "Retry" resets the run's pause keys. What the flow reads
and writes outside its tasks is tried again, as a task would be, while the store is
briefly unreachable.

A run started from the UI form or `run_deployment` carries the customer's full intake in
its parameters: masking them is the first thing the run does, before validation or the
store can fail (a run started by `complaints submit` is created masked: no API call).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect import flow, get_client, get_run_logger
from prefect.runtime import flow_run

from flows.conductor import CaseRun, known_case, label_run
from models.errors import InputError
from models.intake import Intake
from models.privacy import looks_masked, mask_intake
from tasks.artifacts import publish_case_card
from tasks.cases import judge, open_case
from tasks.hooks import flow_failed
from tasks.runtime import patiently, policy, task_options


@flow(name="complaint", validate_parameters=False, persist_result=True,
      on_failure=[flow_failed], on_crashed=[flow_failed])
def complaint(intake: Intake) -> str:
    """Take one complaint from intake to closure; returns its case number."""
    logger = get_run_logger()
    run_id, run_name = str(flow_run.get_id()), str(flow_run.get_name())
    payload = intake.model_dump(mode="json") if isinstance(intake, Intake) else intake
    given_raw = mask_parameters(run_id, payload)
    number = patiently(known_case, run_id)
    if not number:
        _refuse_lost_intake(payload, run_name, given_raw)
        opened = open_case.with_options(**task_options(policy().default_task))(
            payload, flow_run_id=run_id, flow_run_name=run_name)
        if opened["duplicate_of"]:
            logger.info("Duplicate submission of case %s: nothing more to do here.",
                        opened["duplicate_of"])
            return str(opened["duplicate_of"])
        number = opened["number"]
    case = patiently(CaseRun.load, number)
    if not case.judged:
        judge.with_options(**task_options(policy().default_task))(number)
        case = patiently(CaseRun.load, number)
        case.deliver()
    patiently(label_run, run_id, run_name, case)
    handle(case)
    patiently(publish_case_card, number)
    logger.info("Case %s closed (%s close).", number, patiently(case.close_kind))
    return number


def mask_parameters(run_id: str, payload: Any) -> bool:
    """Mask the customer in this run's parameters unless they are masked already;
    True if they were not (then `payload` is the intake as the customer gave it)."""
    masked = mask_intake(payload)
    if masked == payload:
        return False
    with get_client(sync_client=True) as client:
        client.update_flow_run(UUID(run_id), parameters={"intake": masked})
    return True


def _refuse_lost_intake(payload: Any, run_name: str, given_raw: bool) -> None:
    """A run masked before its case was stored (then retried) no longer has the real
    contact: storing the masked one would lose the customer. A run `complaints submit`
    started is named after its stored case and takes it from the store."""
    if not given_raw and looks_masked(payload) and not run_name.startswith("C-"):
        raise InputError("intake: this run's intake was masked before its case was stored; "
                         "submit the complaint again")


def handle(case: CaseRun) -> None:
    """Handover (签收), investigation, then proposal -> execution -> callback until the
    customer is satisfied (or cannot be reached), then review."""
    case.stage("handover", "handover", until=lambda answer: answer["decision"] == "sign")
    case.stage("investigation", "investigation")
    round_ = 1
    while True:
        propose(case, round_)
        execute(case, round_)
        if called_back(case, round_):
            break
        round_ += 1
    case.stage("review", "review", until=lambda answer: answer["approve_closure"] == "yes")


def propose(case: CaseRun, round_: int) -> None:
    """Solution and the customer's answer to it, until they accept an option: each
    rejection starts a new proposal (the manager's, then the general manager's)."""
    proposal = 1
    while True:
        suffix = "" if proposal == 1 else f"-p{proposal}"
        case.stage("solution", f"solution-{round_}{suffix}",
                   notice=REJECTED if proposal > 1 else "")
        if case.stage("choice", f"choice-{round_}{suffix}")["chosen"] != "reject_all":
            return
        proposal += 1


def execute(case: CaseRun, round_: int) -> None:
    """Execution reports until the solution is fully carried out; a request for a
    deferred close is decided by the service centre in between."""
    report = 1
    while True:
        key = f"execution-{round_}" + ("" if report == 1 else f"-r{report}")
        answer = case.stage("execution", key, notice=INTERMEDIATE if report > 1 else "")
        if answer["result"] == "done":
            return
        if answer["result"] == "defer":
            case.stage("deferral", f"deferral-{round_}-{report}")
        report += 1


def called_back(case: CaseRun, round_: int) -> bool:
    """True when the customer is satisfied, or could not be reached in the policy's
    attempts (the case then goes to review as not reached)."""
    attempts = policy().callback.max_attempts
    for attempt in range(1, attempts + 1):
        key = f"callback-{round_}" + ("" if attempt == 1 else f"-a{attempt}")
        answer = case.stage("callback", key, notice=NOT_REACHED if attempt > 1 else "")
        if answer["reached"] == "yes":
            return bool(answer["satisfied"] == "yes")
    return True


# Why a form is asked again: keys of the catalog's form_notice section (flows/forms.py).
REJECTED, INTERMEDIATE, NOT_REACHED = "rejected", "intermediate", "not_reached"
