"""Rendering: a purpose, a language and a context in; subject, HTML and text out.

Pure and strict: undefined context names raise, customer text is autoescaped, and the
plain-text part is derived from the HTML, not written twice. `render` never sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from models.text import to_text

PURPOSES = ("acknowledgement", "handover", "progress", "solution_proposal", "callback_survey",
            "escalation", "closure", "callback_result", "callback_retry", "action_due")
# Messages of reports, which belong to no case (notifications.outbox.enqueue_report).
REPORT_PURPOSES = ("bulletin", "monthly_report", "early_warning")
LANGUAGES = ("zh", "en")
ENV = Environment(loader=PackageLoader("notifications", "templates"),
                  undefined=StrictUndefined, autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


def render(purpose: str, language: str, context: Mapping[str, object]) -> Rendered:
    if purpose not in PURPOSES + REPORT_PURPOSES:
        raise ValueError(f"purpose {purpose!r} is not one of "
                         f"{', '.join(PURPOSES + REPORT_PURPOSES)}")
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    template = ENV.get_template(f"{language}/{purpose}.html")
    ctx = template.new_context(dict(context))
    subject = "".join(template.blocks["subject"](ctx))
    html = template.render(dict(context))
    return Rendered(subject=" ".join(unescape(subject).split()), html=html, text=to_text(html))
