"""The SLA watchdog: a scheduled deployment whose run sweeps clocks every few seconds.

One run covers its schedule interval (`run_for_seconds`) with a sweep every
`policy.watchdog.sweep_every_seconds`, so a breach is escalated within seconds while a
new process is paid for only once per interval. It also retries queued messages and
takes back messages a dead sender left half-sent, and starts the run of a case stored
without one (`escalation.start_missing_after`), and reminds the service centre when a
missed callback's next attempt is due (tasks/reminders.py).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.errors import DeliveryError
from notifications.outbox import deliver_pending, reclaim_stuck
from tasks.artifacts import publish_sla_board, refresh_case_cards
from tasks.reminders import remind_callbacks
from tasks.runtime import channels, now, policy, settings
from tasks.watchdog import start_missing_runs, sweep
from tasks.watchers import crash_silent_runs

# Seconds between two versions of the SLA board: under a minute also across the gap
# between one run's last sweep and the next run's first.
BOARD_EVERY = 50


def sweep_once() -> dict[str, Any]:
    s, rules = settings(), policy()
    result = sweep(store_url=s.store_url, policy=rules, now=now())
    refresh_case_cards(result.cases)  # escalations and a raised level show on the card
    started = start_missing_runs(store_url=s.store_url, policy=rules, now=now())
    reminded = remind_callbacks(store_url=s.store_url, policy=rules, now=now())
    reclaim_stuck(store_url=s.store_url, older_than=now() - timedelta(minutes=10))
    try:
        # Staff messages at once (the escalations it queued); a customer's only once its
        # case's own delivery has left it queued: a newer one is still that delivery's,
        # whose failure escalates (taken from under it, it would not).
        sent = len(deliver_pending(store_url=s.store_url, channels=channels(),
                                   outbox_dir=s.outbox_path,
                                   customers_before=now() - rules.watchdog.resend_after))
        failed = ""
    except DeliveryError as exc:
        sent, failed = 0, str(exc)
    return {"checked": result.checked, "escalated": result.escalated,
            "breached": result.breached, "sent": sent, "delivery_failures": failed,
            "started": len(started), "reminded": len(reminded)}


@flow(name="watchdog", log_prints=False)
def watchdog(run_for_seconds: int = 290) -> dict[str, int]:
    """Sweep the SLA clocks until this run's time is up; returns the totals."""
    logger = get_run_logger()
    totals = {"sweeps": 0, "checked": 0, "escalated": 0, "breached": 0, "sent": 0,
              "started": 0, "reminded": 0}
    end = time.monotonic() + run_for_seconds
    board_due = 0.0
    while True:
        started = time.monotonic()
        if started >= board_due:  # first thing, then BOARD_EVERY: each is a new version
            publish_sla_board()
            crash_silent_runs(now=now(), but=str(flow_run.get_id()))
            board_due = started + BOARD_EVERY
        result = sweep_once()
        totals["sweeps"] += 1
        for key in ("checked", "escalated", "breached", "sent", "started", "reminded"):
            totals[key] += int(result[key])
        if (result["escalated"] or result["breached"] or result["delivery_failures"]
                or result["started"] or result["reminded"]):
            logger.info("Sweep: %s", result)
        pause = policy().watchdog.sweep_every_seconds - (time.monotonic() - started)
        if time.monotonic() + max(pause, 0) >= end:
            return totals
        time.sleep(max(pause, 0))
