"""What a stage form shows of its case, read from the store when the form is asked."""

from __future__ import annotations

from typing import Any

from models.store import repo, transaction
from models.store.story import story
from notifications.links import staff_links
from tasks.artifacts import MASKERS
from tasks.runtime import settings


def form_view(number: str) -> dict[str, Any]:
    """The case's masked story, plus what forms need beyond it: the complaint text, the
    options of this round's proposal, who handled the case, and links to its card."""
    with transaction(settings().store_url) as session:
        case = repo.find_case(session, number=number)
        view = story(session, case, reveal=False, maskers=MASKERS, url="")
        offered = repo.get_step(session, case=case, key=f"offer-{case.round}")
        view.update(
            description=case.intake.get("description", ""),
            offer=list(offered.payload.get("options", [])) if offered else [],
            needs_options=int((case.judgment or {}).get("needs_options", 1)),
            handlers=repo.handlers_of(session, case=case),
            **staff_links(number))
    return view
