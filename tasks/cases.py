"""Intake and preliminary judgment: the first two stages, and the case's progress.

`open_case` stores the complaint before anything is sent (idempotent by flow run, by the
case number a submitter put in the run name, and by channel, external_ref and customer),
already triaged and with its clocks running from receipt. `judge` records the judgment,
meets the acknowledge and handover clocks, and queues the acknowledgement and the
handover in the same transaction, so they happen once or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from prefect import task
from prefect.cache_policies import NO_CACHE

from models.intake import Intake, check_received
from models.policy import Policy
from models.store import repo, transaction
from models.store.db import CaseRow
from models.triage import Judgment, triage, triage_json
from notifications.outbox import enqueue
from tasks.history import link_customer
from tasks.hooks import task_failed
from tasks.intake_files import parse_intake
from tasks.rejudge import handover_brief
from tasks.runtime import now, policy, settings

CASE_NUMBER_PREFIX = "C-"
CLOCKS = ("acknowledge", "handover", "first_reply", "close")


def create_from_intake(intake: Intake, *, actor: str, flow_run_id: str | None = None,
                       at: datetime | None = None) -> tuple[str, bool]:
    """Store a complaint (every path does: CLI, letters, the run form); returns (case
    number, created). The case is stored with its tier, department and running clocks,
    so the SLA watchdog sees it from its first second, whether or not a run follows.
    received_at outside the policy's window is refused (InputError), never stored."""
    moment, rules = at or now(), policy()
    window = rules.intake.received_window
    received = check_received(intake, now=moment, before=window.before, after=window.after)
    judgment = triage(intake, policy=rules, received_at=received)
    day = moment.astimezone(ZoneInfo(rules.calendar.timezone)).strftime("%Y%m%d")
    with transaction(settings().store_url) as session:
        case, created = repo.create_case(
            session, intake=intake, received_at=received, now=moment, day=day,
            actor=actor, flow_run_id=flow_run_id)
        if created:
            case.taken_by = intake.taken_by
            case.tier, case.level = judgment.tier.value, judgment.level.value
            case.department = judgment.department
            for name in CLOCKS:
                repo.start_clock(session, case=case, name=name, round_=1, started_at=received,
                                 due_at=getattr(judgment.deadlines, name))
            link_customer(session, case, policy=rules, at=moment)
        return case.number, created


@task(name="intake", cache_policy=NO_CACHE, persist_result=True, on_failure=[task_failed])
def open_case(intake: dict[str, Any], *, flow_run_id: str, flow_run_name: str) -> dict[str, str]:
    """The case this flow run drives: {"number", "duplicate_of"}."""
    url = settings().store_url
    with transaction(url) as session:
        case = repo.case_by(session, flow_run_id=flow_run_id)
        if case is None and flow_run_name.startswith(CASE_NUMBER_PREFIX):
            case = _claim_precreated(session, flow_run_name.split(" ")[0], flow_run_id)
        if case is not None and case.flow_run_id != flow_run_id:
            # A second run for a stored case (its submitter tried twice): the first drives it.
            return _duplicate(session, case, flow_run_id)
        if case is not None:
            return {"number": case.number, "duplicate_of": ""}
    form = parse_intake(intake)  # a one-line error naming the field: no input values in logs
    number, created = create_from_intake(form, actor=form.taken_by, flow_run_id=flow_run_id)
    if created:
        return {"number": number, "duplicate_of": ""}
    with transaction(url) as session:  # a duplicate: create_case noted it on the case
        case = repo.find_case(session, number=number, for_update=True)
        if case.flow_run_id in (None, flow_run_id):
            case.flow_run_id = flow_run_id  # stored without a run yet: this run drives it
            return {"number": number, "duplicate_of": ""}
        return {"number": number, "duplicate_of": number}


