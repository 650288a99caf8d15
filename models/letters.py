"""Complaints that arrive as letters (.eml): English or Chinese, plain or HTML, with
attachments. Extracts an intake and says why for every field it set, so a person can
check and correct it on the case card.

Pure: bytes in, `Letter` out. Keyword tables are data (below); the judgment stays with
`models.triage`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from models.errors import InputError
from models.text import to_text

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
INVOICE = re.compile(r"(?:invoice|inv\.?|发票)\s*(?:no\.?|number|#|号码?|编号)?\s*[:：]?\s*"
                     r"([A-Z0-9][A-Z0-9-]{3,})", re.IGNORECASE)
ORDER = re.compile(r"(?:order|订单)\s*(?:no\.?|number|#|号码?|编号)?\s*[:：]?\s*"
                   r"([A-Z0-9][A-Z0-9-]{3,})", re.IGNORECASE)
AMOUNT = re.compile(r"(?:¥|￥|RMB|CNY|yuan\s*)\s*([0-9][0-9,]*(?:\.[0-9]{1,2})?)|"
                    r"([0-9][0-9,]*(?:\.[0-9]{1,2})?)\s*(?:元|yuan|RMB)", re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Letter:
    intake: dict[str, Any]
    reasons: dict[str, str] = field(default_factory=dict)
    references: dict[str, list[str]] = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)


def read_letter(raw: bytes, *, channel: str = "email") -> Letter:
    mail = message_from_bytes(raw, policy=policy.default)
    sender, subject = _header(mail, "From"), " ".join(_header(mail, "Subject").split())
    if not isinstance(mail, EmailMessage) or not (sender or subject):
        raise InputError("letter: not an e-mail message (no From or Subject header)")
    name, address = parseaddr(sender)
    body = _body(mail)
    if not body.strip() and not subject:
        raise InputError("letter: the message has no text to take a complaint from")
    text = f"{subject}\n{body}"
    letter = Letter(intake={
        "channel": channel, "subject": (subject or body.strip().splitlines()[0])[:200],
        "description": body.strip()[:20000] or subject,
        "customer": {"name": name.strip() or address.split("@")[0] or "unknown",
                     "email": address, "language": "zh" if CJK.search(text) else "en"},
    })
    letter.reasons["customer"] = f"sender of the letter ({'name and ' if name else ''}address)"
    letter.reasons["language"] = ("Chinese characters in the letter"
                                  if CJK.search(text) else "no Chinese characters: English")
    letter.attachments = [p.get_filename() or "unnamed" for p in mail.iter_attachments()]
    if _header(mail, "Message-ID").strip():
        letter.intake["external_ref"] = _header(mail, "Message-ID").strip()[:200]
        letter.reasons["external_ref"] = "the letter's Message-ID: the same letter is one case"
    _extract(letter, text)
    return letter


def _header(mail: Any, name: str) -> str:
    """A header as text, read from the raw value: the stdlib's structured header parser
    raises on some malformed addresses (e.g. a display name of '.'), a letter must not."""
    for key, value in mail.raw_items():
        if key.lower() == name.lower():
            try:
                return str(make_header(decode_header(str(value))))
            except (ValueError, LookupError, UnicodeError):
                return str(value)
    return ""


def _body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("html", "plain"))  # HTML is the fuller part
    if part is None:
        return ""
    content = str(part.get_content())
    return to_text(content) if part.get_content_subtype() == "html" else content


def _extract(letter: Letter, text: str) -> None:
    invoices, orders = _unique(INVOICE.findall(text)), _unique(ORDER.findall(text))
    if invoices or orders:
        letter.references = {k: v for k, v in (("invoices", invoices), ("orders", orders)) if v}
        letter.reasons["references"] = "invoice/order numbers written in the letter"
    amounts = [float((a or b).replace(",", "")) for a, b in AMOUNT.findall(text)]
    if amounts:
        letter.intake["claimed_loss"] = max(amounts)
        letter.reasons["claimed_loss"] = f"largest amount named in the letter ({max(amounts):,.2f})"
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
