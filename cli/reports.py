"""`complaints report weekly|monthly [--from DATE --to DATE] [--out DIR]`: run a report
on the desk, as the schedule or the UI would, and hand over its files.

The run is a deployment run on the desk, so its artifact and its messages are the same
as a scheduled one's; a weekly run then waits for the general manager's signature in the
UI (its bulletin is issued only when signed). The command waits until the files are
written, copies them to --out when given, and prints where they are.
"""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from models.errors import InputError

WAIT_SECONDS = 600


def parse_day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: {value!r} is not a date; use YYYY-MM-DD") from None


def report(kind: str, *, start: str | None, end: str | None, out: str | None) -> dict[str, Any]:
    from tasks.reports import period_for

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    try:
        period = period_for(kind, first, last)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(str(exc).replace("period_from", "--from")
                         .replace("period_to", "--to")) from None
    run_id = _start(kind, period.start, period.end)
    state = _wait_for_files(run_id)
    folder = _folder(kind, run_id)
    result: dict[str, Any] = {"run": run_id, "state": state, "period": period.label}
    if folder is None:
        raise InputError(f"report: the run ended {state} before writing its files; see "
                         f"its logs in the UI ({_url(run_id)})")
    if out:
        target = Path(out).expanduser() / folder.name
        shutil.copytree(folder, target, dirs_exist_ok=True)
        folder = target
    files = sorted(str(p) for p in folder.rglob("*") if p.is_file())
    if kind == "weekly":
        result["bulletin"] = _bulletin(run_id)
        result["signature"] = ("the general manager signs it in the UI: "
                               f"{_url(run_id)} (menu → Resume)")
    return {**result, "folder": str(folder), "files": files, "run_url": _url(run_id)}


def _start(kind: str, start: date, end: date) -> str:
    from prefect.deployments import run_deployment

    from tasks.operations import START_RETRY_DELAYS, _server_error
    from tasks.runtime import retrying

    name = f"{kind}-report/{kind}-report"
    run: Any = retrying(lambda: run_deployment(
        name, parameters={"period_from": start.isoformat(), "period_to": end.isoformat()},
        timeout=0, tags=["complaints", "reports", "cli"]),
        delays=START_RETRY_DELAYS, retry_if=_server_error)
    return str(run.id)


def _wait_for_files(run_id: str) -> str:
    """Until the run waits for its signature or has ended: its state's name."""
    from prefect import get_client

    deadline = time.monotonic() + WAIT_SECONDS
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(UUID(run_id)).state
            if state is not None and (state.is_paused() or state.is_final()):
                return state.name or state.type.value
            if time.monotonic() > deadline:
                raise InputError(f"report: the run has not finished its files after "
                                 f"{WAIT_SECONDS} s; see {_url(run_id)}")
            time.sleep(1)


def _folder(kind: str, run_id: str) -> Path | None:
    from tasks.reports import reports_dir

    if kind == "weekly":
        number = _bulletin(run_id).get("number", "")
        found = sorted(reports_dir().glob(f"weekly-*-{number}")) if number else []
    else:
        found = sorted(reports_dir().glob(f"monthly-*-{run_id[:8]}"))
    return found[-1] if found else None


def _bulletin(run_id: str) -> dict[str, str]:
    from models.store import bulletins, transaction
    from tasks.runtime import settings

    with transaction(settings().store_url) as session:
        row = bulletins.draft_of(session, flow_run_id=run_id)
        return {} if row is None else {"number": row.number, "status": row.status,
                                       "corrects": row.corrects}


def _url(run_id: str) -> str:
    from tasks.operations import run_url

    return run_url(run_id)
