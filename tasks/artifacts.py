"""What the Prefect UI shows beside the runs: each case's card and the SLA board.

The case card is a keyed markdown artifact (`case-c-20261124-0001`), one per flow run,
updated in place at every stage; the SLA board is a keyed markdown table (`sla-board`)
the watchdog refreshes: stalled cases first, then by nearest deadline. Customer details
are masked.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from models.board import board_markdown, board_row
from models.cards import case_card
from models.i18n import t
from models.privacy import mask_email, mask_name, mask_phone
from models.store import repo, transaction
from models.store.db import CaseRow, ClockRow, EscalationRow
from models.store.story import story
from notifications.links import card_key, ui_url
from tasks.operations import ACKNOWLEDGEABLE
from tasks.runtime import now, policy, settings

MASKERS = (mask_name, mask_phone, mask_email)
log = logging.getLogger("complaints.artifacts")
NO_RUN = "no run yet"


def publish_case_card(number: str) -> None:
    """The case's card, one per flow run, updated in place: the run's Artifacts tab shows
    one card, and it is current (its key's latest version is the same row)."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.runtime import flow_run

    markdown, _ = _card(number)
    run_id = flow_run.get_id()
    if run_id and _update_card(number, str(run_id), markdown):
        return
    create_markdown_artifact(markdown=markdown, key=card_key(number),
                             description=t(policy().staff_language, "card.description",
                                           case=number))


def refresh_case_cards(numbers: set[str]) -> int:
    """Bring the cards of these cases up to date from outside their runs (the watchdog
    after an escalation or a breach, an acknowledgement): each card is updated in place
    in its own run; a case whose run has no card yet is left to its run. Returns how
    many were updated."""
    updated = 0
    for number in sorted(numbers):
        try:
            markdown, run_id = _card(number)
            if run_id and _update_card(number, run_id, markdown):
                updated += 1
        except Exception:  # a view: the next form or sweep brings it up to date
            log.warning("Could not refresh the card of %s", number, exc_info=True)
    return updated


def _card(number: str) -> tuple[str, str | None]:
    """The card's markdown as the store has the case now, and the case's flow run id."""
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        data = story(session, case, reveal=False, maskers=MASKERS, url="")
    rules = policy()
    return (case_card(data, now=now(), tz=rules.calendar.timezone,
                      language=rules.staff_language), data["flow_run_id"])


def _update_card(number: str, run_id: str, markdown: str) -> bool:
    """Update the card of the run `run_id` in place; False if that run has none."""
    from prefect import get_client
    from prefect.client.schemas.actions import ArtifactUpdate
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    with get_client(sync_client=True) as client:
        mine = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[card_key(number)]),
            flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)])), limit=1)
        if not mine:
            return False
        client.update_artifact(mine[0].id, ArtifactUpdate(data=markdown))
        return True


def board(*, at: datetime, limit: int = 50,
          stalled: dict[str, str] | None = None) -> list[dict[str, str]]:
    """One row per open case, by its nearest running deadline, at most `limit`; the
    stalled ones (`stalled`: number -> why, from `tasks.operations.stalled`) first and
    always, those whose clocks all wait included."""
    stalled = stalled or {}
    running = (ClockRow.open == 1, ClockRow.met_at.is_(None), ClockRow.paused_since.is_(None))
    nearest = select(ClockRow.case_id, ClockRow.name, ClockRow.round, ClockRow.due_at,
                     func.row_number().over(partition_by=ClockRow.case_id,
                                            order_by=(ClockRow.due_at, ClockRow.id))
                     .label("n")).where(*running).subquery()
    with transaction(settings().store_url) as session:
        rows = [dict(r) for r in session.execute(
            select(*CASE_COLUMNS, nearest.c.name, nearest.c.round, nearest.c.due_at)
            .join(nearest, nearest.c.case_id == CaseRow.id)
            .where(nearest.c.n == 1, CaseRow.status == "open")
            .order_by(nearest.c.due_at, CaseRow.id).limit(limit)).mappings()]
        listed = {r["number"] for r in rows}
        waiting = [dict(r, due_at=None) for r in session.execute(
            select(*CASE_COLUMNS).where(CaseRow.number.in_(sorted(set(stalled) - listed)),
                                        CaseRow.status == "open")).mappings()]
    rules = policy()
    rows = sorted(waiting + rows, key=lambda r: r["number"] not in stalled)  # stable
    # A case stored without a run is on the board too: its clocks run from receipt.
    return [board_row(r, now=at, tz=rules.calendar.timezone, language=rules.staff_language,
                      card=ui_link(f"artifacts/key/{card_key(r['number'])}"),
                      run=ui_link(f"runs/flow-run/{r['flow_run_id']}") if r["flow_run_id"]
                      else NO_RUN, stalled=stalled.get(r["number"], "")) for r in rows]


def open_cases() -> int:
    """How many cases are open: the board says how many it does not list."""
    with transaction(settings().store_url) as session:
        return int(session.scalar(select(func.count()).where(CaseRow.status == "open")) or 0)


def _escalations(*, acknowledged: bool) -> Any:
    done = EscalationRow.acknowledged_at.is_not(None)
    return (select(func.count()).where(EscalationRow.case_id == CaseRow.id,
                                       EscalationRow.rung.in_(ACKNOWLEDGEABLE),
                                       done if acknowledged else ~done)
            .correlate(CaseRow).scalar_subquery())


CASE_COLUMNS = (CaseRow.number, CaseRow.tier, CaseRow.stage, CaseRow.flow_run_id,
                _escalations(acknowledged=False).label("escalations"),
                _escalations(acknowledged=True).label("acknowledged"))


def recent_warnings(days: int = 7) -> list[str]:
    """The early warnings raised in the last `days`, newest first, as sentences in the
    staff's language."""
    from datetime import timedelta

    from models.reports.model import Warning
    from models.store.db import WarningRow
    from notifications.report_render import warning_text

    with transaction(settings().store_url) as session:
        found = session.scalars(select(WarningRow.data).where(
            WarningRow.raised_at >= now() - timedelta(days=days))
            .order_by(WarningRow.id.desc()).limit(20))
        warnings = [Warning.model_validate(data) for data in found]
    return [warning_text(policy().staff_language, w) for w in warnings]


def ui_link(path: str) -> str:
    """A page of the Prefect UI (the new UI, under /v2): absolute when the UI's address
    is known, else relative to the server."""
    return ui_url(f"/{path}") or f"/v2/{path}"


def publish_sla_board() -> int:
    """The board as a new version of the `sla-board` markdown artifact; its number of rows."""
    from prefect.artifacts import create_markdown_artifact

    from tasks.operations import stalled

    rows = board(at=now(), stalled={c["case"]: c["why"] for c in stalled()})
    rules = policy()
    markdown = board_markdown(rows, tz=rules.calendar.timezone, language=rules.staff_language,
                              warnings=recent_warnings(), open_cases=open_cases())
    create_markdown_artifact(
        markdown=markdown, key="sla-board",
        description=t(rules.staff_language, "board.description"))
    return len(rows)
