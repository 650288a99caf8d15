"""Whole cases through the real path: the deployment served against a Prefect server, the
case started through the deployment, every human stage answered through the resume API."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from prefect import get_client

from tests.factories import make_intake
from tests.flows import answers
from tests.flows.driver import (
    latest_artifact,
    outbox_files,
    outbox_text,
    respond,
    resume,
    submit,
    wait_for,
)

pytestmark = pytest.mark.prefect_server
# Received now, so the session's watchdog sees live clocks, not long-breached ones.
RECEIVED = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0)


def intake(**overrides: Any) -> dict[str, Any]:
    base = {"channel": "web", "claimed_loss": 800, "received_at": RECEIVED.isoformat(),
            # one customer per test: a customer's third complaint in 90 days is raised
            "customer": {"name": "Anna Weber", "phone": "",
                         "email": f"anna.weber+{overrides.get('external_ref') or 'x'}@example.org",
                         "language": "en"}}
    return make_intake(**{**base, **overrides}).model_dump(mode="json")


def kinds(story: dict[str, Any]) -> list[str]:
    """Event kinds in order, less the submitter's own note (its place races the run)."""
    return [e["kind"] for e in story["events"] if e["kind"] != "run_started"]


def test_a_complaint_goes_from_intake_form_to_closure(served: Any) -> None:
    started = submit(intake(external_ref="LIFECYCLE-1"))
    number = started["case"]
    assert started["tier"] == "B" and started["url"].endswith(started["flow_run_id"])

    respond(number, "handover", answers.HANDOVER_SIGN)
    respond(number, "investigation", answers.INVESTIGATION)
    respond(number, "solution", answers.SOLUTION_ONE)
    respond(number, "choice", answers.CHOICE_ONE)
    respond(number, "execution", answers.EXECUTION)
    respond(number, "callback", answers.CALLBACK_OK)
    respond(number, "review", answers.REVIEW)
    story = wait_for(number, "closed")

    assert story["close_kind"] == "first_time" and story["level"] == "intermediate"
    assert kinds(story) == [
        "received", "judged", "handed_over", "waiting", "answered", "signed",
        "waiting", "answered", "investigated", "waiting", "answered", "solution_proposed",
        "waiting", "clocks_paused", "answered", "clocks_resumed", "option_chosen",
        "waiting", "answered", "executed", "close_requested", "waiting", "answered",
        "called_back", "waiting", "answered", "reviewed", "closed"]
    times = [datetime.fromisoformat(e["at"]) for e in story["events"]]
    assert times == sorted(times) and all(e["actor"] for e in story["events"])
    # Deadlines as the clocks have them: the close moved on by the time the customer chose.
    deadlines = {k: datetime.fromisoformat(v) for k, v in story["deadlines"].items()}
    close = next(c for c in story["clocks"] if c["name"] == "close")
    paused = timedelta(seconds=close["paused_seconds"])
    assert paused > timedelta(0)
    moved = deadlines["close"] - (RECEIVED + timedelta(hours=24))
    assert paused <= moved < paused + timedelta(seconds=1)  # paused_seconds is whole
    assert deadlines["acknowledge"] == RECEIVED + timedelta(hours=1)
    sent = Counter((m["purpose"], m["role"]) for m in story["messages"])
    assert sent == Counter({("acknowledgement", "customer"): 1, ("handover", "handler"): 1,
                            ("solution_proposal", "customer"): 1, ("progress", "customer"): 1,
                            ("callback_survey", "customer"): 1, ("closure", "customer"): 1,
                            ("callback_result", "handler"): 1})
    met = {c["name"]: c["outcome"] for c in story["clocks"]}
    assert met["acknowledge"] == met["handover"] == "met"  # at delivery, at the signature
    closure = next(m for m in story["messages"] if m["purpose"] == "closure")
    assert "Wu Hao" not in str(closure) and "replaced your screen" in outbox_text(number,
                                                                                   "closure")
    assert {m["status"] for m in story["messages"]} == {"sent"}
    assert len(outbox_files(number)) == len(story["messages"])
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(story["flow_run_id"])
    assert run.state is not None and run.state.is_completed()
    assert run.name == f"{number} · B" and "tier:B" in run.tags
    assert "Anna" not in str(run.parameters) and "anna.weber" not in str(run.parameters)
    card = latest_artifact(f"case-{number.lower()}")
    assert card.startswith(f"# {number} · B类 严重投诉 · 已结案") and "A\\*\\*\\* W" in card
    assert "Anna" not in card and "| 结案 | 1 |" in card and "**结案**" in card


