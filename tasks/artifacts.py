"""What the Prefect UI shows beside the runs: each case's card and the SLA board.

The case card is a keyed markdown artifact (`case-c-20261124-0001`), a new version at
every stage; the SLA board is a keyed table artifact (`sla-board`) the watchdog
refreshes, open cases by nearest deadline. Customer details are masked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from models.cards import board_row, case_card
from models.privacy import mask_email, mask_name, mask_phone
from models.store import repo, transaction
from models.store.db import CaseRow, ClockRow, EscalationRow
from models.store.story import story
from tasks.operations import ACKNOWLEDGEABLE
from tasks.runtime import now, policy, settings

MASKERS = (mask_name, mask_phone, mask_email)
NO_RUN = "no run yet"


def card_key(number: str) -> str:
    return f"case-{number.lower()}"


def publish_case_card(number: str) -> None:
    from prefect.artifacts import create_markdown_artifact

    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        data = story(session, case, reveal=False, maskers=MASKERS, url="")
    tz = policy().calendar.timezone
    create_markdown_artifact(markdown=case_card(data, now=now(), tz=tz), key=card_key(number),
                             description=f"Case card of {number}: stage, deadlines, history")


def board(*, at: datetime, limit: int = 50,
          stalled: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Open cases by nearest running deadline; the stalled ones (`stalled`: number ->
    why, from `tasks.operations.stalled`) first, those whose clocks all wait included."""
    stalled = stalled or {}
    with transaction(settings().store_url) as session:
        rows = [dict(r) for r in session.execute(
            select(*CASE_COLUMNS, ClockRow.name, ClockRow.round, ClockRow.due_at)
            .join(CaseRow, CaseRow.id == ClockRow.case_id)
            .where(ClockRow.open == 1, ClockRow.met_at.is_(None),
                   ClockRow.paused_since.is_(None), CaseRow.status == "open")
            .order_by(ClockRow.due_at).limit(limit)).mappings()]
        listed = {r["number"] for r in rows}
        waiting = [dict(r, due_at=None) for r in session.execute(
            select(*CASE_COLUMNS).where(CaseRow.number.in_(sorted(set(stalled) - listed)),
                                        CaseRow.status == "open")).mappings()]
    tz = policy().calendar.timezone
    rows = sorted(waiting + rows, key=lambda r: r["number"] not in stalled)  # stable
    # A case stored without a run is on the board too: its clocks run from receipt.
    return [board_row(r, now=at, tz=tz, card=ui_link(f"artifacts/key/{card_key(r['number'])}"),
                      run=ui_link(f"runs/flow-run/{r['flow_run_id']}") if r["flow_run_id"]
                      else NO_RUN, stalled=stalled.get(r["number"], "")) for r in rows]


def _escalations(*, acknowledged: bool) -> Any:
    done = EscalationRow.acknowledged_at.is_not(None)
    return (select(func.count()).where(EscalationRow.case_id == CaseRow.id,
                                       EscalationRow.rung.in_(ACKNOWLEDGEABLE),
                                       done if acknowledged else ~done)
            .correlate(CaseRow).scalar_subquery())


CASE_COLUMNS = (CaseRow.number, CaseRow.tier, CaseRow.stage, CaseRow.flow_run_id,
                _escalations(acknowledged=False).label("escalations"),
                _escalations(acknowledged=True).label("acknowledged"))


def ui_link(path: str) -> str:
    """A page of the Prefect UI: absolute when the UI's address is known."""
    from prefect.settings import get_current_settings

    ui = get_current_settings().ui_url
    return f"{ui.rstrip('/')}/{path}" if ui else f"/{path}"


def publish_sla_board() -> int:
    """The board as a new version of the `sla-board` table artifact; its number of rows."""
    from prefect.artifacts import create_table_artifact

    from tasks.operations import stalled

    rows = board(at=now(), stalled={c["case"]: c["why"] for c in stalled()})
    create_table_artifact(
        table=rows or [{"case": "no open case has a running deadline"}], key="sla-board",
        description=f"Open cases, stalled first, then by nearest deadline (due in "
                    f"{policy().calendar.timezone}; esc.: open escalations, acknowledged "
                    "ones in brackets). Refreshed by the watchdog at least once a minute.")
    return len(rows)
