"""Deployments operations staff start from the Prefect UI: acknowledge an escalation,
re-run stalled cases. Their run forms are the forms."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from tasks import operations


@flow(name="acknowledge-escalation")
def acknowledge_escalation(case_number: str, acknowledged_by: str,
                           note: str = "") -> dict[str, Any]:
    """A manager takes the case: its escalations stop climbing the ladder."""
    return operations.acknowledge(case_number.strip(), by=acknowledged_by, note=note)


@flow(name="rerun-stalled")
def rerun_stalled(case_number: str = "") -> list[dict[str, Any]]:
    """Continue one case (its number), or every stalled case (leave it empty)."""
    logger = get_run_logger()
    numbers = [case_number.strip()] if case_number.strip() else [
        c["case"] for c in operations.stalled()]
    results = [operations.rerun(number) for number in numbers]
    logger.info("Re-ran %d case(s): %s", len(results), ", ".join(numbers) or "none stalled")
    return results