def test_a_not_satisfied_callback_reopens_the_case_as_a_repeat_complaint(served: Any) -> None:
    number = submit(intake(threatening=True, external_ref="LIFECYCLE-2"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    respond(number, "investigation", answers.INVESTIGATION)
    respond(number, "solution", answers.SOLUTION_TWO)
    respond(number, "choice", answers.CHOICE)
    respond(number, "execution", answers.EXECUTION)
    respond(number, "callback", answers.CALLBACK_NOT_OK)
    story = wait_for(number, "solution")
    assert story["round"] == 2 and story["waiting_for"] == "solution-2"
    # `show` gives the deadlines of the round that runs, not of the intake judgment.
    close = {c["round"]: c["due"] for c in story["clocks"] if c["name"] == "close"}
    assert story["deadlines"]["close"] == close[2] and close[2] > close[1]
    assert [e["rung"] for e in story["escalations"]] == ["general_manager"]
    assert ("escalation", "general_manager") in {(m["purpose"], m["role"])
                                                 for m in story["messages"]}

    respond(number, "solution", answers.SOLUTION_TWO)
    respond(number, "choice", answers.CHOICE)
    respond(number, "execution", answers.EXECUTION)
    respond(number, "callback", answers.CALLBACK_OK)
    respond(number, "review", answers.REVIEW)
    story = wait_for(number, "closed")
    assert story["close_kind"] == "second"
    assert Counter(kinds(story))["reopened"] == 1
    close_clocks = [c for c in story["clocks"] if c["name"] == "close"]
    assert [c["round"] for c in close_clocks] == [1, 2]
    assert Counter(m["purpose"] for m in story["messages"])["solution_proposal"] == 2


def test_review_with_only_vague_actions_is_refused_and_asked_again(served: Any) -> None:
    number = submit(intake(claimed_loss=0, external_ref="LIFECYCLE-3"))["case"]
    for stage, answer in [("handover", answers.HANDOVER_SIGN),
                          ("investigation", answers.INVESTIGATION),
                          ("solution", answers.SOLUTION_ONE), ("choice", answers.CHOICE_ONE),
                          ("execution", answers.EXECUTION), ("callback", answers.CALLBACK_OK)]:
        respond(number, stage, answer)
    story = wait_for(number, "review")
    # The CLI refuses it before it reaches the run; the UI form would reach the run.
    from cli import commands
    from models.errors import InputError
    from tests.flows.driver import write_json

    with pytest.raises(InputError, match="corrective_actions.0.what"):
        commands.respond(number, "review", write_json(answers.VAGUE_REVIEW, "vague.json"))
    _resume_raw(story["flow_run_id"], answers.VAGUE_REVIEW)
    story = wait_for(number, "review")
    assert story["waiting_for"] == "review-retry2"
    assert "corrective_actions.0.what" in str(story["answers"]["review"]["problems"])
    respond(number, "review", answers.REVIEW)
    assert wait_for(number, "closed")["status"] == "closed"


def _resume_raw(flow_run_id: str, answer: dict[str, Any]) -> None:
    """What the UI form does: the resume API with the answer, no checks of ours before."""
    resume(flow_run_id, answer)


def test_a_complaint_from_the_run_form_is_stored_named_and_masked(served: Any) -> None:
    """The UI's intake form creates a flow run with the full intake and a random name; the
    same form sent twice at once makes one case, whichever run gets there first."""
    from prefect.deployments import run_deployment

    from tasks.runtime import settings

    form = intake(external_ref="FORM-1", emotion="extreme")
    runs = [run_deployment(settings().deployment, parameters={"intake": form}, timeout=0)
            for _ in range(2)]
    driving, duplicate = _settled(runs[0].id, runs[1].id)
    number = driving.name.split(" ")[0]
    assert driving.name == f"{number} · A" and "tier:A" in driving.tags
    assert "Anna" not in str(driving.parameters)
    assert "anna.weber" not in str(driving.parameters)
    story = wait_for(number, "handover")
    assert story["flow_run_id"] == str(driving.id)
    assert "duplicate_submission" in kinds(story)
    assert duplicate.state is not None and duplicate.state.result() == number


def _settled(*ids: Any, seconds: float = 120) -> tuple[Any, Any]:
    """(the run driving the case, now suspended; the duplicate, completed)."""
    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = [client.read_flow_run(i) for i in ids]
            paused = [r for r in runs if r.state and r.state.is_paused()]
            done = [r for r in runs if r.state and r.state.is_completed()]
            if len(paused) == 1 and len(done) == 1:
                return paused[0], done[0]
            time.sleep(0.5)
    raise AssertionError(f"runs never settled: {[(r.name, r.state) for r in runs]}")
