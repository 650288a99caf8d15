"""The report as files (notifications/report_files.py): markdown, HTML, PNG charts drawn
with a CJK font, and a workbook read back with openpyxl. Expected numbers are written out
by hand from tests/factories_reports.py."""

from __future__ import annotations

import logging
import re
import sys
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from notifications.report_charts import MissingFont, _cjk_entry, draw_charts
from notifications.report_files import cjk_font, write_report
from tests.factories_reports import sample_monthly_report, sample_report

PNG = b"\x89PNG\r\n\x1a\n"
WEEKLY_SHEETS = ["总体情况", "每日", "时限", "升级", "非理性投诉", "投诉分类", "部门投诉率",
                 "责任人考核", "部门负责人考核", "停职整改"]
MONTHLY_SHEETS = ["月度趋势", "原因分析", "纠正预防措施", "回访与重复投诉", "主要问题"]


def rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_every_file_of_the_report_is_written(tmp_path: Path) -> None:
    paths = write_report(sample_report(), tmp_path / "week")
    assert set(paths) == {"report.md", "report.html", "report.xlsx", "charts/days.png",
                          "charts/clocks.png", "charts/departments.png"}
    for relative, path in paths.items():
        assert path == tmp_path / "week" / relative and path.stat().st_size > 0
    for chart in tmp_path.glob("week/charts/*.png"):
        assert chart.read_bytes()[:8] == PNG
    html = paths["report.html"].read_text(encoding="utf-8")
    assert re.findall(r'<img src="([^"]+)"', html) == [
        "charts/days.png", "charts/clocks.png", "charts/departments.png"]
    assert "## 总体情况" in paths["report.md"].read_text(encoding="utf-8")


def test_the_workbook_has_a_sheet_per_table_with_the_numbers(tmp_path: Path) -> None:
    book = write_report(sample_report(), tmp_path)["report.xlsx"]
    assert load_workbook(book).sheetnames == WEEKLY_SHEETS
    assert rows(book, "总体情况")[:2] == [("项目", "数值"), ("受理投诉", 50)]
    assert rows(book, "时限")[3] == ("首次答复", 44, 4, 0, 2, pytest.approx(44 / 48))
    departments = rows(book, "部门投诉率")
    assert departments[1] == ("技术部", 23, 2450, pytest.approx(0.009388))
    assert departments[4] == ("销售部", 5, "未提供业务量", "未提供业务量")
    lines = rows(book, "责任人考核")
    assert lines[0] == ("责任人", "部门", "投诉编号", "考核原因", "投诉等级", "金额", "说明")
    assert lines[2] == ("王磊", "技术部", "C-20261117-0005", "按投诉等级", "严重投诉", 400,
                        "疏忽导致重复投诉，×2")
    heads = rows(book, "部门负责人考核")
    assert heads[2] == ("市场部", "2026年10月", 5, 410, pytest.approx(0.012195), "高于1.00%", 500)
    persons = sum(Decimal(str(r[5])) for r in lines[1:])
    assert persons + sum(Decimal(str(r[6])) for r in heads[1:]) == Decimal("2200.00")  # 1,450 + 750
    sheet = load_workbook(book)["责任人考核"]
    assert sheet["F3"].number_format == "#,##0.00"
    assert load_workbook(book)["部门投诉率"]["D2"].number_format == "0.0000%"


def test_the_monthly_workbook_adds_the_analysis_and_english_names_its_sheets(
        tmp_path: Path) -> None:
    book = write_report(sample_monthly_report(), tmp_path / "zh")["report.xlsx"]
    assert load_workbook(book).sheetnames == WEEKLY_SHEETS[:7] + MONTHLY_SHEETS
    assert rows(book, "原因分析")[-1] == ("合计", 53, 40, 6, 12)
    english = write_report(sample_monthly_report(language="en"), tmp_path / "en")
    names = load_workbook(english["report.xlsx"]).sheetnames
    assert names[:3] == ["Overview", "Per day", "Clocks"] and names[-1] == "Top issues"
    assert all(len(name) <= 31 for name in names)


def test_chinese_labels_render_with_no_missing_glyph(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with warnings.catch_warnings(record=True) as records, caplog.at_level(logging.DEBUG):
        warnings.simplefilter("always")
        charts = draw_charts(sample_monthly_report(), tmp_path)
    assert sorted(charts) == ["clocks", "days", "departments"]
    said = [str(r.message) for r in records] + [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "Glyph" in m or "missing from font" in m]


def test_the_warning_capture_sees_a_missing_glyph_when_no_cjk_font_is_used() -> None:
    """The control for the test above: DejaVu Sans has no 投, and matplotlib says so."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().set_title("投诉", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        FigureCanvasAgg(figure).draw()
    assert any("missing from font" in str(r.message) for r in records)


def test_the_chart_font_has_chinese_characters() -> None:
    from matplotlib.ft2font import FT2Font

    path = cjk_font()
    assert path.exists() and "CJK" in _cjk_entry().name
    font = FT2Font(str(path))
    assert all(font.get_char_index(ord(ch)) for ch in "投诉率未提供业务量")


@pytest.fixture
def no_system_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """matplotlib knows no CJK font of the system (as on a bare CI machine)."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [f for f in manager.ttflist if "CJK" not in f.name])
    _cjk_entry.cache_clear()
    yield
    _cjk_entry.cache_clear()


@pytest.mark.usefixtures("no_system_cjk_font")
def test_without_a_system_cjk_font_the_charts_use_the_one_mplfonts_ships(
        tmp_path: Path) -> None:
    assert cjk_font().name == "NotoSansCJKsc-Regular.otf"
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        draw_charts(sample_report(), tmp_path)
    assert not [r for r in records if "missing from font" in str(r.message)]


@pytest.mark.usefixtures("no_system_cjk_font")
def test_without_any_cjk_font_the_error_names_the_debian_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mplfonts", None)  # as if it were not installed
    with pytest.raises(MissingFont, match="apt-get install fonts-noto-cjk.*mplfonts"):
        cjk_font()
