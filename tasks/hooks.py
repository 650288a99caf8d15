"""Failure hooks: a task that exhausts its retries, or a run that fails or crashes,
escalates through `escalation.escalate` and sends at once.

Hooks never raise (Prefect would only log it) and never run for a suspended run the
server expires or a process killed with SIGKILL: the watchdog covers those.
"""

from __future__ import annotations

import logging
from typing import Any

from models import repo
from models.rules import failure_rung
from models.store import transaction

log = logging.getLogger("complaints.hooks")


def task_failed(task: Any, task_run: Any, state: Any) -> None:
    reason = f"task '{task_run.name}' failed after its retries: {_message(state)}"
    escalate_failure(str(task_run.flow_run_id), reason=reason)


def flow_failed(flow: Any, flow_run: Any, state: Any) -> None:
    reason = f"flow run '{flow_run.name}' ended {state.type.value.lower()}: {_message(state)}"
    escalate_failure(str(flow_run.id), reason=reason)


def escalate_failure(flow_run_id: str, *, reason: str) -> None:
    from notifications.outbox import deliver_pending
    from tasks.escalation import earlier_failures, escalate
    from tasks.runtime import channels, now, policy, settings

    try:
        rules, s = policy(), settings()
        clock = f"failure:{flow_run_id}"
        with transaction(s.store_url) as session:
            case = repo.case_by(session, flow_run_id=flow_run_id)
            if case is None:
                log.error("failure in flow run %s with no case yet: %s", flow_run_id, reason)
                return
            rung = failure_rung(tier=case.tier, policy=rules,
                                earlier_failures=earlier_failures(session, case=case, clock=clock))
            if escalate(session, case=case, clock=clock, rung=rung, reason=reason[:1500],
                        now=now(), policy=rules) is not None:
                case.failures += 1
            case_id = case.id
        deliver_pending(store_url=s.store_url, channels=channels(), outbox_dir=s.outbox_path,
                        case_id=case_id)
    except Exception:
        log.exception("could not escalate the failure of flow run %s", flow_run_id)


def _message(state: Any) -> str:
    return (state.message or state.name or "no message")[:500]
