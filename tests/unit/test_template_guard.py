"""The desk's Prefect server refuses templated answers and parameters (issue #9, 10)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from cli.prefect_server import RefuseTemplates, templated

RUN = "/api/flow_runs/0b6f3c2e-1d4a-4c55-9a70-5b1f2d3e4f50/resume"
DEPLOYMENT = "/api/deployments/0b6f3c2e-1d4a-4c55-9a70-5b1f2d3e4f50/create_flow_run"
JINJA = {"__prefect_kind": "jinja", "template": "{{ 7*7 }}"}


def call(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
    seen: dict[str, Any] = {}

    async def downstream(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        seen["body"] = message["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    sent: list[dict[str, Any]] = []
    chunks = [json.dumps(body).encode()[:10], json.dumps(body).encode()[10:]]

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path}
    asyncio.run(RefuseTemplates(downstream)(scope, receive, send))
    status = sent[0]["status"]
    return status, sent[1]["body"] if status != 200 else seen["body"]


@pytest.mark.parametrize(("value", "where"), [
    ({"a": "x", "b": JINJA}, "b"), ({"a": [1, {"c": JINJA}]}, "a.1.c"), ("text", ""),
    ({"__prefect_kind": "workspace_variable", "variable_name": "x"}, "(top)"),
])
def test_template_objects_are_found_however_deep(value: Any, where: str) -> None:
    assert templated(value) == where


@pytest.mark.parametrize("path", [RUN, DEPLOYMENT])
def test_a_templated_answer_or_parameter_is_refused_before_prefect_sees_it(path: str) -> None:
    field = "run_input" if path == RUN else "parameters"
    status, body = call(path, {field: {"answered_by": JINJA}})
    assert status == 422
    assert json.loads(body)["detail"].startswith(f"{field}.answered_by: templates")


def test_a_plain_answer_reaches_prefect_whole() -> None:
    answer = {"run_input": {"answered_by": "Sun Hao", "facts": "x" * 5000}}
    assert call(RUN, answer) == (200, json.dumps(answer).encode())


def test_resumes_of_one_run_are_taken_one_at_a_time() -> None:
    """Two answers to one run at the same instant: Prefect sees the second only after the
    first; another run's answer is not held up."""
    other = RUN.replace("5b1f2d3e4f50", "000000000000")
    log: list[tuple[str, str]] = []

    async def downstream(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        run = "same" if scope["path"] == RUN else "other"
        log.append((run, "start"))
        await asyncio.sleep(0.05)
        log.append((run, "end"))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guard = RefuseTemplates(downstream)

    async def post(path: str) -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b'{"run_input": {}}', "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            return None

        await guard({"type": "http", "method": "POST", "path": path}, receive, send)

    async def together() -> None:
        await asyncio.gather(post(RUN), post(RUN), post(other))

    asyncio.run(together())
    assert [event for run, event in log if run == "same"] == ["start", "end", "start", "end"]
    assert log.index(("other", "start")) < log.index(("same", "end"))
    assert guard.resuming == {}
