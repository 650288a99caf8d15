"""The address file of `complaints up` (cli/desk.py), against a real HTTP server on
127.0.0.1 standing in for the Prefect server's health check."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import desk


class Health(http.server.BaseHTTPRequestHandler):
    """A Prefect server's health check, and the deployments it is told it serves."""

    deployments: dict[str, str] = {}  # noqa: RUF012 (set by the tests, one at a time)

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        name = self.path.removeprefix("/api/deployments/name/")
        if self.path == "/api/health":
            self.send_response(200)
            body = b"true"
        elif name in self.deployments:
            self.send_response(200)
            body = json.dumps({"name": name, "status": self.deployments[name]}).encode()
        else:
            self.send_response(404)
            body = b"{}"
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()


@pytest.fixture
def no_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_API_AUTH_STRING", raising=False)


def test_a_published_desk_is_found_and_its_address_set_for_prefect(
    tmp_path: Path, api: str, no_api_url: None,
) -> None:
    written = desk.publish(tmp_path, api_url=api, ui_url=api.removesuffix("/api"),
                           port=1, auth=False)
    assert written.stat().st_mode & 0o777 == 0o600
    assert desk.find(tmp_path) == api and os.environ["PREFECT_API_URL"] == api
    desk.withdraw(tmp_path)
    assert not written.exists()


def test_no_file_a_dead_process_or_no_answer_is_a_desk_not_up(
    tmp_path: Path, api: str, no_api_url: None,
) -> None:
    with pytest.raises(desk.DeskNotUp, match="the desk is not up"):
        desk.find(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    desk.path(tmp_path).write_text(json.dumps({
        "pid": dead.pid, "started": 0, "api_url": api, "ui_url": "", "port": 1,
        "auth": False}), encoding="utf-8")
    with pytest.raises(desk.DeskNotUp, match="the desk is not up"):
        desk.find(tmp_path)
    desk.publish(tmp_path, api_url="http://127.0.0.1:9/api", ui_url="", port=9, auth=False)
    with pytest.raises(desk.DeskNotUp, match="does not answer"):
        desk.find(tmp_path)
    assert "PREFECT_API_URL" not in os.environ


def test_a_desk_with_an_auth_string_asks_for_it_from_the_environment(
    tmp_path: Path, api: str, no_api_url: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk.publish(tmp_path, api_url=api, ui_url="", port=1, auth=True)
    with pytest.raises(desk.DeskNotUp, match="^PREFECT_API_AUTH_STRING: "):
        desk.find(tmp_path)
    monkeypatch.setenv("PREFECT_API_AUTH_STRING", "operations:secret")
    assert desk.find(tmp_path) == api


def test_prefect_api_url_given_is_used_as_it_is(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect-host:4200/api")
    assert desk.find(tmp_path) == "http://prefect-host:4200/api"


def test_down_says_the_desk_is_not_up_when_none_runs(tmp_path: Path) -> None:
    with pytest.raises(desk.DeskNotUp, match="^the desk is not up$"):
        desk.down(tmp_path)


@pytest.mark.parametrize(("status", "served"), [("READY", True), ("NOT_READY", False),
                                                  (None, False)])
def test_a_deployment_is_served_only_while_its_runner_polls(
    api: str, status: str | None, served: bool,
) -> None:
    Health.deployments = {"complaint/complaint": status} if status else {}
    try:
        assert desk.serving(api, "complaint/complaint") is served
    finally:
        Health.deployments = {}


def test_submit_to_a_server_that_serves_nothing_refuses_and_stores_nothing(
    tmp_path: Path, api: str, store_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cli import commands
    from models.settings import get_settings
    from models.store import transaction
    from models.store.db import CaseRow
    from tests.factories import make_intake

    monkeypatch.setenv("PREFECT_API_URL", api)
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", store_url)
    get_settings.cache_clear()
    path = tmp_path / "intake.json"
    path.write_text(make_intake().model_dump_json())
    try:
        with pytest.raises(desk.DeskNotUp, match="nothing serves the complaint/complaint "
                                                 "deployment there; nothing was stored"):
            commands.submit(str(path))
        with transaction(store_url) as session:
            assert session.query(CaseRow).count() == 0
    finally:
        get_settings.cache_clear()
