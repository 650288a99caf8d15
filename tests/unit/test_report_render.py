"""The staff catalog (models/i18n.py) and the report in words (notifications/report_render.py):
every expected text below is written out by hand from tests/factories_reports.py."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, get_args

import pytest
import yaml

from models import i18n
from models.intake import Category
from models.reports.model import PenaltyReason, Warning
from models.text import to_text
from notifications.report_render import (
    bulletin_html,
    bulletin_markdown,
    report_html,
    report_markdown,
    summary_html,
)
from tests.conftest import ROOT
from tests.factories_reports import sample_bulletin, sample_monthly_report, sample_report

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
KEYS = [*(c.value for c in Category), *yaml.safe_load(
    (ROOT / "policy.yaml").read_text(encoding="utf-8"))["departments"],
    "acknowledge", "handover", "first_reply", "close", "callback", "warn-50", "warn-75",
    "department_manager", "general_manager", "public_relations", *get_args(PenaltyReason),
    "no_volume", "people", "goods", "place"]


def keys_of(node: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in node.items():
        keys |= keys_of(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return keys


def test_zh_and_en_catalogs_have_exactly_the_same_keys() -> None:
    assert keys_of(i18n.words("zh")) == keys_of(i18n.words("en"))


def test_a_missing_key_names_the_key_and_the_language() -> None:
    with pytest.raises(KeyError, match=r"'report\.nothing' is not in the zh catalog"):
        i18n.t("zh", "report.nothing")
    with pytest.raises(KeyError, match="is a section, not a text"):
        i18n.t("en", "report.sections")
    with pytest.raises(KeyError, match=r"'report\.total' in the en catalog needs the value"):
        i18n.t("en", "report.total")


def test_keys_holding_dots_or_nothing_are_found() -> None:
    assert i18n.t("zh", "bracket.(0.80,0.85]") == "0.80%＜投诉率≤0.85%"
    assert i18n.t("zh", "root_cause.") == "未评审"
    assert i18n.t("en", "bracket.no_volume") == "rate: no volume given"


@pytest.mark.parametrize("section", ["category", "department", "clock", "rung",
                                     "penalty_reason", "tier"])
def test_an_unknown_data_key_reads_as_itself_instead_of_failing(section: str) -> None:
    assert i18n.term("zh", section, "legal_affairs") == "legal_affairs"


@pytest.mark.parametrize("key", KEYS)
def test_every_key_of_the_store_and_the_policy_has_chinese_words(key: str) -> None:
    section = next(s for s in ("category", "department", "clock", "rung", "penalty_reason",
                               "bracket", "root_cause") if key in i18n.words("zh")[s])
    assert CJK.search(i18n.term("zh", section, key))


def test_the_english_catalog_holds_no_chinese() -> None:
    text = (ROOT / "models" / "catalog" / "en.yaml").read_text(encoding="utf-8")
    assert not CJK.search(text)


def test_the_report_templates_hold_no_words_of_their_own_language() -> None:
    for path in (ROOT / "notifications" / "templates" / "reports").iterdir():
        assert not CJK.search(path.read_text(encoding="utf-8")), path.name


@pytest.mark.parametrize(("language", "amount", "text"), [
    ("zh", Decimal("1234.5"), "¥1,234.50"), ("zh", Decimal("0"), "¥0.00"),
    ("zh", Decimal("1500"), "¥1,500.00"), ("en", Decimal("2200.00"), "CN¥2,200.00")])
def test_amounts_are_yuan_with_two_decimals(language: str, amount: Decimal, text: str) -> None:
    assert i18n.money(language, amount) == text


def test_rates_shares_days_and_months_read_as_in_the_locale() -> None:
    assert i18n.percent("zh", Decimal("0.80")) == "0.80%"
    assert i18n.percent("en", Decimal("0.9388"), 4) == "0.9388%"
    assert i18n.percent("zh", Decimal("1.2195")) == "1.22%"
    assert i18n.share("zh", 0.5) == "50.0%"
    assert i18n.share("en", None) == "—"
    assert i18n.day("zh", date(2026, 11, 23)) == "2026年11月23日"
    assert i18n.day("en", date(2026, 11, 23)) == "23 Nov 2026"
    assert i18n.day("zh", date(2026, 11, 23), short=True) == "11月23日"
    assert i18n.month("zh", "2026-10") == "2026年10月"
    assert i18n.month("en", "2026-10") == "Oct 2026"


def test_the_chinese_report_has_its_headings_time_zone_and_rows() -> None:
    md = report_markdown(sample_report())
    for heading in ("# 投诉处理周报", "## 总体情况", "## 每日受理与结案", "## 时限执行情况",
                    "## 升级情况", "## 非理性投诉", "## 投诉分类及投诉率", "## 各部门投诉率",
                    "## 考核通报", "### 责任人考核", "## 预警"):
        assert f"\n{heading}\n" in f"\n{md}", heading
    assert "统计期间：2026年11月16日 至 2026年11月22日" in md
    assert "时间：Asia/Shanghai · 生成时间：2026年11月27日 09:00" in md  # 01:00 UTC
    for row in ("| 受理投诉 | 50 |", "| 2026年11月17日 | 12 | 9 |",
                "| 首次答复 | 44 | 4 | 0 | 2 | 91.7% |", "| 总经理 | 2 |",
                "| 首次非理性投诉 | 3 | 6.0% |", "| 跟进方式：关注 | 3 | — |",
                "| 维修质量 | 14 | 0.28% |", "| 技术部 | 23 | 2,450.00 | 0.9388% |"):
        assert row in md, row
    assert "## 月度分析" not in md


def test_chinese_output_shows_no_raw_keys() -> None:
    report = sample_report()
    for text in (report_markdown(report), to_text(report_html(report, {}))):
        for key in KEYS:
            assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text), key


def test_a_rate_without_volume_says_no_volume_was_given() -> None:
    report = sample_report()
    report.figures.categories[0].rate = None
    md = report_markdown(report)
    assert "| 销售部 | 5 | 未提供业务量 | 未提供业务量 |" in md
    assert "| 维修质量 | 14 | 未提供业务量 |" in md
    assert "| 销售部 | 2026年10月 | 17 | 未提供业务量 | 未提供业务量 | 未提供业务量 | ¥0.00 |" in md


def test_the_bulletin_alone_has_persons_department_heads_suspensions_and_the_total() -> None:
    md = bulletin_markdown(sample_report())
    assert md.startswith("# 投诉考核通报\n")
    for line in ("## 责任人考核", "## 部门负责人考核（月度投诉率）", "## 停职整改",
                 "| 王磊 | 技术部 | C-20261117-0005 | 按投诉等级 | 严重投诉 | ¥400.00 | "
                 "疏忽导致重复投诉，×2 |",
                 "| 陈刚 | 财务部 | C-20261118-0002 | 超时未结案（按D类） | 告诫 | ¥50.00 |   |",
                 "| 技术部 | 2026年10月 | 96 | 10,200.00 | 0.9412% | 0.90%＜投诉率≤0.95% "
                 "| ¥200.00 |",
                 "| 服务部 | 2026年10月 | 33 | 4,125.00 | 0.8000% | 等于0.80% | ¥50.00 |",
                 "| 王磊 | 技术部 | 2026年11月 | C-20261116-0003, C-20261117-0005, "
                 "C-20261119-0004 |",
                 "**合计：¥2,200.00**"):  # 1,450.00 persons + 750.00 department heads
        assert line in md, line
    assert "## 总体情况" not in md


def test_a_report_without_a_bulletin_has_no_bulletin_to_sign() -> None:
    with pytest.raises(ValueError, match="has no penalty bulletin"):
        bulletin_markdown(sample_monthly_report())


def test_the_monthly_report_has_its_analysis() -> None:
    md = report_markdown(sample_monthly_report())
    for line in ("# 投诉处理月度分析报告", "## 月度分析", "### 近四个月趋势",
                 "| 2026年11月 | 167 | 163 | 91.7% | 11.4% | 82.4% |",  # 19/167, 117/142
                 "| 产品质量 | 3 | 28 | 0 | 4 |", "| 合计 | 53 | 40 | 6 | 12 |",
                 "| 经评估有效 | 14 |", "| 平均评分（1–5） | 4.12 |", "| 未联系上比例 | 5.6% |",
                 "- 服务部：回访平均评分连续两周下降，4.35 → 4.21 → 4.12。"):
        assert line in md, line
    assert "## 考核通报" not in md


def test_warnings_read_as_sentences_with_their_figures() -> None:
    md = report_markdown(sample_report())
    assert "- 技术部：维修质量投诉激增，本周 14 件，上周 8 件，增幅：75.0%。" in md
    assert "- 市场部：虚假宣传投诉激增，本周 5 件，上周 0 件，增幅：上周无此类投诉。" in md
    assert "- 服务部：本周受理 9 件，其中重复投诉 2 件，占 22.2%。" in md  # 0.2222
    assert "- 服务部：本周回访 11 次，客户不满意 3 次，占 27.3%。" in md  # 0.2727
    assert "本期无预警。" in report_markdown(sample_report(warnings=[]))
    english = report_markdown(sample_report(language="en"))
    assert "(rise: none last week)." in english


def test_each_warning_kind_has_a_title_and_a_sentence() -> None:
    for kind in get_args(Warning.model_fields["kind"].annotation):
        for language in i18n.LANGUAGES:
            assert i18n.t(language, f"warning.{kind}.title")
            assert "{department}" in i18n.words(language)["warning"][kind]["sentence"]


def test_a_warning_without_a_figure_its_sentence_needs_is_refused() -> None:
    warning = Warning(kind="surge", key="surge:parts:2026-W47", department="parts",
                      category="parts", figures={"this_week": 6})
    with pytest.raises(KeyError, match=r"'warning\.surge\.sentence'.*needs the value"):
        report_markdown(sample_report(warnings=[warning]))


def test_empty_tables_say_none_and_unknown_departments_show_their_key() -> None:
    report = sample_report()
    report.figures.escalations = []
    report.figures.departments[0].department = "legal_affairs"
    md = report_markdown(report)
    assert "## 升级情况\n\n无\n" in md
    assert "| legal_affairs | 23 | 2,450.00 | 0.9388% |" in md


def test_names_cannot_break_a_table_or_the_page() -> None:
    bulletin = sample_bulletin()
    bulletin.lines[0].person = "王|<b>磊</b>"
    report = sample_report(bulletin=bulletin)
    assert "| 王\\|&lt;b>磊&lt;/b> | 技术部 |" in report_markdown(report)
    assert "<td>王|&lt;b&gt;磊&lt;/b&gt;</td>" in report_html(report, {})


def test_the_bulletin_inside_a_message_has_its_tables_and_total_styled_inline() -> None:
    html = bulletin_html(sample_report())
    assert [h for h in re.findall(r"<h3[^>]*>([^<]+)</h3>", html)] == [
        "责任人考核", "部门负责人考核（月度投诉率）", "停职整改"]
    assert "<style" not in html and 'style="border: 1px solid #bbb' in html
    assert "white-space: nowrap;\">¥400.00</td>" in html
    assert '<p style="font-weight: bold;">合计：¥2,200.00</p>' in html
    with pytest.raises(ValueError, match="has no penalty bulletin"):
        bulletin_html(sample_monthly_report())


def test_the_monthly_summary_inside_a_message_has_the_analysis_and_warnings() -> None:
    html = summary_html(sample_monthly_report())
    assert re.findall(r"<h3[^>]*>([^<]+)</h3>", html) == [
        "总体情况", "时限执行情况", "近四个月趋势", "回访与重复投诉", "主要问题（投诉最多的三类）",
        "预警"]
    assert "<li>服务部：回访平均评分连续两周下降，4.35 → 4.21 → 4.12。</li>" in html
    assert "合计" not in html


def test_the_signature_form_finds_its_words() -> None:
    assert i18n.t("zh", "report.sign.head", number="B-2026-0007", period="2026-11-16..2026-11-22") \
        == "考核通报 B-2026-0007 待总经理签批：批准后发送各部门，退回则不发送"
    assert i18n.t("en", "report.sign.corrects", number="B-2026-0006") \
        == "This bulletin corrects bulletin B-2026-0006, issued before."


def test_the_page_has_its_language_and_the_charts_it_is_given() -> None:
    html = report_html(sample_report(), {"days": "charts/days.png"})
    assert '<html lang="zh-CN">' in html
    assert '<img src="charts/days.png" alt="每日受理与结案数">' in html
    assert "<p class=\"total\">合计：¥2,200.00</p>" in html
    assert '<html lang="en-GB">' in report_html(sample_report(language="en"), {})
    with pytest.raises(ValueError, match="have no place"):
        report_html(sample_report(), {"pie": "charts/pie.png"})


def test_the_english_report_has_no_chinese_but_the_data() -> None:
    bulletin = sample_bulletin()
    for line in bulletin.lines:
        line.person = "Wang Lei"
    bulletin.suspensions[0].person = "Wang Lei"
    report = sample_report(language="en", bulletin=bulletin)
    md = report_markdown(report)
    assert not CJK.search(md)
    assert not CJK.search(report_html(report, {"departments": "charts/departments.png"}))
    assert "## Overview" in md and "**Total: CN¥2,200.00**" in md
    assert "| Sales department | 5 | no volume given | no volume given |" in md



def test_the_report_artifacts_are_described_in_the_staff_language() -> None:
    from flows.reports import _described

    assert _described("weekly", "2026-08-10..2026-08-16") == \
        "投诉处理周报 · 统计期间：2026年8月10日 至 2026年8月16日"
    assert _described("monthly", "2026-10-01..2026-10-31").startswith("投诉处理月度分析报告 · ")
