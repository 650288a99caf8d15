"""Delivery as a task: send what a case has queued; retried while the channel is down.

A delivery that still fails after its retries escalates (the task's failure hook) but
does not stop the case: the rows stay pending for the next delivery.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from models.errors import DeliveryError
from models.store import repo, transaction
from notifications.outbox import deliver_pending
from tasks.hooks import task_failed
from tasks.runtime import channels, settings


@task(name="deliver", cache_policy=NO_CACHE, persist_result=True, on_failure=[task_failed])
def deliver(number: str) -> int:
    """Send the case's pending messages; returns how many went out."""
    s = settings()
    with transaction(s.store_url) as session:
        case_id = repo.find_case(session, number=number).id
    sent = deliver_pending(store_url=s.store_url, channels=channels(), outbox_dir=s.outbox_path,
                           case_id=case_id)
    return len(sent)


def send_queued(case_id: int | None = None) -> str:
    """Send what is queued (one case's, or every message): '' when all went, else why
    some wait for the watchdog's next try, in one line. For the runs that are no case's
    (action checks, reports), which must not fail for a channel that is down."""
    s = settings()
    try:
        deliver_pending(store_url=s.store_url, channels=channels(), outbox_dir=s.outbox_path,
                        case_id=case_id)
    except DeliveryError as exc:
        return str(exc)
    return ""
