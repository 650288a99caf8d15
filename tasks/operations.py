"""What operations staff do to cases beside answering forms: acknowledge escalations,
find stalled cases, and continue them.

A case is stalled when its flow run cannot move it any more: never started, missing,
Failed, Crashed or Cancelled (an expired suspension ends Failed), Completed while the
case is open, or Running / Pending / Scheduled with no change for `stalled_after` (its
worker died). `rerun` continues it from its last completed stage: the same flow run is
set to Scheduled, as Prefect's Retry does, or a new run is started if there is none;
the store decides what is already done, so nothing is repeated or asked again.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import select

from models.errors import NotServing
from models.intake import Intake
from models.privacy import mask_intake
from models.problems import Problem, ProblemError, problem
from models.store import repo, transaction
from models.store.db import CaseRow, EscalationRow
from notifications.links import ui_url
from notifications.outbox import reclaim_stuck
from tasks.runtime import now, policy, retrying, settings

# Seconds between tries to create a case's run (about a minute in all).
START_RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15, 30)
DEAD = {"FAILED", "CRASHED", "CANCELLED", "COMPLETED"}
MAYBE_STUCK = {"RUNNING", "PENDING", "SCHEDULED", "CANCELLING"}
# The rungs a manager acknowledges; the warnings to the handler are not acknowledged.
ACKNOWLEDGEABLE = ("department_manager", "general_manager", "public_relations")


def acknowledge(number: str, *, by: str, note: str = "") -> dict[str, Any]:
    """A manager takes the case's open escalations: the ladder stops climbing."""
    if not by.strip():
        raise ProblemError([problem("acknowledged_by", "operations.no_name")])
    at = now()
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        rows = list(session.scalars(select(EscalationRow).where(
            EscalationRow.case_id == case.id, EscalationRow.acknowledged_at.is_(None),
            EscalationRow.rung.in_(ACKNOWLEDGEABLE))))
        for row in rows:
            row.acknowledged_at, row.acknowledged_by = at, by.strip()
        if rows:
            repo.record_event(session, case=case, kind="escalation_acknowledged",
                              actor=by.strip(), at=at, note=note,
                              escalations=[f"{r.clock}/{r.rung}" for r in rows])
        done = [f"{r.clock}/{r.rung}" for r in rows]
    if done:
        from tasks.artifacts import refresh_case_cards  # it imports this module

        refresh_case_cards({number})
    return {"case": number, "acknowledged": done}


def no_case(number: str) -> Problem:
    """Why a case number is refused that is not in the store, with the closest ones."""
    given = number.strip()[:40]
    with transaction(settings().store_url) as session:
        known = list(session.scalars(select(CaseRow.number).order_by(CaseRow.id.desc())
                                     .limit(20000)))
    close = difflib.get_close_matches(given.upper(), known, n=3, cutoff=0.6)
    if close:
        return problem("case_number", "operations.no_case", number=given, close=close)
    return problem("case_number", "operations.no_case_like", number=given)


def stalled(*, older_than: timedelta | None = None) -> list[dict[str, Any]]:
    """Open cases whose run cannot move them, with the reason for each."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    rules = policy().escalation
    limit = older_than if older_than is not None else rules.stalled_after
    unstarted = older_than if older_than is not None else rules.start_missing_after
    cutoff, last_id = now() - limit, 0
    found: list[dict[str, Any]] = []
    while True:
        with transaction(settings().store_url) as session:
            cases = list(session.execute(
                select(CaseRow.id, CaseRow.number, CaseRow.flow_run_id, CaseRow.stage,
                       CaseRow.created_at)
                .where(CaseRow.status == "open", CaseRow.id > last_id)
                .order_by(CaseRow.id).limit(200)))
        if not cases:
            return found
        last_id = cases[-1].id
        ids = [UUID(c.flow_run_id) for c in cases if c.flow_run_id]
        with get_client(sync_client=True) as client:
            runs = {str(r.id): r for r in client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=len(ids))
            } if ids else {}
        for case in cases:
            why = _why_stalled(case.flow_run_id, runs.get(case.flow_run_id or ""),
                               case.created_at, cutoff, unstarted_cutoff=now() - unstarted)
            if why:
                found.append({"case": case.number, "stage": case.stage,
                              "flow_run_id": case.flow_run_id, "why": why})


def _why_stalled(run_id: str | None, run: Any, created: datetime, cutoff: datetime, *,
                 unstarted_cutoff: datetime | None = None) -> str:
    """Why this case's run cannot move it, or ''. A case stored without a run is stalled
    sooner (`start_missing_after`) than a run that stopped changing (`stalled_after`)."""
    if not run_id:
        return "never started" if created < (unstarted_cutoff or cutoff) else ""
    if run is None:
        return "flow run missing"
    state = run.state
    kind = state.type.value if state else "NONE"
    if kind in DEAD:
        return f"flow run {state.name if state else kind}"
    if kind in MAYBE_STUCK and state and state.timestamp < cutoff:
        return f"flow run {state.name} since {state.timestamp.isoformat()}"
    return ""


def rerun(number: str, *, force: bool = False) -> dict[str, Any]:
    """Continue one case from its last completed stage. A case whose run is suspended at
    a form, waiting as it should, is refused unless `force`: the form is asked again."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Scheduled

    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        if case.status != "open":
            raise ProblemError([problem("case", "operations.not_open", number=number,
                                        status=case.status)])
        run_id, tier, intake, waiting = (case.flow_run_id, case.tier, case.intake,
                                         case.waiting_for)
    if run_id and not force and _healthy_wait(run_id):
        raise ProblemError([problem("case", "operations.healthy", number=number,
                                    waiting=waiting)])
    reclaim_stuck(store_url=settings().store_url, older_than=now() - timedelta(minutes=1))
    if run_id:
        try:
            with get_client(sync_client=True) as client:
                client.set_flow_run_state(UUID(run_id), Scheduled(name="AwaitingRetry"),
                                          force=True)
            _note(number, "rerun", flow_run_id=run_id)
            return {"case": number, "flow_run_id": run_id, "how": "same run rescheduled"}
        except ObjectNotFound:
            with transaction(settings().store_url) as session:  # the new run claims it
                repo.find_case(session, number=number, for_update=True).flow_run_id = None
    started = start_run(number, tier or "?", intake, replace=True)
    _note(number, "rerun", flow_run_id=started["flow_run_id"])
    return {"case": number, "flow_run_id": started["flow_run_id"], "how": "new run started"}


