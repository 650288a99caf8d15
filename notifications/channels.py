"""Channels: how one queued message reaches its recipient.

`file` (the embedded default) writes an RFC 5322 .eml per message into the outbox
folder — one file per message id, written atomically, so re-delivery overwrites rather
than duplicates. Anything else is an Apprise URL template (SMTP `mailto://`, webhooks,
chat services), `{email}` / `{phone}` filled with the recipient's address. Apprise is
imported only when used: flow-run processes start without it.
"""

from __future__ import annotations

import os
import tempfile
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from models.errors import DeliveryError
from models.privacy import mask_email, mask_phone

SENDER = "Complaint desk <complaints@localhost>"


class Message(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def case_number(self) -> str: ...
    @property
    def purpose(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def address_email(self) -> str: ...
    @property
    def address_phone(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def html(self) -> str: ...
    @property
    def text(self) -> str: ...


def deliver(message: Message, *, channel_url: str, outbox_dir: Path) -> str:
    """Send one message; returns where it went. Raises DeliveryError on failure."""
    if channel_url == "file":
        return _to_file(message, outbox_dir)
    return _to_apprise(message, channel_url)


def _to_file(message: Message, outbox_dir: Path) -> str:
    mail = EmailMessage()
    mail["From"] = SENDER
    mail["To"] = message.address_email or message.address_phone or message.role
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(
        idstring=f"{message.case_number}.{message.purpose}.{message.role}.{message.id}",
        domain="complaints.local")
    mail["X-Case"] = message.case_number
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    name = f"{message.case_number}_{message.id:06d}_{message.purpose}_{message.role}.eml"
    try:
        outbox_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=outbox_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes(mail))
        os.replace(tmp, outbox_dir / name)
    except OSError as exc:
        raise DeliveryError(f"outbox folder {outbox_dir}: {exc.strerror}") from None
    return f"file:{name}"


def _to_apprise(message: Message, template: str) -> str:
    import apprise

    for field, value in (("email", message.address_email), ("phone", message.address_phone)):
        if "{" + field + "}" in template and not value:
            raise DeliveryError(f"the {message.role} has no {field} for channel {_safe(template)}")
    url = template.replace("{email}", quote(message.address_email, safe="@")).replace(
        "{phone}", quote(message.address_phone, safe="+"))
    sender = apprise.Apprise()
    if not sender.add(url):
        raise DeliveryError(f"channel for {message.role} is not a valid Apprise URL: "
                            f"{_safe(template)}")
    try:
        ok = sender.notify(title=message.subject, body=message.html,
                           body_format=apprise.NotifyFormat.HTML)
    except Exception as exc:  # Apprise plugins may raise what their transport raises
        raise DeliveryError(f"{message.role} channel {_safe(template)}: {exc}") from None
    if not ok:
        to = mask_email(message.address_email) or mask_phone(message.address_phone)
        raise DeliveryError(
            f"{message.role} channel {_safe(template)} refused or unreachable (to {to})")
    return _safe(template)


def _safe(template: str) -> str:
    """The channel URL without credentials, for messages and logs."""
    scheme, _, rest = template.partition("://")
    host = rest.split("@", 1)[-1] if "@" in rest.split("/", 1)[0] else rest
    return f"{scheme}://{host.split('?', 1)[0]}"
