"""The report as files in one folder: report.md, report.html, charts/*.png, report.xlsx.

This module does the writing; the words come from report_render, the tables from
report_tables, the charts from report_charts. openpyxl is imported inside the function
that uses it, so importing this module (every report flow does) stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.reports.model import Report
from notifications.report_charts import cjk_font, draw_charts
from notifications.report_render import report_html, report_markdown
from notifications.report_tables import Table, report_tables

__all__ = ["cjk_font", "write_report", "write_workbook"]
MARKDOWN, HTML, WORKBOOK = "report.md", "report.html", "report.xlsx"
_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


def write_report(report: Report, out_dir: Path) -> dict[str, Path]:
    """Write every file of the report into out_dir (created if need be); the paths by
    their name relative to it: report.md, report.html, report.xlsx, charts/<chart>.png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {f"charts/{name}.png": path
             for name, path in draw_charts(report, out_dir / "charts").items()}
    charts = {Path(relative).stem: relative for relative in paths}
    paths[MARKDOWN] = _write_text(out_dir / MARKDOWN, report_markdown(report))
    paths[HTML] = _write_text(out_dir / HTML, report_html(report, charts))
    paths[WORKBOOK] = write_workbook(report, out_dir / WORKBOOK)
    return paths


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_workbook(report: Report, path: Path) -> Path:
    """One sheet per table, a bold header row; numbers stay numbers with their format."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    book.properties.title = f"{report.period.kind} {report.period.label}"
    used: set[str] = set()
    for table in report_tables(report).values():
        _fill(book.create_sheet(_sheet_name(table.sheet, used)), table)
    book.save(path)
    return path


def _sheet_name(wanted: str, used: set[str]) -> str:
    """Excel refuses []:*?/\\ and names over 31 characters or used twice."""
    base = " ".join(wanted.translate(_NOT_IN_SHEET_NAMES).split())[:31] or "Sheet"
    name, n = base, 2
    while name.casefold() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.casefold())
    return name


def _fill(sheet: Any, table: Table) -> None:
    from openpyxl.styles import Font

    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Rows by their number: sheet.max_row scans every cell, quadratic in a long sheet
    # (the bulletin of a busy week has thousands of lines).
    for number, row in enumerate(table.rows, start=2):
        sheet.append([c.text if c.value is None else c.value for c in row])
        for column, source in enumerate(row, start=1):
            if source.value is not None:
                sheet.cell(row=number, column=column).number_format = source.number_format
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.headers):
        cells = [header] + [row[index].text for row in table.rows]
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = min(60, 2 + max(_width(c) for c in cells))


def _width(text: str) -> int:
    """Columns of text as a spreadsheet shows it: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
