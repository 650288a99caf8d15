"""The report in words: the whole report as markdown (the Prefect artifact), the penalty
bulletin on its own (the general manager reads it above the signature form), a
printable HTML page with the charts, and the parts that go inside messages (the signed
bulletin, the monthly summary) as HTML with inline styles.

Pure: a Report in, a string out; nothing is read or written. Every text comes from the
catalog in the report's language (models/i18n.py), every table from report_tables, so
the markdown, the page and the workbook show the same cells. Templates live under
notifications/templates/reports/ and are strict: an undefined name raises.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from models import i18n
from models.card_text import when
from models.reports.model import Report, Warning
from notifications.report_tables import Table, report_tables

CHARTS = ("days", "clocks", "departments")  # each sits in the page's section of that name
BULLETIN_TABLES = ("penalty_lines", "department_penalties", "suspensions")
SUMMARY_TABLES = ("trends", "feedback", "top_issues")
FRACTIONS = ("share", "rate", "change")  # warning figures that are fractions of one
ENV = Environment(loader=PackageLoader("notifications", "templates"),
                  undefined=StrictUndefined, autoescape=select_autoescape(["html", "html.j2"]),
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@pass_context
def _t(context: Context, key: str, **values: object) -> str:
    return i18n.t(context["language"], key, **values)


def md(text: str) -> str:
    """Text safe inside a markdown table cell: a pipe or a line break would end the cell,
    and markup from a name must not become markup on the page."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return " ".join(escaped.split())


def md_table(table: Table) -> str:
    """A markdown table; columns of numbers are right-aligned."""
    align = ["---:" if numeric else "---" for numeric in table.numeric]
    lines = ["| " + " | ".join(md(h) for h in table.headers) + " |",
             "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(md(cell.text) or " " for cell in row) + " |"
              for row in table.rows]
    return "\n".join(lines)


ENV.globals["t"] = _t
ENV.filters["md"] = md
ENV.filters["md_table"] = md_table


def _figure(language: str, key: str, value: float | int | str) -> str:
    if isinstance(value, str):  # a word such as "new" (no surge ratio: none last week)
        return i18n.term(language, "figure", value)
    if isinstance(value, float) and key in FRACTIONS:
        return i18n.share(language, value)
    return i18n.number(language, value, 2 if isinstance(value, float) else 0)


def warning_text(language: str, warning: Warning) -> str:
    """The sentence of one early warning, its figures and keys in words."""
    values = {k: _figure(language, k, v) for k, v in warning.figures.items()}
    values["department"] = i18n.term(language, "department", warning.department)
    values["category"] = i18n.term(language, "category", warning.category)
    return i18n.t(language, f"warning.{warning.kind}.sentence", **values)


def _context(report: Report) -> dict[str, Any]:
    language, period = report.language, report.period
    return {
        "language": language,
        "report": report,
        "tables": report_tables(report),
        "title": i18n.t(language, f"report.title.{period.kind}"),
        "period": i18n.t(language, "report.period", start=i18n.day(language, period.start),
                         end=i18n.day(language, period.end)),
        "timezone": i18n.t(language, "report.timezone", timezone=period.timezone),
        "generated": i18n.t(language, "report.generated",
                            at=when(language, report.generated_at, ZoneInfo(period.timezone))),
        "warnings": [warning_text(language, w) for w in report.warnings],
        "total": (i18n.t(language, "report.total",
                         amount=i18n.money(language, report.bulletin.total))
                  if report.bulletin else ""),
    }


def report_markdown(report: Report) -> str:
    """The whole report as markdown: figures, bulletin, monthly analysis, warnings."""
    return ENV.get_template("reports/report.md.j2").render(_context(report), depth=2)


def bulletin_markdown(report: Report) -> str:
    """The penalty bulletin alone: persons, department heads, suspensions, total."""
    _bulletin_of(report)
    return ENV.get_template("reports/bulletin.md.j2").render(_context(report), depth=1)


def bulletin_html(report: Report) -> str:
    """The penalty bulletin as HTML inside a message (styles inline): the tables, the total."""
    _bulletin_of(report)
    return _fragment(report, BULLETIN_TABLES, with_total=True, with_warnings=False)


def summary_html(report: Report) -> str:
    """The report's summary inside a message: overview, clocks, the monthly analysis when
    present, the warnings. The files hold the rest."""
    keys = ("figures", "clocks") + (SUMMARY_TABLES if report.monthly is not None else ())
    return _fragment(report, keys, with_total=False, with_warnings=True)


def _fragment(report: Report, keys: tuple[str, ...], *, with_total: bool,
              with_warnings: bool) -> str:
    context = _context(report)
    return ENV.get_template("reports/fragment.html.j2").render(
        context, keys=keys, with_warnings=with_warnings,
        total=context["total"] if with_total else "")


def _bulletin_of(report: Report) -> None:
    if report.bulletin is None:
        raise ValueError(f"the {report.period.kind} report {report.period.label} "
                         "has no penalty bulletin")


def report_html(report: Report, charts: dict[str, str]) -> str:
    """A standalone printable page; charts maps a chart (days, clocks, departments) to
    its image path relative to the page, e.g. charts/days.png."""
    unknown = sorted(set(charts) - set(CHARTS))
    if unknown:
        raise ValueError(f"charts {unknown} have no place in the report: {', '.join(CHARTS)}")
    return ENV.get_template("reports/report.html.j2").render(
        _context(report), charts=charts, lang=i18n.locale(report.language).replace("_", "-"))