def _healthy_wait(run_id: str) -> bool:
    """The run is suspended at a form and its suspension has not expired."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(run_id)).state
    except ObjectNotFound:
        return False
    if state is None or not state.is_paused():
        return False
    expires = state.state_details.pause_timeout
    return expires is None or expires > now()


def _note(number: str, kind: str, **data: Any) -> None:
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        repo.record_event(session, case=case, kind=kind, actor="operations", at=now(), **data)


def submit_intake(intake: Intake, *, actor: str,
                  letter: dict[str, Any] | None = None) -> dict[str, Any]:
    """Store a complaint (and what was read from its letter), then start its run. A
    duplicate is noted on its original by the store and answered with its number."""
    from tasks.cases import create_from_intake

    number, created = create_from_intake(intake, actor=actor)
    if not created:
        return {**case_link(number), "duplicate": True}
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        tier = case.tier  # judged at store time, with the case's clocks
        if letter:
            repo.record_event(session, case=case, kind="letter_read", actor=actor, at=now(),
                              **letter)
    started = start_run(number, tier, intake.model_dump(mode="json"))
    return {**started, "duplicate": False}


def start_run(number: str, tier: str, intake: dict[str, Any], *,
              replace: bool = False, actor: str = "cli") -> dict[str, Any]:
    """Start the complaint deployment for a stored case; the run is named after it.
    `replace` points the case at the new run even if it had one (a rerun)."""
    from prefect.exceptions import ObjectNotFound

    name = settings().deployment
    try:
        flow_run = create_run(
            parameters={"intake": mask_intake(intake)},
            flow_run_name=f"{number} · {tier}", tags=["complaint", f"tier:{tier}"])
    except ObjectNotFound:
        raise NotServing(f"case {number} is stored, but the Prefect server has no deployment "
                         f"{name!r}: start the system with `python3 dev.py up`") from None
    except httpx.HTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        raise NotServing(
            f"case {number} is stored, but the Prefect server did not start its run "
            f"({type(exc).__name__}{f' {status}' if status else ''}): check that the system "
            f"is up (`python3 dev.py up`), then `complaints rerun {number}`") from None
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number, for_update=True)
        case.flow_run_id = str(flow_run.id) if replace else case.flow_run_id or str(flow_run.id)
        repo.record_event(session, case=case, kind="run_started", actor=actor, at=now(),
                          flow_run_id=str(flow_run.id))
    return case_link(number)


def create_run(**options: Any) -> Any:
    """A run of the complaint deployment (`run_deployment` options), not waited for.

    A Prefect server answers 5xx under bursts (SQLite: "database is locked"; PostgreSQL:
    its connection pool exhausted) and rolls the request back, or does not answer in
    time, or drops the connection; all of those are tried again.
    Should a run exist after all, the second run named after the case finds it driven
    by the first and ends as a duplicate.
    """
    from prefect.deployments import run_deployment

    return retrying(
        lambda: run_deployment(settings().deployment, timeout=0, **options,
                               as_subflow=False),  # from a flow (letters, rerun) it must
                                                   # still be able to suspend
        delays=START_RETRY_DELAYS, retry_if=_server_error)


def _server_error(exc: Exception) -> bool:
    """Worth another try: a 5xx, a timeout, or a connection refused, reset or dropped
    (an overloaded server answers late or not at all as often as it answers 500)."""
    if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
        return True
    return isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code >= 500


def case_link(number: str) -> dict[str, Any]:
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        return {"case": case.number, "tier": case.tier, "flow_run_id": case.flow_run_id,
                "url": run_url(case.flow_run_id)}


def run_url(flow_run_id: str | None) -> str:
    return ui_url(f"/runs/flow-run/{flow_run_id}") if flow_run_id else ""
