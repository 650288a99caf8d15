"""Drive cases the way operations staff do: submit, wait for a form, answer it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli import commands
from tests.conftest import SESSION_DIR


def write_json(data: dict[str, Any], name: str) -> str:
    path = SESSION_DIR / "inputs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def submit(intake: dict[str, Any]) -> dict[str, Any]:
    return commands.submit(write_json(intake, f"intake-{time.monotonic_ns()}.json"))


def wait_for(number: str, stage: str, *, timeout: float = 120) -> dict[str, Any]:
    """Until the case waits for `stage`, or for 'closed': closed and its run finished (the
    closure message is delivered after the case is marked closed)."""
    deadline = time.monotonic() + timeout
    story: dict[str, Any] = {}
    while time.monotonic() < deadline:
        story = commands.show(number)
        waiting = story["waiting_for"].split("-")[0]
        if (stage == "closed" and story["status"] == "closed"
                and _run_state(story["flow_run_id"]) == "COMPLETED") or (
                waiting == stage and _run_state(story["flow_run_id"]) == "PAUSED"):
            # Read again: the run may have finished sending after the first read.
            return commands.show(number)
        time.sleep(0.5)
    raise AssertionError(f"{number} never waited for {stage}; last seen: "
                         f"stage={story.get('stage')} waiting_for={story.get('waiting_for')} "
                         f"events={[e['kind'] for e in story.get('events', [])]}")


def until(check: Callable[[], Any], failure: str, *, seconds: float = 120,
          every: float = 0.3) -> Any:
    """What `check()` returns once it is truthy; AssertionError(failure) after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(failure)


def flow_run(flow_run_id: str) -> Any:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id)


def _run_state(flow_run_id: str | None) -> str:
    if not flow_run_id:
        return ""
    run = flow_run(flow_run_id)
    return run.state.type.value if run.state else ""


def respond(number: str, stage: str, answer: dict[str, Any]) -> dict[str, Any]:
    wait_for(number, stage)
    path = write_json(answer, f"{number}-{stage}-{time.monotonic_ns()}.json")
    return commands.respond(number, stage, path)


def outbox_files(number: str) -> list[Path]:
    from tasks.runtime import settings

    return sorted(settings().outbox_path.glob(f"{number}_*.eml"))


def outbox_text(number: str, purpose: str) -> str:
    """The plain text of the case's delivered messages of one purpose (the file channel)."""
    from email import message_from_bytes, policy

    texts = []
    for path in outbox_files(number):
        if f"_{purpose}_" in path.name:
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = mail.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
            texts.append(body.get_content() if body else "")
    return "\n".join(texts)


def _latest(key: str) -> Any:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(artifact_filter=ArtifactCollectionFilter(
            key=ArtifactCollectionFilterKey(any_=[key])))
    assert found, f"no artifact {key!r}"
    return found[0]


def latest_artifact(key: str) -> str:
    """The newest version of a keyed artifact, as the UI shows it."""
    return str(_latest(key).data)


def latest_artifact_id(key: str) -> str:
    return str(_latest(key).latest_id)


def resume(flow_run_id: str, answer: dict[str, Any], *, seconds: float = 30) -> None:
    """Prefect's resume API with the answer, as the UI form calls it, once the run has
    saved its form: Prefect shows the run Suspended a moment before it stores the form's
    schema, and refuses an answer in between ("Run input schema not found")."""
    from prefect.flow_runs import resume_flow_run

    def resumed() -> bool:
        try:
            resume_flow_run(flow_run_id, run_input=answer)
        except RuntimeError as exc:
            if "schema not found" not in str(exc):
                raise
            return False
        return True

    until(resumed, f"run {flow_run_id} never took the answer: its form was not saved",
          seconds=seconds)
