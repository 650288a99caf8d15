"""The Prefect server as the desk runs it: Prefect's own app, behind a guard.

Prefect renders `{"__prefect_kind": "jinja" | "workspace_variable" | "json", ...}`
objects on the server before it stores a resume's answer or a new run's parameters
(not configurable), so a templated value would reach the case store already rendered,
where nothing can tell it from what a person typed. The guard refuses such objects in
those two requests (422, one line naming the field) before Prefect sees them; everything
else passes through untouched. A person typing into a form never produces one.

It also takes the resumes of one flow run one at a time: two answers sent at the same
instant (two people pressing Submit, two `complaints respond`) could otherwise both read
the run as suspended and both be accepted, one answer silently replacing the other. In
turn, the second finds the run no longer suspended and is refused (ABORT). An answer
naming its form (`form_key`) is refused (ABORT) when the run waits at another form:
Prefect's resume does not say which pause it resumes, so a client retrying a request
(after a 503 while the database was busy) would otherwise hand a stale answer to the
form asked next and be told it was accepted.

    python -m cli.prefect_server --host 127.0.0.1 --port 4200

runs what `prefect server start` runs in the foreground (`create_app(final=True)` under
uvicorn, services included), with the guard in front. The settings come from the
environment, as for `prefect server start`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from models.stages import KIND, form_of_pause, templated

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

GUARDED = re.compile(r"^/api/(flow_runs/(?P<run>[0-9a-fA-F-]{36})/resume|"
                     r"deployments/[0-9a-fA-F-]{36}/create_flow_run)/?$")


class RefuseTemplates:
    """ASGI middleware: a guarded request whose body holds a template object gets 422."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.resuming: dict[str, tuple[asyncio.Lock, int]] = {}  # run -> lock, requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        guarded = (GUARDED.match(scope["path"])
                   if scope["type"] == "http" and scope["method"] == "POST" else None)
        if guarded is None:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        field = _templated_field(body)
        if field:
            await _refuse(send, f"{field}: templates ({KIND}) are not accepted here; "
                                "give the value itself")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        run = guarded.group("run")
        if run is None:
            await self.app(scope, replay, send)
            return
        lock, waiting = self.resuming.get(run, (asyncio.Lock(), 0))
        self.resuming[run] = (lock, waiting + 1)
        try:
            async with lock:
                elsewhere = await _waits_elsewhere(run, _form_key(body))
                if elsewhere:
                    await _abort(send, elsewhere)
                    return
                await self.app(scope, replay, send)
        finally:
            lock, waiting = self.resuming[run]
            if waiting == 1:
                del self.resuming[run]
            else:
                self.resuming[run] = (lock, waiting - 1)


def _templated_field(body: bytes) -> str:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return ""  # Prefect answers malformed JSON itself
    if not isinstance(data, dict):
        return ""
    for name in ("run_input", "parameters"):
        found = templated(data.get(name), name)
        if found:
            return found
    return ""


def _form_key(body: bytes) -> str:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return ""
    run_input = data.get("run_input") if isinstance(data, dict) else None
    key = run_input.get("form_key") if isinstance(run_input, dict) else None
    return key if isinstance(key, str) else ""


async def _waits_elsewhere(run: str, form_key: str) -> str:
    """Why an answer for `form_key` cannot resume the run (it is paused at another form),
    or '' (no form named, not paused: Prefect decides as usual)."""
    if not form_key:
        return ""
    from uuid import UUID

    from prefect.server import models
    from prefect.server.database import provide_database_interface

    try:
        run_id = UUID(run)
    except ValueError:
        return ""
    async with provide_database_interface().session_context() as session:
        flow_run = await models.flow_runs.read_flow_run(session, flow_run_id=run_id)  # type: ignore[attr-defined]
        state = flow_run.state if flow_run is not None else None
        pause_key = state.state_details.pause_key if state is not None else None
    if state is None or state.type.value != "PAUSED" or not pause_key:
        return ""
    waiting = form_of_pause(pause_key)
    return "" if waiting == form_key else (
        f"form_key: this answer is for form {form_key}; the run now waits for {waiting}")


async def _abort(send: Send, reason: str) -> None:
    """Refused as Prefect refuses a resume it cannot take: an ABORT orchestration result."""
    payload = json.dumps({"status": "ABORT", "state": None,
                          "details": {"type": "abort_details", "reason": reason}}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


async def _refuse(send: Send, detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def main(argv: list[str] | None = None) -> None:
    import uvicorn
    from prefect.server.api.server import create_app
    from prefect.settings import PREFECT_SERVER_LOGGING_LEVEL

    args = argparse.ArgumentParser(prog="python -m cli.prefect_server")
    args.add_argument("--host", default="127.0.0.1")
    args.add_argument("--port", type=int, default=4200)
    options = args.parse_args(argv)
    app = create_app(final=True)
    app.add_middleware(RefuseTemplates)
    uvicorn.run(app, host=options.host, port=options.port,
                log_level=str(PREFECT_SERVER_LOGGING_LEVEL.value()).lower())


if __name__ == "__main__":
    main()
