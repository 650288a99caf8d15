"""The part of a letter that is the customer's own: without the earlier mails quoted
below or between its lines, and without the signature. What the customer writes now
is what the letter reader weighs; a quoted reply of ours ("we will arrange it as soon
as possible", "a new hinge costs 620 yuan") is not the customer's urgency or claim.

Also the text as sentences and clauses, for the amounts (models/letters_claims.py).
"""

from __future__ import annotations

import re

# Where a quoted earlier mail starts: everything from there on is quoted.
QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:Original Message|Forwarded message|原始邮件|转发邮件)\s*-{2,}"
    r"|_{10,}"
    r"|On\b.{0,120}\bwrote:"
    r"|在.{0,80}写道[:：]"
    r"|(?:From|发件人)[:：].{0,200}\n(?:(?:Sent|Date|发送时间|时间)[:：]))",
    re.IGNORECASE | re.MULTILINE)
QUOTED_LINE = re.compile(r"^[ \t]*>.*$\n?", re.MULTILINE)
SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)  # the signature separator, "-- "
CJK_BREAK = re.compile(r"(?<=[\u3400-\u9fff，。！？；：、）》”])[ \t]*\n[ \t]*(?=[\u3400-\u9fff])")
SENTENCE_END = re.compile(r"[。！？!?；;]+|\.(?![0-9])|\n{2,}")
CLAUSE_END = re.compile(r"[。！？!?；;，()（）]+|\.(?![0-9])|\n{2,}|(?<![0-9]),|,(?![0-9]{3})"
                        r"|\b(?:and|but|or|while|whereas|although|though)\b"
                        r"|但是|可是|而且|然而|结果|并且|并|却", re.IGNORECASE)


def own_words(body: str) -> tuple[str, str]:
    """(the customer's own words, what is quoted) of a letter's body."""
    start = QUOTE_START.search(body)
    own, quoted = (body[:start.start()], body[start.start():]) if start else (body, "")
    inline = "".join(QUOTED_LINE.findall(own))
    own = QUOTED_LINE.sub("", own)
    signature = SIGNATURE.search(own)
    if signature:
        own = own[:signature.start()]
    return own.strip(), (inline + quoted).strip()


def joined(text: str) -> str:
    """Lines as they were written, not as a mailer wrapped them: a wrapped Chinese line
    joins without a space, an English one with a space; blank lines stay."""
    text = CJK_BREAK.sub("", text.replace("\r\n", "\n"))
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


def spans(text: str, ends: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) of each sentence or clause of `text`, by the ends given."""
    found, start = [], 0
    for end in ends.finditer(text):
        found.append((start, end.start()))
        start = end.end()
    found.append((start, len(text)))
    return [(a, b) for a, b in found if b > a]
