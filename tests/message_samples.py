"""A sample case and one context per message purpose, written for the template tests.

`message(purpose, language, now=...)` renders a purpose the way `enqueue` does (through
notifications.wording.message_context) for the sample case of that language: a Chinese
customer writing in Chinese, an English-speaking customer writing in English.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.policy import Contact, load_policy
from notifications.render import Rendered, render
from notifications.wording import CaseFacts, message_context, promise

POLICY = load_policy(Path(__file__).resolve().parents[1] / "policy.yaml")
SH = ZoneInfo("Asia/Shanghai")
# Thursday 26 Nov 2026, 16:00 Beijing time: the close deadline below has passed.
NOW = datetime(2026, 11, 26, 16, 0, tzinfo=SH)
DEADLINE = datetime(2026, 11, 26, 10, 0, tzinfo=SH)
LATER = datetime(2026, 11, 30, 18, 0, tzinfo=SH)
CUSTOMER_PURPOSES = ("acknowledgement", "progress", "solution_proposal", "callback_survey",
                     "closure")

# Why the sample case is tier B, as the judgment stores it (models/reasons.py): each
# message reads it in its recipient's language.
LOSS_REASON = {"key": "loss_up_to", "loss": "800.00", "threshold": "3000.00", "tier": "B"}

# The case's own texts (the customer's words, and what staff typed into its forms), per
# language: a message may quote them whatever language they are in.
OWN: dict[str, dict[str, Any]] = {
    "zh": {"name": "张伟", "subject": "车辆保养后发动机异响",
           "description": "上周在贵店保养后，发动机一直有异响，车架号 LSVAB2180N2XXXXXX。",
           "note": "已订购配件，预计周五到货。", "options": ["免费更换皮带", "退还保养费用"],
           "summary": "已为您更换发动机皮带并进行路试。", "feedback": "异响没有了，谢谢。",
           "what": "维修后路试流程加入异响检查项", "owner": "陈晨",
           "check": "抽查十台车的路试记录"},
    "en": {"name": "Anna Weber", "subject": "Engine noise after a service",
           "description": "Since the service last week the engine rattles.",
           "note": "The part is ordered and should arrive on Friday.",
           "options": ["A new belt free of charge", "A refund of the service fee"],
           "summary": "We replaced the engine belt and road-tested the car.",
           "feedback": "The noise is gone, thank you.",
           "what": "Add a noise check to the road test after repairs", "owner": "Chen Chen",
           "check": "Audit ten road-test records"},
}


def facts(language: str) -> CaseFacts:
    own = OWN[language]
    return CaseFacts(number="C-20261124-0007", subject=own["subject"],
                     customer_name=own["name"], tier="B", level="intermediate",
                     category="repair_quality", channel="web", department="technical",
                     round=1, rejections=1, follow_up="watch")


def context(purpose: str, language: str, now: datetime) -> dict[str, Any]:
    own = OWN[language]
    close, next_reply = promise(DEADLINE, now=now, policy=POLICY)
    return {
        "acknowledgement": {"close_deadline": LATER, "channel": "web"},
        "handover": {"description": own["description"], "reasons": [LOSS_REASON],
                     "handover_deadline": LATER, "first_reply_deadline": LATER,
                     "close_deadline": LATER, "customer_contact": "+86 138 1234 5678",
                     "case_url": "http://127.0.0.1:4200/runs/flow-run/1",
                     "board_url": "http://127.0.0.1:4200/artifacts"},
        "progress": {"note": own["note"], "close_deadline": close, "next_reply": next_reply},
        "solution_proposal": {"solution_type": "compensation", "note": "",
                              "options": own["options"]},
        "callback_survey": {"summary": own["summary"]},
        "escalation": {"rung": "department_manager", "reason": "close deadline breached",
                       "clock": "close-1", "due": close, "next_reply": next_reply,
                       "case_url": "", "board_url": ""},
        "closure": {"summary": own["summary"]},
        "callback_result": {"result": "dissatisfied", "score": 2, "attempts": 1, "round": 1,
                            "feedback": own["feedback"]},
        "action_due": {"action_kind": "corrective", "what": own["what"], "owner": own["owner"],
                       "due": LATER, "check": own["check"], "action_id": 3, "case_url": ""},
        "callback_retry": {"attempt": 3, "max_attempts": 3, "case_url": "", "board_url": ""},
    }[purpose]


def recipient(purpose: str, language: str) -> tuple[str, Contact]:
    if purpose in CUSTOMER_PURPOSES:
        return "customer", Contact(name=OWN[language]["name"])
    if purpose == "escalation":
        return "department_manager", POLICY.departments["technical"].manager
    return "handler", POLICY.departments["technical"].handler


def message(purpose: str, language: str, *, now: datetime = NOW,
            **overrides: Any) -> Rendered:
    role, contact = recipient(purpose, language)
    given = {**context(purpose, language, now), **overrides}
    return render(purpose, language, message_context(
        purpose, language, given, facts=facts(language), role=role, contact=contact,
        policy=POLICY))
