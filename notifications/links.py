"""Links into Prefect's UI (the new UI, under /v2) for staff: a case's card, the board."""

from __future__ import annotations


def ui_url(path: str) -> str:
    """A page of Prefect's UI, or '' when no UI is known (no server configured)."""
    from prefect.settings import get_current_settings

    ui = get_current_settings().ui_url
    return f"{ui.rstrip('/')}/v2{path}" if ui else ""


def card_key(number: str) -> str:
    """The artifact key of a case's card, e.g. case-c-20261124-0001."""
    return f"case-{number.lower()}"


def staff_links(number: str) -> dict[str, str]:
    return {"card_url": ui_url(f"/artifacts/key/{card_key(number)}"),
            "board_url": ui_url("/artifacts/key/sla-board")}
