"""Hostile intake values met by the pure rules: NaN and infinite losses, NUL bytes,
received_at outside its window, and which run-creation errors are worth another try."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from models.errors import InputError
from models.intake import Intake
from tasks.intake_files import first_error
from tests.factories import make_intake

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("loss", [float("nan"), float("inf"), float("-inf"), "NaN", "Infinity"])
def test_a_nan_or_infinite_claimed_loss_must_be_a_number(loss: Any) -> None:
    data = make_intake().model_dump(mode="json") | {"claimed_loss": loss}
    with pytest.raises(ValidationError) as caught:
        Intake.model_validate(data)
    assert first_error(caught.value) == "claimed_loss: must be a number"


def test_nul_bytes_are_stripped_from_every_text_field() -> None:
    intake = make_intake(subject="Noisy\x00 fridge", description="\x00Hums\x00 loudly.",
                         external_ref="REF\x00-1",
                         customer={"name": "Zhou\x00 Min", "email": "zhou\x00@example.org"})
    assert (intake.subject, intake.description, intake.external_ref) == (
        "Noisy fridge", "Hums loudly.", "REF-1")
    assert (intake.customer.name, intake.customer.email) == ("Zhou Min", "zhou@example.org")
    assert "\x00" not in intake.model_dump_json()


@pytest.mark.parametrize("received", [
    "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+08:00", "2026-08-27T12:00:00+00:00",
    "2026-11-26T12:10:00+00:00",
])
def test_received_at_outside_the_window_names_the_field_and_the_window(received: str) -> None:
    from models.intake import check_received

    with pytest.raises(InputError) as caught:
        check_received(make_intake(received_at=received), now=NOW,
                       before=timedelta(days=90), after=timedelta(minutes=5))
    assert str(caught.value) == (
        "received_at: must lie between 2026-08-28T12:00:00+00:00 and "
        f"2026-11-26T12:05:00+00:00 (policy intake.received_window); got {received}")


def test_received_at_inside_the_window_or_empty_is_taken() -> None:
    from models.intake import check_received

    window = {"now": NOW, "before": timedelta(days=90), "after": timedelta(minutes=5)}
    given = make_intake(received_at="2026-11-26T20:04:00+08:00")
    assert check_received(given, **window) == datetime(2026, 11, 26, 12, 4, tzinfo=UTC)
    assert check_received(make_intake(received_at=""), **window) == NOW


@pytest.mark.parametrize("error", [
    httpx.ReadTimeout("read timed out"), httpx.ConnectTimeout("connect timed out"),
    httpx.ConnectError("connection refused"), httpx.RemoteProtocolError("disconnected"),
    httpx.ReadError("connection reset"),
])
def test_run_creation_tries_timeouts_and_connection_errors_again(error: Exception) -> None:
    from tasks.operations import _server_error

    assert _server_error(error)


def test_run_creation_does_not_retry_a_client_error() -> None:
    from tasks.operations import _server_error

    request = httpx.Request("POST", "http://127.0.0.1/api/deployments")
    refused = httpx.HTTPStatusError("409", request=request,
                                    response=httpx.Response(409, request=request))
    assert not _server_error(refused) and not _server_error(KeyError("x"))


@pytest.fixture
def flaky_server() -> Iterator[str]:
    """127.0.0.1 server: the first connection hangs past the client's timeout, the second
    is dropped without an answer, the third gets 200."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        held = []
        for attempt in range(3):
            conn, _ = listener.accept()
            conn.recv(65536)
            if attempt == 0:
                held.append(conn)  # never answered: the client times out
            elif attempt == 1:
                conn.close()
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                conn.close()
        stop.wait(10)
        for conn in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    stop.set()
    listener.close()


def test_create_run_tries_a_timeout_and_a_dropped_connection_again(
    flaky_server: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect import deployments

    from tasks import operations, runtime

    calls: list[str] = []

    def run_deployment(name: str, **options: Any) -> str:
        calls.append(name)  # a real HTTP request, as the Prefect client makes one
        response = httpx.get(flaky_server, timeout=0.5)
        response.raise_for_status()
        return response.text

    monkeypatch.setattr(deployments, "run_deployment", run_deployment)
    monkeypatch.setattr(runtime.time, "sleep", lambda _: None)
    assert operations.create_run(flow_run_name="C-1 · C") == "ok"
    assert len(calls) == 3
