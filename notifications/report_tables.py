"""A report as tables of cells: what the markdown, the HTML page and the workbook show.

Each cell carries its text in the report's language (keys translated, amounts, rates and
dates formatted) and, for the workbook, the number behind it with its Excel format. The
three renderers draw these same tables, so a figure cannot read one way on the page and
another in the sheet. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models import i18n
from models.reports.model import Bulletin, CategoryFigure, Figures, Monthly, Report

Value = int | float | Decimal | date | None
DIMENSIONS = ("people", "goods", "place", "")


@dataclass(frozen=True)
class Cell:
    text: str
    value: Value = None  # None: the workbook shows the text
    number_format: str = "General"
    keep: bool = False  # on one line in HTML (a case number must not break at its hyphens)

    @property
    def numeric(self) -> bool:
        """A number (right-aligned); dates and texts are not."""
        return isinstance(self.value, int | float | Decimal)


@dataclass(frozen=True)
class Table:
    key: str  # stable, e.g. "clocks"
    title: str
    sheet: str  # the workbook's short name (Excel allows 31 characters)
    headers: list[str]
    rows: list[list[Cell]]

    @property
    def numeric(self) -> list[bool]:
        """Per column: does it hold numbers (right-aligned)?"""
        return [any(row[i].numeric for row in self.rows) for i in range(len(self.headers))]


@dataclass(frozen=True)
class Cells:
    """Cell makers in one language."""

    language: str

    def code(self, text: str) -> Cell:
        return Cell(text, keep=True)

    def term(self, section: str, key: str) -> Cell:
        return Cell(i18n.term(self.language, section, key))

    def label(self, key: str) -> Cell:
        return Cell(i18n.t(self.language, key))

    def count(self, n: int) -> Cell:
        return Cell(i18n.number(self.language, n), n, "#,##0")

    def money(self, amount: Decimal) -> Cell:
        return Cell(i18n.money(self.language, amount), amount, "#,##0.00")

    def volume(self, volume: Decimal | None) -> Cell:
        if volume is None:
            return self.label("report.no_volume")
        return Cell(i18n.number(self.language, volume, 2), volume, "#,##0.00")

    def rate(self, rate: Decimal | None, places: int = 2) -> Cell:
        if rate is None:
            return self.label("report.no_volume")
        return Cell(i18n.percent(self.language, rate, places), rate / 100,
                    "0." + "0" * places + "%")

    def share(self, fraction: float | None) -> Cell:
        return Cell(i18n.share(self.language, fraction), fraction, "0.0%")

    def score(self, score: float | None) -> Cell:
        if score is None:
            return self.label("report.none")
        return Cell(i18n.number(self.language, score, 2), score, "0.00")

    def day(self, when: date) -> Cell:
        return Cell(i18n.day(self.language, when), when, "yyyy-mm-dd")

    def detail(self, detail: str) -> Cell:
        """A penalty line's "kind:n" in words ("neglect:2" -> x2, repeat by neglect)."""
        kind, _, n = detail.partition(":")
        if not kind:
            return Cell("")
        return Cell(i18n.t(self.language, f"penalty_detail.{kind}", n=n))

    def month(self, key: str) -> Cell:
        return Cell(i18n.month(self.language, key))

    def table(self, key: str, columns: Iterable[str], rows: list[list[Cell]]) -> Table:
        return self.titled(key, [i18n.t(self.language, f"report.column.{c}") for c in columns],
                           rows)

    def titled(self, key: str, headers: list[str], rows: list[list[Cell]]) -> Table:
        return Table(key=key, title=i18n.t(self.language, f"report.sections.{key}"),
                     sheet=i18n.t(self.language, f"report.sheets.{key}"), headers=headers,
                     rows=rows)

    def items(self, key: str, section: str, values: dict[str, Cell]) -> Table:
        """A two-column table of labelled figures (item, value)."""
        rows = [[self.label(f"report.{section}.{k}"), v] for k, v in values.items()]
        return self.table(key, ("item", "value"), rows)


