"""Delivery through real channels: .eml files, a real SMTP server, a real HTTP webhook."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from models.errors import DeliveryError
from notifications.channels import deliver


@dataclass
class Msg:
    id: int = 7
    case_number: str = "C-20261124-0003"
    purpose: str = "acknowledgement"
    role: str = "customer"
    address_email: str = "anna.weber@example.org"
    address_phone: str = ""
    subject: str = "We have received your complaint (C-20261124-0003)"
    html: str = "<p>Dear Anna, thank you.</p>"
    text: str = "Dear Anna, thank you.\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], email.message.Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((envelope.rcpt_tos,
                           email.message_from_bytes(envelope.content, policy=email_policy.default)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    inbox, port = _Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


def test_the_file_channel_writes_an_eml_with_text_and_html(tmp_path: Path) -> None:
    where = deliver(Msg(), channel_url="file", outbox_dir=tmp_path)
    files = list(tmp_path.glob("*.eml"))
    assert where == f"file:{files[0].name}"
    assert files[0].name == "C-20261124-0003_000007_acknowledgement_customer.eml"
    mail = email.message_from_bytes(files[0].read_bytes(), policy=email_policy.default)
    assert mail["To"] == "anna.weber@example.org" and mail["X-Case"] == "C-20261124-0003"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]


def test_delivering_the_same_message_again_overwrites_its_file(tmp_path: Path) -> None:
    for _ in range(3):
        deliver(Msg(), channel_url="file", outbox_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1


def test_smtp_delivery_reaches_a_real_server(smtp: tuple[int, _Inbox]) -> None:
    port, inbox = smtp
    url = f"mailto://127.0.0.1:{port}?from=desk@example.com&to={{email}}"
    deliver(Msg(), channel_url=url, outbox_dir=Path("/nonexistent"))
    (recipients, mail), = inbox.mails
    assert recipients == ["anna.weber@example.org"]
    assert mail["Subject"] == Msg.subject


def test_a_webhook_receives_the_message(webhook: tuple[int, list[dict[str, Any]]]) -> None:
    port, received = webhook
    deliver(Msg(role="general_manager"), channel_url=f"json://127.0.0.1:{port}/",
            outbox_dir=Path("/nonexistent"))
    assert received[0]["title"] == Msg.subject and "thank you" in received[0]["message"]


def test_an_unreachable_channel_raises_delivery_error_without_the_address() -> None:
    with pytest.raises(DeliveryError) as caught:
        deliver(Msg(), channel_url=f"json://127.0.0.1:{free_port()}/",
                outbox_dir=Path("/nonexistent"))
    assert "anna.weber" not in str(caught.value) and "a***@example.org" in str(caught.value)


def test_a_channel_needing_an_email_refuses_a_customer_without_one() -> None:
    with pytest.raises(DeliveryError, match="the customer has no email"):
        deliver(Msg(address_email="", address_phone="+8613812345678"),
                channel_url="mailto://127.0.0.1:25?to={email}", outbox_dir=Path("/x"))


def test_credentials_never_appear_in_delivery_errors() -> None:
    with pytest.raises(DeliveryError) as caught:
        deliver(Msg(), channel_url=f"json://user:s3cret@127.0.0.1:{free_port()}/",
                outbox_dir=Path("/nonexistent"))
    assert "s3cret" not in str(caught.value)
