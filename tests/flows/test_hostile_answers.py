"""Answers that race, reach the wrong form, carry templates, or never came (issue #9)."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import pytest
from prefect import get_client
from prefect.flow_runs import resume_flow_run
from prefect.states import Cancelled

from cli import commands
from models.errors import ComplaintError, InputError
from tasks import operations
from tests.flows import answers
from tests.flows.driver import flow_run, respond, resume, submit, until, wait_for, write_json
from tests.flows.test_lifecycle import intake

pytestmark = pytest.mark.prefect_server


def _asked_again(number: str, key: str, old_pause_key: str) -> dict[str, Any]:
    """Until the run is suspended at `key` again, under a pause key it had not used."""
    def check() -> dict[str, Any] | None:
        story = commands.show(number)
        state = flow_run(story["flow_run_id"]).state
        if (story["waiting_for"] == key and state is not None and state.is_paused()
                and state.state_details.pause_key != old_pause_key):
            return story
        return None
    return until(check, f"{number} was not asked again at {key}")  # type: ignore[no-any-return]


def _pause_key(story: dict[str, Any]) -> str:
    state = flow_run(story["flow_run_id"]).state
    assert state is not None and state.is_paused()
    return str(state.state_details.pause_key)


def _clean(story: dict[str, Any], stage: str) -> None:
    kinds = [e["kind"] for e in story["events"]]
    assert "answer_refused" not in kinds
    assert not [k for k in story["answers"] if k.startswith(stage)]
    assert "given" not in str(story["answers"])


def test_rerun_of_a_waiting_case_invents_no_refused_answer(served: Any) -> None:
    number = submit(intake(external_ref="HOSTILE-RERUN-1"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    story = wait_for(number, "investigation")
    first = _pause_key(story)
    with pytest.raises(InputError, match="waiting for investigation"):
        operations.rerun(number)  # healthy and waiting: nothing to rerun
    assert operations.rerun(number, force=True)["how"] == "same run rescheduled"
    story = _asked_again(number, "investigation", first)
    _clean(story, "investigation")

    second = _pause_key(story)
    with get_client(sync_client=True) as client:  # a run cancelled while it waits
        client.set_flow_run_state(story["flow_run_id"], Cancelled(), force=True)
    operations.rerun(number)
    story = _asked_again(number, "investigation", second)
    _clean(story, "investigation")

    respond(number, "investigation", answers.INVESTIGATION)
    story = wait_for(number, "solution")
    assert story["answers"]["investigation"]["answered_by"] == "Li Ming (technical)"
    assert answered(story) == ["handover", "investigation"]  # the signature not asked again


def answered(story: dict[str, Any]) -> list[str]:
    return [e["step"] for e in story["events"] if e["kind"] == "answered"]


def _at_once(number: str, stage: str, answer: dict[str, Any], count: int) -> list[Any]:
    """`count` people answer the same form at the same moment; each result or error."""
    paths = [write_json(answer, f"{number}-{stage}-racer{i}.json") for i in range(count)]
    gate, results = threading.Barrier(count), list[Any]([None] * count)

    def one(i: int) -> None:
        gate.wait()
        try:
            results[i] = commands.respond(number, stage, paths[i])
        except ComplaintError as exc:
            results[i] = exc
    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_concurrent_answers_are_taken_once_and_the_others_refused(served: Any) -> None:
    number = submit(intake(external_ref="HOSTILE-RACE-1"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    wait_for(number, "investigation")
    results = _at_once(number, "investigation", answers.INVESTIGATION, 4)
    taken = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, ComplaintError)]
    assert len(taken) == 1 and taken[0]["resumed"] is True, results
    assert len(refused) == 3, results
    for error in refused:
        assert f"case {number} is no longer waiting for investigation (answered by" in str(error)
    story = wait_for(number, "solution")
    assert answered(story) == ["handover", "investigation"]
    assert [k for k in story["answers"] if k.startswith("investigation")] == ["investigation"]

    respond(number, "solution", answers.SOLUTION_ONE)
    respond(number, "choice", answers.CHOICE_ONE)
    wait_for(number, "execution")
    intermediate = answers.INTERMEDIATE
    results = _at_once(number, "execution", intermediate, 2)
    assert sum(isinstance(r, dict) for r in results) == 1, results
    story = until(lambda: (s := commands.show(number))["waiting_for"] == "execution-1-r2"
                   and s, "the run did not ask again after the intermediate result")
    assert [k for k in story["answers"] if k.startswith("execution")] == ["execution-1"]
    progress = [m for m in story["messages"] if m["purpose"] == "progress"]
    assert len(progress) == 1


def test_a_ui_answer_for_an_earlier_form_is_not_applied_to_the_next(served: Any) -> None:
    number = submit(intake(external_ref="HOSTILE-STALE-1"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    respond(number, "investigation", answers.INVESTIGATION)
    story = wait_for(number, "solution")
    first = _pause_key(story)
    stale = {**answers.SOLUTION_ONE, "form_key": "investigation"}  # a tab left open
    with get_client(sync_client=True) as client:  # the server refuses it before Prefect
        result = client.resume_flow_run(UUID(story["flow_run_id"]), run_input=stale)
    assert result.status.value == "ABORT"
    assert "for form investigation; the run now waits for solution-1" in str(result.details)
    story = commands.show(number)
    assert story["waiting_for"] == "solution-1" and _pause_key(story) == first
    _clean(story, "solution")

    respond(number, "solution", answers.SOLUTION_ONE)
    story = wait_for(number, "choice")
    assert [k for k in story["answers"] if k.startswith("solution")] == ["solution-1"]


def test_a_template_in_an_answer_is_refused_by_the_cli_and_by_the_server(
    served: Any,
) -> None:
    number = submit(intake(external_ref="HOSTILE-JINJA-1"))["case"]
    respond(number, "handover", answers.HANDOVER_SIGN)
    story = wait_for(number, "investigation")
    template = {"__prefect_kind": "jinja", "template": "{{ 7*7 }}"}
    path = write_json({**answers.INVESTIGATION, "answered_by": template}, "jinja.json")
    with pytest.raises(InputError, match="answered_by: .*not allowed"):
        commands.respond(number, "investigation", path)
    assert commands.show(number)["waiting_for"] == "investigation"

    # The resume API (what the UI calls) would render it on Prefect's server before the
    # run sees it; the desk's server (cli.prefect_server) refuses it first.
    with pytest.raises(Exception, match="templates"):
        resume_flow_run(story["flow_run_id"], run_input={**answers.INVESTIGATION,
                                                         "answered_by": template})
    assert flow_run(story["flow_run_id"]).state.is_paused()
    # and a plain answer still goes through
    resume(story["flow_run_id"], {**answers.INVESTIGATION, "form_key": "investigation"})
    story = wait_for(number, "solution")
    assert story["answers"]["investigation"]["answered_by"] == answers.INVESTIGATION[
        "answered_by"]
    assert not [e for e in story["events"] if e["kind"] == "answer_refused"]