def figures_tables(c: Cells, f: Figures) -> list[Table]:
    irr = f.irrational
    none = c.share(None)
    return [
        c.items("figures", "figures", {k: c.count(getattr(f, k)) for k in (
            "received", "closed", "first_close", "second_close", "open_at_end")}),
        c.table("days", ("day", "received", "closed"),
                [[c.day(d.day), c.count(d.received), c.count(d.closed)] for d in f.days]),
        c.table("clocks", ("clock", "met", "breached", "deferred", "open", "share_met"),
                [[c.term("clock", k.clock), c.count(k.met), c.count(k.breached),
                  c.count(k.deferred), c.count(k.open), c.share(k.share_met)]
                 for k in f.clocks]),
        c.table("escalations", ("rung", "count"),
                [[c.term("rung", e.key), c.count(e.count)] for e in f.escalations]),
        c.table("irrational", ("item", "count", "share"), [
            [c.label("report.irrational.first"), c.count(irr.first), c.share(irr.share_first)],
            [c.label("report.irrational.second"), c.count(irr.second),
             c.share(irr.share_second)],
            [c.label("report.irrational.watch"), c.count(irr.watch), none],
            [c.label("report.irrational.monitor"), c.count(irr.monitor), none]]),
        categories_table(c, "categories", f.categories),
        # Four places: a department's bracket turns on them (0.8000 is "=0.80", 0.8049 is not).
        c.table("departments", ("department", "complaints", "volume", "rate"),
                [[c.term("department", d.department), c.count(d.complaints),
                  c.volume(d.volume), c.rate(d.rate, 4)] for d in f.departments]),
    ]


def categories_table(c: Cells, key: str, rows: list[CategoryFigure]) -> Table:
    return c.table(key, ("category", "complaints", "rate"),
                   [[c.term("category", r.category), c.count(r.complaints), c.rate(r.rate)]
                    for r in rows])


def bulletin_tables(c: Cells, b: Bulletin) -> list[Table]:
    return [
        c.table("penalty_lines",
                ("person", "department", "case_number", "reason", "tier", "amount", "detail"),
                [[Cell(x.person), c.term("department", x.department), c.code(x.case_number),
                  c.term("penalty_reason", x.reason), c.term("tier", x.tier), c.money(x.amount),
                  c.detail(x.detail)] for x in b.lines]),
        c.table("department_penalties", ("department", "month", "complaints", "volume", "rate",
                                         "bracket", "amount"),
                [[c.term("department", d.department), c.month(d.month), c.count(d.complaints),
                  c.volume(d.volume), c.rate(d.rate, 4), c.term("bracket", d.bracket),
                  c.money(d.amount)] for d in b.departments]),
        c.table("suspensions", ("person", "department", "month", "cases"),
                [[Cell(s.person), c.term("department", s.department), c.month(s.month),
                  Cell(", ".join(s.cases))] for s in b.suspensions]),
    ]


def root_causes_table(c: Cells, m: Monthly) -> Table:
    """Categories down, people / goods / place / not reviewed across; the total last."""
    counts = {(r.category, r.dimension): r.count for r in m.root_causes}
    categories = list(dict.fromkeys(r.category for r in m.root_causes if r.category))
    if any(not r.category for r in m.root_causes):
        categories.append("")
    rows = [[c.term("category", k)] + [c.count(counts.get((k, d), 0)) for d in DIMENSIONS]
            for k in categories]
    return c.titled("root_causes", [i18n.t(c.language, "report.column.category")]
                    + [i18n.term(c.language, "root_cause", d) for d in DIMENSIONS], rows)


def monthly_tables(c: Cells, m: Monthly) -> list[Table]:
    a, s = m.actions, m.satisfaction
    return [
        c.table("trends", ("month", "received", "closed", "share_met", "repeat_rate",
                           "satisfied_share"),
                [[c.month(x.month), c.count(x.received), c.count(x.closed),
                  c.share(x.share_met), c.share(x.repeat_rate), c.share(x.satisfied_share)]
                 for x in m.trends]),
        root_causes_table(c, m),
        c.items("actions", "actions", {k: c.count(getattr(a, k)) for k in (
            "due", "done", "effective", "not_checked")}),
        c.items("feedback", "feedback", {
            "repeat_rate": c.share(m.repeat_rate), "callbacks": c.count(s.callbacks),
            "satisfied_share": c.share(s.satisfied_share), "mean_score": c.score(s.mean_score),
            "not_reached_share": c.share(s.not_reached_share)}),
        categories_table(c, "top_issues", m.top_issues),
    ]


def report_tables(report: Report) -> dict[str, Table]:
    """Every table of the report by key, in reading order; the bulletin's and the monthly
    analysis's only when the report has them."""
    c = Cells(report.language)
    tables = figures_tables(c, report.figures)
    if report.bulletin is not None:
        tables += bulletin_tables(c, report.bulletin)
    if report.monthly is not None:
        tables += monthly_tables(c, report.monthly)
    return {table.key: table for table in tables}
