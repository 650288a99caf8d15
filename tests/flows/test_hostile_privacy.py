"""Runs started from the UI form or `run_deployment` carry the full intake in their
parameters: the run masks them first thing, whatever becomes of the intake (issue #9,
defect 5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flows.driver import flow_run, until, wait_for
from tests.flows.test_lifecycle import intake

pytestmark = pytest.mark.prefect_server
SIGNATURE = " Call me on +86 137 5555 6666 or write to anna.private@example.net."
CONTACTS = ("Anna", "anna.weber", "13755556666", "5555 6666", "anna.private")


def _start(form: dict[str, Any]) -> Any:
    from prefect.deployments import run_deployment

    from tasks.runtime import settings

    return run_deployment(settings().deployment, parameters={"intake": form}, timeout=0)


def _until(run_id: Any, done: Any, seconds: float = 120) -> Any:
    def reached() -> Any:
        run = flow_run(str(run_id))
        return run if run.state and done(run) else None

    return until(reached, f"run {run_id} never got there", seconds=seconds, every=0.5)


def _nothing_to_read(run: Any) -> None:
    shown = f"{run.parameters} {run.state.message if run.state else ''}"
    for contact in CONTACTS:
        assert contact not in shown, shown


def test_a_refused_intake_leaves_no_customer_contact_in_its_run(served: Any) -> None:
    # The run form's schema lets it through; our rule (a phone or an e-mail) does not.
    form = {**intake(), "description": "Screen broken." + SIGNATURE}
    form["customer"] = {**form["customer"], "email": ""}
    run = _until(_start(form).id, lambda r: r.state.is_final())
    assert run.state.is_failed() and "phone or email" in str(run.state.message)
    _nothing_to_read(run)


def test_a_phone_and_email_in_the_description_are_masked_in_the_run(served: Any) -> None:
    form = intake(external_ref="PRIVACY-1", description="Screen broken." + SIGNATURE)
    run = _until(_start(form).id, lambda r: r.state.is_paused())
    wait_for(run.name.split(" ")[0], "handover")
    _nothing_to_read(run)
    assert "137****6666" in str(run.parameters) and "a***@example.net" in str(run.parameters)
