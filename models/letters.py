"""Complaints that arrive as letters (.eml): English or Chinese, plain or HTML, with
attachments. Extracts an intake and says why for every field it set, so a person can
check and correct it on the case card.

Pure: bytes in, `Letter` out; the judgment stays with `models.triage`. What a letter
says is read from the customer's own words (not the earlier mails quoted below them, nor
the signature) with the lexicon in models/lexicon.yaml: the claimed loss
(models/letters_claims.py), the category, the emotion and threats
(models/letters_judgment.py). The module family:

    letters.py           the letter: headers, sender, references, what was read and why
    letters_text.py      the customer's own words; sentences and clauses
    letters_amounts.py   amounts of money as written (3千元, 1.2万, ¥3,000, $450 ...)
    letters_claims.py    which amounts are the claimed loss
    letters_lexicon.py   the lexicon and what it finds (Chinese cut by jieba)
    letters_judgment.py  category, emotion, threatening from what was found
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from models.errors import InputError
from models.intake import Intake
from models.letters_claims import claimed_loss
from models.letters_judgment import category, emotion, threatening
from models.letters_lexicon import find
from models.letters_text import joined, own_words
from models.mail import UNREADABLE, body_text, filename, header, sender
from models.reasons import Reason, reason

# Possessive `\s*+` and a number starting only where a digit run starts: a letter of long
# runs of spaces or digits must not make matching quadratic (or worse) in its length.
INVOICE = re.compile(r"(?:invoice|inv\.?|发票)\s*+(?:no\.?|number|#|号码?|编号)?\s*+[:：]?\s*+"
                     r"([A-Z0-9][A-Z0-9-]{3,})", re.IGNORECASE)
ORDER = re.compile(r"(?:order|订单)\s*+(?:no\.?|number|#|号码?|编号)?\s*+[:：]?\s*+"
                   r"([A-Z0-9][A-Z0-9-]{3,})", re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Letter:
    intake: dict[str, Any]
    reasons: dict[str, Reason] = field(default_factory=dict)
    references: dict[str, list[str]] = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)


def _loss_limit() -> float:
    """The intake's own bound on claimed_loss, so the two never disagree."""
    bounds = [getattr(rule, "le", None) for rule in Intake.model_fields["claimed_loss"].metadata]
    return float(next(b for b in bounds if b is not None))


LOSS_LIMIT = _loss_limit()


def read_letter(raw: bytes, *, channel: str = "email",
                taken_by: str = "Service-centre mailbox") -> Letter:
    """The letter read, or `InputError` in one line: whatever the bytes are. `taken_by`
    is the first-contact person recorded (the inbox's owner, policy.intake)."""
    try:
        letter = _read(raw, channel)
    except InputError:
        raise
    except RecursionError:
        raise InputError("letter: its parts are nested too deeply to be read") from None
    except UNREADABLE as exc:
        raise InputError(f"letter: the message cannot be read ({type(exc).__name__})") from None
    letter.intake["taken_by"] = taken_by
    return letter


def _read(raw: bytes, channel: str) -> Letter:
    mail = message_from_bytes(raw, policy=policy.default)
    name, address = sender(mail)
    subject = " ".join(header(mail, "Subject").split())
    if not isinstance(mail, EmailMessage) or not (name or address or subject):
        raise InputError("letter: not an e-mail message (no From or Subject header)")
    body = body_text(mail)
    if not body.strip() and not subject:
        raise InputError("letter: the message has no text to take a complaint from")
    text = f"{subject}\n{body}"
    letter = Letter(intake={
        "channel": channel, "subject": (subject or body.strip().splitlines()[0])[:200],
        "description": body.strip()[:20000] or subject,
        "customer": {"name": name or address.split("@")[0] or "unknown",
                     "email": address, "language": "zh" if CJK.search(text) else "en"},
    })
    letter.reasons["customer"] = reason("letter.sender_named" if name else "letter.sender")
    letter.reasons["language"] = reason("letter.chinese" if CJK.search(text) else "letter.english")
    damaged = [part for part, value in (("sender", name), ("subject", subject),
                                        ("body", body)) if "\ufffd" in value]
    if damaged:
        letter.reasons["unreadable"] = reason("letter.unreadable", parts=",".join(damaged))
    letter.attachments = [filename(p) for p in mail.iter_attachments()]
    _reference(letter, header(mail, "Message-ID").strip(), raw)
    _references(letter, text)
    _extract(letter, subject, body)
    return letter


def _reference(letter: Letter, message_id: str, raw: bytes) -> None:
    """The same letter twice is one case: by its Message-ID, else by its bytes (a letter
    left in the inbox by an outage is read again on the next run)."""
    if message_id:
        letter.intake["external_ref"] = message_id[:200]
        letter.reasons["external_ref"] = reason("letter.message_id")
    else:
        letter.intake["external_ref"] = f"letter-sha256:{hashlib.sha256(raw).hexdigest()[:40]}"
        letter.reasons["external_ref"] = reason("letter.digest")


def _references(letter: Letter, text: str) -> None:
    invoices, orders = _unique(INVOICE.findall(text)), _unique(ORDER.findall(text))
    if invoices or orders:
        letter.references = {k: v for k, v in (("invoices", invoices), ("orders", orders)) if v}
        letter.reasons["references"] = reason("letter.references")
        letter.intake["references"] = ", ".join(invoices + orders)[:500]


def _extract(letter: Letter, subject: str, body: str) -> None:
    own, quoted = own_words(body)
    text = joined(f"{subject}\n\n{own}")  # as written, not as the mailer wrapped it
    claim = claimed_loss(text)
    if claim:
        letter.intake["claimed_loss"] = min(claim.loss, LOSS_LIMIT)  # the intake's bound
        letter.reasons["claimed_loss"] = claim.reason | (
            {"limit": f"{LOSS_LIMIT:.2f}"} if claim.loss > LOSS_LIMIT else {})
    hits = find(text)
    threat, feeling = threatening(hits), emotion(hits)
    if threat:
        letter.reasons["threatening"] = threat.reason
        if threat.value == "yes":
            letter.intake["threatening"] = True
    if feeling:
        letter.reasons["emotion"] = feeling.reason
        if feeling.value != "calm":
            letter.intake["emotion"] = feeling.value
    kind = category(hits, find(joined(quoted)) if quoted else [])
    letter.intake["category"] = kind.value
    letter.reasons["category"] = kind.reason


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
