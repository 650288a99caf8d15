"""Complaints that arrive as letters (.eml): English or Chinese, plain or HTML, with
attachments. Extracts an intake and says why for every field it set, so a person can
check and correct it on the case card.

Pure: bytes in, `Letter` out. Keyword tables are data (below); the judgment stays with
`models.triage`.
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
from models.mail import UNREADABLE, body_text, filename, header, sender

THREATS = [r"held responsible", r"hold .{0,30}responsible", r"legal action", r"\blawyer",
           r"\bsue\b", r"\bcourt\b", r"\bmedia\b", r"newspaper", r"journalist", r"social media",
           r"追究.{0,6}责任", r"起诉", r"律师", r"法院", r"媒体", r"曝光",
           r"投诉到.{0,4}(消协|工商)"]
URGENT = [r"\burgent(ly)?\b", r"\bimmediately\b", r"as soon as possible", r"\bat once\b",
          r"unacceptable", r"\bfurious\b", r"紧急", r"立即", r"马上", r"尽快", r"无法接受", r"愤怒"]
EXTREME = [r"outrageous", r"\bdisgust", r"never again", r"忍无可忍", r"太过分"]
CATEGORIES: list[tuple[str, list[str]]] = [
    ("false_advertising", [r"advertis", r"misleading", r"虚假宣传", r"广告"]),
    ("delivery_delay", [r"not (yet )?(been )?delivered", r"\blate delivery",
                        r"still waiting for (the )?delivery", r"delivery (is )?(late|delayed)",
                        r"延迟交付", r"迟迟未到", r"未发货"]),
    ("repair_quality", [r"repair(ed)? (again|badly|poorly)", r"still (broken|faulty) after",
                        r"维修质量", r"修不好", r"返修", r"修好.{0,8}又坏"]),
    ("repair_cost", [r"repair (cost|bill|charge)", r"overcharg", r"维修费", r"收费"]),
    ("service_attitude", [r"\brude\b", r"impolite", r"attitude", r"态度"]),
    ("product_defect", [r"defect", r"faulty", r"not (been )?(performing|working)", r"\bbroken\b",
                        r"does not work", r"not clear", r"质量问题", r"故障", r"坏了"]),
    ("parts", [r"\bspare parts?\b", r"\bsockets?\b", r"run out of", r"out of stock",
               r"配件", r"缺货"]),
]
# Possessive `\s*+` and a number starting only where a digit run starts: a letter of long
# runs of spaces or digits must not make matching quadratic (or worse) in its length.
INVOICE = re.compile(r"(?:invoice|inv\.?|发票)\s*+(?:no\.?|number|#|号码?|编号)?\s*+[:：]?\s*+"
                     r"([A-Z0-9][A-Z0-9-]{3,})", re.IGNORECASE)
ORDER = re.compile(r"(?:order|订单)\s*+(?:no\.?|number|#|号码?|编号)?\s*+[:：]?\s*+"
                   r"([A-Z0-9][A-Z0-9-]{3,})", re.IGNORECASE)
AMOUNT = re.compile(r"(?:¥|￥|RMB|CNY|yuan)\s*+([0-9][0-9,]*+(?:\.[0-9]{1,2})?)|"
                    r"(?<![0-9,])([0-9][0-9,]*+(?:\.[0-9]{1,2})?)\s*+(?:元|yuan|RMB)",
                    re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Letter:
    intake: dict[str, Any]
    reasons: dict[str, str] = field(default_factory=dict)
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
    letter.reasons["customer"] = f"sender of the letter ({'name and ' if name else ''}address)"
    letter.reasons["language"] = ("Chinese characters in the letter"
                                  if CJK.search(text) else "no Chinese characters: English")
    damaged = [part for part, value in (("sender name", name), ("subject", subject),
                                        ("body", body)) if "\ufffd" in value]
    if damaged:
        letter.reasons["unreadable"] = (f"could not be decoded in part ({', '.join(damaged)}): "
                                        "read with replacement characters (\ufffd)")
    letter.attachments = [filename(p) for p in mail.iter_attachments()]
    _reference(letter, header(mail, "Message-ID").strip(), raw)
    _extract(letter, text)
    found = [value for values in letter.references.values() for value in values]
    if found:
        letter.intake["references"] = ", ".join(found)[:500]
    return letter


def _reference(letter: Letter, message_id: str, raw: bytes) -> None:
    """The same letter twice is one case: by its Message-ID, else by its bytes (a letter
    left in the inbox by an outage is read again on the next run)."""
    if message_id:
        letter.intake["external_ref"] = message_id[:200]
        letter.reasons["external_ref"] = "the letter's Message-ID: the same letter is one case"
    else:
        letter.intake["external_ref"] = f"letter-sha256:{hashlib.sha256(raw).hexdigest()[:40]}"
        letter.reasons["external_ref"] = "no Message-ID: a digest of the letter, one case"


def _extract(letter: Letter, text: str) -> None:
    invoices, orders = _unique(INVOICE.findall(text)), _unique(ORDER.findall(text))
    if invoices or orders:
        letter.references = {k: v for k, v in (("invoices", invoices), ("orders", orders)) if v}
        letter.reasons["references"] = "invoice/order numbers written in the letter"
    amounts = [float((a or b).replace(",", "")) for a, b in AMOUNT.findall(text)]
    if amounts:
        largest = max(amounts)
        letter.intake["claimed_loss"] = min(largest, LOSS_LIMIT)  # the intake's bound
        letter.reasons["claimed_loss"] = f"largest amount named in the letter ({largest:,.2f})" + (
            f", over the limit: check; taken as {LOSS_LIMIT:,.2f}" if largest > LOSS_LIMIT else "")
    threat = _first(THREATS, text)
    if threat:
        letter.intake["threatening"] = True
        letter.reasons["threatening"] = f"threat language: {threat!r}"
    extreme, urgent = _first(EXTREME, text), _first(URGENT, text)
    if extreme or urgent:
        letter.intake["emotion"] = "extreme" if extreme else "strong"
        why = "strong words" if extreme else "urgency"
        letter.reasons["emotion"] = f"{why}: {(extreme or urgent)!r}"
    for category, patterns in CATEGORIES:
        hit = _first(patterns, text)
        if hit:
            letter.intake["category"] = category
            letter.reasons["category"] = f"keyword {hit!r}"
            break


def _first(patterns: list[str], text: str) -> str:
    for pattern in patterns:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return match.group(0)
    return ""


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
