"""Failure hooks: a task that exhausts its retries, or a run that fails or crashes,
escalates through `escalation.escalate` and sends at once.

A failure is often the case store itself being unreachable, so a hook keeps trying to
record its escalation for `escalation.failure_patience` (the run is already Failed in
Prefect meanwhile). Hooks never raise (Prefect would only log it) and never run for a
suspended run the server expires or a process killed with SIGKILL: `complaints stalled`
lists those cases and their clocks keep escalating.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from models.rules import failure_rung
from models.store import repo, transaction

log = logging.getLogger("complaints.hooks")


def task_failed(task: Any, task_run: Any, state: Any) -> None:
    reason = f"task '{task_run.name}' failed after its retries: {_message(state)}"
    escalate_failure(str(task_run.flow_run_id), reason=reason)


def flow_failed(flow: Any, flow_run: Any, state: Any) -> None:
    reason = f"flow run '{flow_run.name}' ended {state.type.value.lower()}: {_message(state)}"
    escalate_failure(str(flow_run.id), reason=reason)


def escalate_failure(flow_run_id: str, *, reason: str) -> None:
    from notifications.outbox import deliver_pending
    from tasks.runtime import channels, is_transient, retrying, settings

    def note(exc: Exception, pause: float) -> None:
        log.warning("case store unreachable (%s): escalating the failure of flow run %s "
                    "again in %.0f s", type(exc).__name__, flow_run_id, pause)

    try:
        case_id = retrying(lambda: _record_failure(flow_run_id, reason=reason),
                           delays=_patience(), retry_if=is_transient, note=note)
    except Exception:
        log.exception("could not escalate the failure of flow run %s", flow_run_id)
        return
    if case_id is None:
        return
    try:  # a channel that is down leaves the message queued for the watchdog
        s = settings()
        deliver_pending(store_url=s.store_url, channels=channels(), outbox_dir=s.outbox_path,
                        case_id=case_id)
    except Exception:
        log.exception("escalation of flow run %s recorded, its message still queued",
                      flow_run_id)


def _patience() -> Iterator[float]:
    """1, 2, 4 ... 30, 30 ... seconds, until `escalation.failure_patience` is spent."""
    from tasks.runtime import policy

    left, pause = policy().escalation.failure_patience.total_seconds(), 1.0
    while pause <= left:
        yield pause
        left -= pause
        pause = min(pause * 2, 30.0)


def _record_failure(flow_run_id: str, *, reason: str) -> int | None:
    """Record the escalation (once per run and rung); the case's id, None without a case."""
    from tasks.escalation import earlier_failures, escalate
    from tasks.runtime import now, policy, settings

    rules, clock = policy(), f"failure:{flow_run_id}"
    with transaction(settings().store_url) as session:
        case = repo.case_by(session, flow_run_id=flow_run_id)
        if case is None:
            log.error("failure in flow run %s with no case yet: %s", flow_run_id, reason)
            return None
        rung = failure_rung(tier=case.tier, policy=rules,
                            earlier_failures=earlier_failures(session, case=case, clock=clock))
        if escalate(session, case=case, clock=clock, rung=rung, reason=reason[:1500],
                    now=now(), policy=rules) is not None:
            case.failures += 1
        return case.id


def _message(state: Any) -> str:
    return (state.message or state.name or "no message")[:500]
