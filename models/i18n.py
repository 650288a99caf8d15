"""Staff-facing words, one catalog per language, and how numbers and dates read in it.

models/catalog/<language>.yaml holds nested sections named by what they are for
(`report.*` the report's texts; `category.*`, `department.*`, `clock.*`, `rung.*`,
`root_cause.*`, `penalty_reason.*`, `bracket.*`, `tier.*` the stable keys of the store;
`warning.*` one sentence per early warning). Both files have the same keys
(tests/unit/test_report_render.py checks it).

`t` looks a dotted key up and fails loudly: a text nobody wrote must not reach a reader.
`term` translates a data key and falls back to the key itself, because the policy may
add departments or categories before anyone translates them; a raw key in the output is
visible, a crash in the Friday report is not. Amounts, rates, shares and dates are
formatted with Babel in the language's locale.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent

LANGUAGES = ("zh", "en")
CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
# en_GB rather than en_US: day-month-year reads the same way as the Chinese dates.
_LOCALE = {"zh": "zh_CN", "en": "en_GB"}


def locale(language: str) -> str:
    """The Babel locale of a staff language, e.g. zh_CN (also the HTML lang, with '-')."""
    if language not in _LOCALE:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return _LOCALE[language]


@cache
def words(language: str) -> dict[str, Any]:
    """The whole catalog of a language, read once (do not mutate it)."""
    locale(language)
    path = CATALOG_DIR / f"{language}.yaml"
    catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(catalog, dict):
        raise ValueError(f"catalog {path} is not a mapping")
    return catalog


def _lookup(node: Any, key: str) -> Any:
    # Keys such as "(0.80,0.85]" hold dots themselves: the longest key present wins.
    if isinstance(node, dict) and key in node:
        return node[key]
    head, dot, rest = key.partition(".")
    if not dot or not isinstance(node, dict) or head not in node:
        raise LookupError(key)
    return _lookup(node[head], rest)


def t(language: str, key: str, **values: object) -> str:
    """The text at a dotted key, with {placeholders} filled from values."""
    try:
        text = _lookup(words(language), key)
    except LookupError:
        raise KeyError(f"{key!r} is not in the {language} catalog") from None
    if not isinstance(text, str):
        raise KeyError(f"{key!r} in the {language} catalog is a section, not a text")
    try:
        return text.format(**values)
    except KeyError as exc:
        raise KeyError(f"{key!r} in the {language} catalog needs the value {exc}") from None


def term(language: str, section: str, key: str) -> str:
    """A data key (a department, a category, ...) in words, from a section that may be
    nested (`card.level`); an unknown key or section stays as it is, so a new policy
    value shows rather than crashes."""
    node: Any = words(language)
    for part in section.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    found = node.get(key) if isinstance(node, dict) else None
    return found if isinstance(found, str) else key


def number(language: str, value: int | float | Decimal, places: int = 0) -> str:
    """A count or a volume with the locale's grouping, e.g. 1,234 or 2,450.00."""
    decimals = "." + "0" * places if places else ""
    return format_decimal(value, format=f"#,##0{decimals}", locale=locale(language))


def money(language: str, amount: Decimal) -> str:
    """Yuan with two decimals: zh ¥1,234.50, en CN¥1,234.50."""
    return format_currency(amount, "CNY", format="¤#,##0.00", locale=locale(language),
                           currency_digits=False)


def percent(language: str, value: Decimal, places: int = 2) -> str:
    """A rate that is already a percentage: 0.80 reads 0.80%."""
    decimals = "." + "0" * places if places else ""
    return format_percent(value / 100, format=f"#,##0{decimals}%", locale=locale(language))


def share(language: str, fraction: float | None) -> str:
    """A fraction as a percentage with one decimal (0.5 reads 50.0%); None reads —."""
    if fraction is None:
        return t(language, "report.none")
    return format_percent(fraction, format="#,##0.0%", locale=locale(language))


def day(language: str, when: date, *, short: bool = False) -> str:
    """zh 2026年11月23日, en 23 Nov 2026; short (for chart axes): 11月23日, 23 Nov."""
    if short:
        return format_skeleton("MMMd", when, locale=locale(language))
    return format_date(when, format="long" if language == "zh" else "medium",
                       locale=locale(language))


def month(language: str, key: str) -> str:
    """A YYYY-MM month key in words: zh 2026年10月, en Oct 2026."""
    year, mon = key.split("-")
    return format_skeleton("yMMM", date(int(year), int(mon), 1), locale=locale(language))
