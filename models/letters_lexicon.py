"""The letter reader's lexicon (models/lexicon.yaml) and what it finds in a text: every
term and pattern that matched, with its group (a category, an emotion level, `threats`)
and weight. How terms match is said in the lexicon file itself.

Chinese is cut into words by jieba (models/letters_jieba.py), imported on the first Chinese
letter only: importing this module stays cheap, and a process that reads only English
letters never loads jieba or its dictionary.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from models.errors import PolicyError
from models.letters_jieba import tokenizer

LEXICON = Path(__file__).with_name("lexicon.yaml")
CJK = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")  # an English word, lower case
Groups = list[tuple[str, float]]  # (group, weight) of one term


@dataclass(frozen=True)
class Hit:
    group: str  # a category, an emotion level (urgency, anger, fury) or "threats"
    term: str
    weight: float


@dataclass(frozen=True)
class English:
    """English terms by their words: whole (`broken again`) and, for a term ending in *,
    the words before the last and the last word's beginning (`spare part*`)."""
    whole: dict[tuple[str, ...], tuple[str, Groups]]
    begun: dict[tuple[str, ...], list[tuple[str, str, Groups]]]
    longest: int


@dataclass(frozen=True)
class Lexicon:
    scoring: dict[str, Any]
    categories: tuple[str, ...]
    chinese: dict[str, Groups]  # term -> [(group, weight)]
    english: English
    patterns: list[tuple[re.Pattern[str], str, float]]
    not_split: frozenset[str]
    amounts: dict[str, list[str]]


@cache
def lexicon() -> Lexicon:
    """The lexicon, read once; a broken file is a `PolicyError` naming it."""
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 5x faster
        data = yaml.load(LEXICON.read_text(encoding="utf-8"), Loader=loader)
        return _build(data)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, re.error) as exc:
        raise PolicyError(f"{LEXICON.name}: cannot be read ({type(exc).__name__}: {exc})"
                          ) from None


def _build(data: dict[str, Any]) -> Lexicon:
    chinese: dict[str, Groups] = {}
    english: dict[str, Groups] = {}
    patterns: list[tuple[re.Pattern[str], str, float]] = []
    for group, entry in _entries(data):
        for term, weight in (entry.get("words") or {}).items():
            table = chinese if CJK.search(str(term)) else english
            table.setdefault(str(term).lower(), []).append((group, float(weight)))
        for pattern, weight in (entry.get("patterns") or {}).items():
            patterns.append((re.compile(pattern, re.IGNORECASE), group, float(weight)))
    return Lexicon(
        scoring=data["scoring"], categories=tuple(data["categories"]), chinese=chinese,
        english=_english(english), patterns=patterns,
        not_split=frozenset(data.get("not_split") or ()),
        amounts={kind: [str(w) for w in words] for kind, words in data["amounts"].items()})


def _english(terms: dict[str, Groups]) -> English:
    whole: dict[tuple[str, ...], tuple[str, Groups]] = {}
    begun: dict[tuple[str, ...], list[tuple[str, str, Groups]]] = {}
    for term, groups in terms.items():
        words = tuple(WORD.findall(term))
        if term.endswith("*"):
            begun.setdefault(words[:-1], []).append((words[-1], term, groups))
        else:
            whole[words] = (term, groups)
    longest = max((len(w) for w in [*whole, *(k + ("",) for k in begun)]), default=1)
    return English(whole, begun, longest)


def _entries(data: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    yield from data["categories"].items()
    yield from data["emotion"].items()
    yield "threats", data["threats"]


def find(text: str) -> list[Hit]:
    """Every distinct term and pattern of the lexicon found in `text`."""
    found = lexicon()
    hits: dict[tuple[str, str], Hit] = {}
    terms = _english_terms(text, found.english)
    if CJK.search(text):
        terms += [(term, found.chinese[term]) for term in sorted(_chinese_terms(text, found))]
    for term, groups in terms:
        for group, weight in groups:
            hits.setdefault((group, term), Hit(group, term, weight))
    for pattern, group, weight in found.patterns:
        match = pattern.search(text)
        if match:
            hits.setdefault((group, pattern.pattern), Hit(group, match.group(0), weight))
    return list(hits.values())


def _english_terms(text: str, english: English) -> list[tuple[str, Groups]]:
    """The English terms in `text`, word by word: linear in its length (one alternation
    of all terms took seconds on a long letter)."""
    words = WORD.findall(text.lower())
    terms: list[tuple[str, Groups]] = []
    for start in range(len(words)):
        for size in range(1, english.longest + 1):
            run = tuple(words[start:start + size])
            if len(run) < size:
                break
            if run in english.whole:
                terms.append(english.whole[run])
            for beginning, term, groups in english.begun.get(run[:-1], ()):
                if run[-1].startswith(beginning):
                    terms.append((term, groups))
    return terms


def _chinese_terms(text: str, found: Lexicon) -> set[str]:
    """The lexicon's Chinese terms that lie inside one of the words jieba cuts; of terms
    inside one another in a word only the longest (服务态度, not also 态度)."""
    lengths = sorted({len(term) for term in found.chinese}, reverse=True)
    terms: set[str] = set()
    for word in set(segment(text)):
        if len(word) < 2 or word in found.not_split or not CJK.search(word):
            continue
        inside: list[str] = []
        for size in lengths:
            for start in range(len(word) - size + 1):
                part = word[start:start + size]
                if part in found.chinese and not any(part in longer for longer in inside):
                    inside.append(part)
        terms.update(inside)
    return terms


def segment(text: str) -> list[str]:
    """`text` cut into words by jieba, the lexicon's Chinese terms kept whole."""
    return _tokenizer().lcut(text)


_LOCK = threading.Lock()
_TOKENIZER: list[Any] = []  # the one tokenizer, once made


def _tokenizer() -> Any:
    """jieba's tokenizer on the shipped dictionary, made once, with the lexicon's Chinese
    terms added whole; its own instance, so those words change no other user's cuts."""
    with _LOCK:
        if not _TOKENIZER:
            _TOKENIZER.append(tokenizer(lexicon().chinese))
        return _TOKENIZER[0]
