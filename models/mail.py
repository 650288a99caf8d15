"""E-mail that may be hostile, read as text: headers, the sender, the body, attachment
names. Whatever a letter holds, these return text without NUL bytes (PostgreSQL refuses
NUL in text and JSON); what cannot be decoded is read with replacement characters
(U+FFFD). Pure: no I/O.
"""

from __future__ import annotations

import re
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from models.text import to_text

ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
BETWEEN_WORDS = re.compile(r"(?<=\?=)\s+(?==\?)")  # RFC 2047: whitespace there is dropped
# The stdlib's email package raises these on malformed input; a letter is refused in one
# line instead (RecursionError, from parts nested too deeply, is told apart).
UNREADABLE = (MessageError, LookupError, ValueError, AttributeError, IndexError, TypeError)


def clean(text: str) -> str:
    """Without NUL (PostgreSQL refuses it in text and JSON); raw 8-bit bytes, which the
    parser keeps as surrogate escapes, read as UTF-8 with replacement characters."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")
    return data.decode("utf-8", "replace").replace("\x00", "")


def _raw_header(mail: Any, name: str) -> str:
    """A header as written: the stdlib's structured header parser raises on some
    malformed addresses (e.g. a display name of '.'), a letter must not."""
    for key, value in mail.raw_items():
        if key.lower() == name.lower():
            return clean(str(value))
    return ""


def header(mail: Any, name: str) -> str:
    return clean(_decoded(_raw_header(mail, name)))


def _decoded(value: str) -> str:
    """RFC 2047 encoded words decoded; one that cannot be (bad base64, unknown charset)
    becomes U+FFFD and the rest of the header is kept."""
    try:
        return str(make_header(decode_header(value)))
    except UNREADABLE:
        return ENCODED_WORD.sub(lambda word: _decoded_word(word.group(0)),
                                BETWEEN_WORDS.sub("", value))


def _decoded_word(word: str) -> str:
    try:
        return str(make_header(decode_header(word)))
    except UNREADABLE:
        return "\ufffd"


def sender(mail: Any) -> tuple[str, str]:
    """(name, address), the address parsed from the raw header before the display name
    is decoded: an encoded '<someone@else>' in the name never becomes the address."""
    name, address = parseaddr(_raw_header(mail, "From"))
    return " ".join(clean(_decoded(name)).split())[:120], address


def body_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("html", "plain"))  # HTML is the fuller part
    if part is None:
        return ""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    try:  # no charset said: UTF-8, which reads ASCII too
        content = data.decode(part.get_content_charset() or "utf-8", "replace")
    except (LookupError, ValueError):  # an unknown or non-text charset: UTF-8 as well
        content = data.decode("utf-8", "replace")
    return clean(to_text(content) if part.get_content_subtype() == "html" else content)


def filename(part: Any) -> str:
    try:
        name = part.get_filename() or ""
    except UNREADABLE:
        name = ""
    return clean(str(name))[:200] or "unnamed"
