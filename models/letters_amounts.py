"""Amounts of money as customers write them: 3000元, ¥3,000, 3千元, 三千元, 1.2万元,
一万五千块, RMB 3,000, CNY 3000, 3,000 yuan; and amounts in other currencies ($450,
300美元, EUR 90), found so the reader can say it did not take them as yuan.

Not amounts: 三元催化器 (a part), 1.2万公里 (a distance), 订单号 20261018 (no currency).
Every pattern is linear in the text's length: a number starts only where a run of
digits starts and is read possessively (a letter of 50,000 digits is read at once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"(?<![0-9,.])[0-9]++(?:,[0-9]{3})*+(?:\.[0-9]++)?"
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
CN_CHARS = "零〇一二两三四五六七八九十百千万亿点"
CN_NUMBER = rf"(?<![{CN_CHARS}])[一二两三四五六七八九十][{CN_CHARS}]*+"
YUAN_AFTER = r"(?:元|块钱|块|yuan\b|RMB\b|CNY\b|人民币)"
FOREIGN_BEFORE = r"(?:US\$|HK\$|\$|USD|HKD|EUR|GBP|€|£)"
FOREIGN_AFTER = r"(?:美元|美金|欧元|英镑|港币|港元|dollars?\b|USD\b|euros?\b|EUR\b|pounds?\b|GBP\b)"
NOT_MONEY_AFTER = "公米次台件人个辆位天年月日周小分秒斤克吨平张套页户"
AMOUNT = re.compile(
    rf"(?P<pre>¥|￥|RMB|CNY|人民币)\s*+(?P<n1>{NUMBER})(?:\s*+(?P<m1>万))?"
    rf"|(?P<fpre>{FOREIGN_BEFORE})\s*+(?P<n2>{NUMBER})"
    rf"|(?P<n3>{NUMBER})\s*+(?P<m3>[万千百])?(?:多|余)?\s*+(?:(?P<yuan>{YUAN_AFTER})"
    rf"|(?P<fpost>{FOREIGN_AFTER}))"
    rf"|(?P<n4>{NUMBER})\s*+万(?:多|余)?(?![{NOT_MONEY_AFTER}元块])"
    rf"|(?P<cn>{CN_NUMBER})(?:多|余)?(?:元|块钱|块)(?!催化)",
    re.IGNORECASE)
MULTIPLIER = {"万": 10_000, "千": 1_000, "百": 100, "": 1}


@dataclass(frozen=True)
class Amount:
    value: float
    yuan: bool  # False: another currency, never taken as the claimed loss
    start: int
    end: int
    written: str


def amounts(text: str) -> list[Amount]:
    """Every amount of money written in `text`, in order."""
    found = []
    for match in AMOUNT.finditer(text):
        value = _value(match)
        if value is not None:
            yuan = not (match.group("fpre") or match.group("fpost"))
            found.append(Amount(value, yuan, match.start(), match.end(), match.group(0)))
    return found


def _value(match: re.Match[str]) -> float | None:
    if match.group("cn"):
        return chinese_number(match.group("cn"))
    digits = match.group("n1") or match.group("n2") or match.group("n3") or match.group("n4")
    multiplier = "万" if match.group("n4") else match.group("m1") or match.group("m3") or ""
    try:
        return float(digits.replace(",", "")) * MULTIPLIER[multiplier]
    except ValueError:  # "1,,2" is no number
        return None


def chinese_number(written: str) -> float | None:
    """三千 3000, 一万二千 12000, 一万五 15000 (the spoken short form), 两万 20000,
    一百零五 105, 十五 15, 一点五万 15000; None for what is no number."""
    whole, _, rest = written.partition("点")
    if not rest:
        return _chinese_whole(whole)
    decimals = rest.rstrip("万亿")
    unit = {"万": 10_000, "亿": 100_000_000}.get(rest[len(decimals):], 1)
    if not decimals or any(c not in DIGITS for c in decimals):
        return None
    base = _chinese_whole(whole)
    if base is None:
        return None
    fraction = "".join(str(DIGITS[c]) for c in decimals)
    return float(f"{base:.0f}.{fraction}") * unit


def _chinese_whole(written: str) -> float | None:
    units = {"十": 10, "百": 100, "千": 1000}
    total, section, digit, last_unit = 0, 0, -1, 1
    for char in written:
        if char in DIGITS:
            digit = DIGITS[char]
            if char in "零〇":
                last_unit, digit = 10, -1  # 一百零五: the five after 零 is ones
        elif char in units:
            section += (1 if digit < 0 else digit) * units[char]
            last_unit, digit = units[char], -1
        elif char in "万亿":
            big = 10_000 if char == "万" else 100_000_000
            total += (section + max(digit, 0)) * big
            section, digit, last_unit = 0, -1, big
        else:
            return None
    if digit >= 0:  # a digit after the last unit: 三千五 is 3500, 一万五 15000
        section += digit * (last_unit // 10 if last_unit > 1 else 1)
    return float(total + section)
