"""Hundreds of suspended cases: Prefect's pause-expiry service must fail every expired one.

A case waits for a form as a Suspended flow run with a pause timeout (`waiting_limit`);
when it passes, the server's pause-expiry service (`monitor_expired_pauses`, every
`PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_LOOP_SECONDS`, 5 s by default) fails the run,
and `complaints stalled` lists the case. A service that looked at only the first 200
paused runs (in no useful order) would miss expirations as soon as more than 200 cases
wait. No flow process is needed to prove it: 250 runs of a throwaway flow are created
directly in a Suspended state that expires in a month (open cases, created first), then
201 whose expiration has already passed: the service must fail all 201 expired ones and
none of the open ones.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prefect import flow, get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.client.schemas.objects import StateType
from prefect.states import Suspended

pytestmark = pytest.mark.prefect_server

RUNS = 250  # open ones: more than the 200 a single page of the service's query holds
EXPIRED = 201  # more than a page too; each costs the service ~0.7 s to fail here


def _suspended_runs(client: Any, probe: Any, count: int, expires: timedelta) -> None:
    """`count` runs, each Suspended under its own pause key, expiring `expires` from now."""
    expiration = datetime.now(UTC) + expires
    for index in range(count):
        # A state given at creation is set with force=True: no orchestration rule (a
        # suspension needs a deployment) stands in the way of this cheap set-up.
        client.create_flow_run(probe, name=f"suspended-{index}", state=Suspended(
            pause_expiration_time=expiration, pause_key=f"investigation-{index}"))


def _count(client: Any, name: str, state: StateType) -> int:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState
    from prefect.client.schemas.filters import FlowRunFilterStateType as ByType

    return int(client.count_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=[name])),
        flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=ByType(any_=[state])))))


def test_every_one_of_201_expired_suspensions_is_failed_among_250_open_ones(
    prefect_server: str,
) -> None:
    name = f"pause-expiry-probe-{uuid.uuid4().hex[:8]}"
    probe = flow(name=name)(lambda: None)
    with get_client(sync_client=True) as client:
        _suspended_runs(client, probe, RUNS, timedelta(days=30))
        _suspended_runs(client, probe, EXPIRED, -timedelta(hours=1))
        deadline, failed = time.monotonic() + 300, 0
        while time.monotonic() < deadline:
            failed = _count(client, name, StateType.FAILED)
            if failed == EXPIRED:
                break
            time.sleep(2)
        still_paused = _count(client, name, StateType.PAUSED)
        # the open runs would be scanned by every later loop of the service: gone with it
        client.delete_flow(client.read_flow_by_name(name).id)
    assert (failed, still_paused) == (EXPIRED, RUNS), (
        f"{failed} of {EXPIRED} expired suspensions failed; "
        f"{still_paused} runs still suspended where the {RUNS} open ones should be")