def _duplicate(session: Any, case: CaseRow, flow_run_id: str) -> dict[str, str]:
    repo.record_event(session, case=case, kind="duplicate_submission", actor="intake form",
                      at=now(), flow_run_id=flow_run_id)
    return {"number": case.number, "duplicate_of": case.number}


def _claim_precreated(session: Any, number: str, flow_run_id: str) -> CaseRow | None:
    """The stored case a submitter named this run after, claimed for this run unless
    another run drives it already; None if there is no such case."""
    try:
        case = repo.find_case(session, number=number, for_update=True)
    except LookupError:
        return None
    if case.flow_run_id is None:
        case.flow_run_id = flow_run_id
    return case


@task(name="preliminary judgment", cache_policy=NO_CACHE, persist_result=True,
      on_failure=[task_failed])
def judge(number: str) -> dict[str, Any]:
    """Tier, level, department, deadlines; acknowledgement and handover queued."""
    rules, at = policy(), now()
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number, for_update=True)
        if repo.get_step(session, case=case, key="judgment") is None:
            judgment = triage(Intake.model_validate(case.intake), policy=rules,
                              received_at=case.received_at)
            _apply_judgment(session, case, judgment, rules, at)
        return {"tier": case.tier, "department": case.department, "channel": case.channel,
                "judgment": case.judgment}


def _apply_judgment(session: Any, case: CaseRow, judgment: Judgment, rules: Policy,
                    at: datetime) -> None:
    if not case.tier:  # stored before cases were judged at store time
        case.tier, case.level = judgment.tier.value, judgment.level.value
        case.department = judgment.department
    # else keep them: the watchdog may have raised the level since (a close breached
    # before this run got here)
    case.judgment = {**triage_json(judgment), "needs_options": judgment.needs_options}
    case.stage = "handover"
    deadlines = judgment.deadlines
    for name in CLOCKS:  # stored with the case; started here only for older cases
        repo.start_clock(session, case=case, name=name, round_=1, started_at=case.received_at,
                         due_at=getattr(deadlines, name))
    # The acknowledge clock is met when the acknowledgement is delivered, the handover
    # clock when the department signs for the case (the handover stage).
    repo.record_event(session, case=case, kind="judged", actor="service centre", at=at,
                      step="judgment", tier=case.tier, level=case.level,
                      department=case.department, reasons=judgment.reasons)
    # The department's contact person and phone come with the case's words (wording.py).
    enqueue(session, case=case, purpose="acknowledgement", role="customer", ref="", policy=rules,
            now=at, context={"close_deadline": deadlines.close, "channel": case.channel})
    brief = handover_brief(session, case, rules)
    for role in ("handler", *judgment.inform):
        enqueue(session, case=case, purpose="handover", role=role, ref="", policy=rules,
                now=at, context=brief)
    repo.record_event(session, case=case, kind="handed_over", actor="service centre", at=at,
                      step="judgment", department=case.department,
                      informed=["handler", *judgment.inform])
    repo.save_step(session, case=case, key="judgment", stage="judgment", status="done",
                   payload={}, actor="service centre", at=at)


def load_steps(number: str) -> dict[str, dict[str, Any]]:
    """Every step this case has recorded, by key: what a replay may skip."""
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        return {s.key: {"status": s.status, "payload": s.payload}
                for s in repo.steps_of(session, case=case)}


def mark_waiting(number: str, *, stage: str, key: str) -> bool:
    """Record that the case waits for a form; False if it already did (a replay)."""
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number, for_update=True)
        if case.waiting_for == key:
            return False
        at = now()
        case.stage, case.waiting_for = stage, key
        repo.record_event(session, case=case, kind="waiting", actor="system", at=at,
                          step=key, stage=stage)
        if stage in policy().escalation.pause_while_waiting_for:
            paused = repo.pause_clocks(session, case=case, at=at)
            if paused:
                repo.record_event(session, case=case, kind="clocks_paused", actor="system",
                                  at=at, step=key, clocks=paused)
        return True
