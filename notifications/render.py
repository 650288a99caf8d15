"""Rendering: a purpose, a language and a context in; subject, HTML and text out.

Pure and strict: undefined context names raise, customer text is autoescaped, and the
plain-text part is derived from the HTML, not written twice. `render` never sends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

PURPOSES = ("acknowledgement", "handover", "progress", "solution_proposal", "callback_survey",
            "escalation", "closure")
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
    if purpose not in PURPOSES:
        raise ValueError(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    template = ENV.get_template(f"{language}/{purpose}.html")
    ctx = template.new_context(dict(context))
    subject = "".join(template.blocks["subject"](ctx))
    html = template.render(dict(context))
    return Rendered(subject=" ".join(unescape(subject).split()), html=html, text=to_text(html))


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "table", "ul", "ol", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title", "head"):
            self.skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append("  ")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "head"):
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
