"""What the Prefect UI shows beside the runs: each case's card and the SLA board.

The case card is a keyed markdown artifact (`case-c-20261124-0001`), a new version at
every stage; the SLA board is a keyed table artifact (`sla-board`) the watchdog
refreshes, open cases by nearest deadline. Customer details are masked.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select

from models.cards import board_row, case_card
from models.privacy import mask_email, mask_name, mask_phone
from models.store import repo, transaction
from models.store.db import CaseRow, ClockRow, EscalationRow
from models.store.story import story
from notifications.links import card_key
from tasks.operations import run_url
from tasks.runtime import now, policy, settings

MASKERS = (mask_name, mask_phone, mask_email)
NO_RUN = "no run yet"


def publish_case_card(number: str) -> None:
    """The case's card, one per flow run, updated in place: the run's Artifacts tab shows
    one card, and it is current (its key's latest version is the same row)."""
    from prefect import get_client
    from prefect.artifacts import create_markdown_artifact
    from prefect.client.schemas.actions import ArtifactUpdate
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )
    from prefect.runtime import flow_run

    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        data = story(session, case, reveal=False, maskers=MASKERS, url="")
    markdown = case_card(data, now=now(), tz=policy().calendar.timezone)
    key, run_id = card_key(number), flow_run.get_id()
    if run_id:
        with get_client(sync_client=True) as client:
            mine = client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(str(run_id))])), limit=1)
            if mine:
                client.update_artifact(mine[0].id, ArtifactUpdate(data=markdown))
                return
    create_markdown_artifact(markdown=markdown, key=key,
                             description=f"Case card of {number}: stage, deadlines, history")


def board(*, at: datetime, limit: int = 50) -> list[dict[str, str]]:
    escalations = (select(func.count()).where(EscalationRow.case_id == CaseRow.id)
                   .correlate(CaseRow).scalar_subquery())
    with transaction(settings().store_url) as session:
        rows = session.execute(
            select(ClockRow.name, ClockRow.round, ClockRow.due_at, CaseRow.number,
                   CaseRow.tier, CaseRow.stage, CaseRow.flow_run_id,
                   escalations.label("escalations"))
            .join(CaseRow, CaseRow.id == ClockRow.case_id)
            .where(ClockRow.open == 1, ClockRow.met_at.is_(None),
                   ClockRow.paused_since.is_(None), CaseRow.status == "open")
            .order_by(ClockRow.due_at).limit(limit)).mappings().all()
    tz = policy().calendar.timezone
    # A case stored without a run is on the board too: its clocks run from receipt.
    return [board_row(dict(r), now=at, url=run_url(r["flow_run_id"]) if r["flow_run_id"]
                      else NO_RUN, tz=tz) for r in rows]


def publish_sla_board() -> int:
    from prefect.artifacts import create_table_artifact

    rows = board(at=now())
    create_table_artifact(table=rows or [{"case": "no open case has a running deadline"}],
                          key="sla-board", description="Open cases by nearest deadline "
                          "(breaching soon first). Refreshed by the watchdog.")
    return len(rows)
