"""The report's charts as PNG: cases per day, clocks met and breached, complaint rate per
department against the penalty brackets.

Drawn on matplotlib Figure objects with the Agg canvas, never through pyplot: pyplot
keeps global figures and a global backend, and two report runs may draw at once in one
worker. matplotlib is imported inside the functions, so importing this module stays
cheap. Every text uses a CJK font (cjk_font: the system's Noto Sans CJK, else the copy
the mplfonts package ships) so Chinese labels and names are characters, not boxes;
labels come from the catalog in the report's language.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from models import i18n
from models.errors import ComplaintError
from models.reports.model import Report

FONT_PACKAGE = "fonts-noto-cjk"  # Debian's package of Noto Sans CJK
BUNDLE_PACKAGE = "mplfonts"  # the same font as a Python dependency, when Debian's is absent
BRACKETS = (Decimal("0.80"), Decimal("0.85"), Decimal("0.90"), Decimal("0.95"), Decimal("1.00"))
_CJK_NAMES = ("CJK", "Source Han Sans", "WenQuanYi", "Droid Sans Fallback", "AR PL")
_COLOURS = {"received": "#3b6ea8", "closed": "#5a9e5a", "met": "#5a9e5a",
            "breached": "#c0504d", "rate": "#3b6ea8", "line": "#c0504d"}


class MissingFont(ComplaintError, RuntimeError):
    """No font with Chinese characters is installed for the charts."""


@cache
def _cjk_entry() -> Any:
    from matplotlib import font_manager

    fonts = _cjk_fonts(font_manager.fontManager)
    if not fonts and (bundled := _bundled_font()) is not None:
        font_manager.fontManager.addfont(str(bundled))
        fonts = _cjk_fonts(font_manager.fontManager)
    if not fonts:
        import matplotlib

        raise MissingFont(
            "no CJK font for the report charts' Chinese labels: install the Debian package "
            f"{FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) and remove matplotlib's font "
            f"cache in {matplotlib.get_cachedir()}, or the Python package {BUNDLE_PACKAGE}")
    # Simplified Chinese, sans serif, proportional, regular weight first.
    return min(fonts, key=lambda f: ("SC" not in f.name, "Sans" not in f.name,
                                     "Mono" in f.name, abs(_weight(f.weight) - 400), f.name))


def _cjk_fonts(manager: Any) -> list[Any]:
    return [f for f in manager.ttflist if any(name in f.name for name in _CJK_NAMES)]


def _bundled_font() -> Path | None:
    """Noto Sans CJK SC as mplfonts ships it, for a machine without a system CJK font;
    found without importing the package (its import reads font metadata)."""
    spec = importlib.util.find_spec(BUNDLE_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / "NotoSansCJKsc-Regular.otf"
        if path.exists():
            return path
    return None


def _weight(weight: int | str) -> int:
    return weight if isinstance(weight, int) else 700 if "bold" in str(weight) else 400


def cjk_font() -> Path:
    """The file of the font the charts use for Chinese (Noto Sans CJK SC when installed)."""
    return Path(_cjk_entry().fname)


def _font(size: float = 10) -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=_cjk_entry().name, size=size)


def _figure(title: str, ylabel: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, fontproperties=_font(12))
    axes.set_ylabel(ylabel, fontproperties=_font())
    axes.grid(axis="y", color="#dddddd")
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _save(figure: Any, axes: Any, path: Path, legend: bool = True) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for label in axes.get_yticklabels():
        label.set_fontproperties(_font(9))
    if legend:
        axes.legend(prop=_font(9), frameon=False)
    FigureCanvasAgg(figure).print_png(path)
    return path


def days_chart(report: Report, path: Path) -> Path:
    from matplotlib.ticker import MaxNLocator

    language, days = report.language, report.figures.days
    figure, axes = _figure(i18n.t(language, "report.chart.days"),
                           i18n.t(language, "report.chart.cases"))
    x = list(range(len(days)))
    for key, marker in (("received", "o"), ("closed", "s")):
        axes.plot(x, [getattr(d, key) for d in days], marker=marker, markersize=4,
                  color=_COLOURS[key], label=i18n.t(language, f"report.column.{key}"))
    step = max(1, -(-len(days) // 10))  # at most about ten date labels
    axes.set_xticks(x[::step], [i18n.day(language, d.day, short=True) for d in days][::step],
                    fontproperties=_font(9))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    return _save(figure, axes, path)


def clocks_chart(report: Report, path: Path) -> Path:
    language, clocks = report.language, report.figures.clocks
    figure, axes = _figure(i18n.t(language, "report.chart.clocks"),
                           i18n.t(language, "report.chart.cases"))
    x = list(range(len(clocks)))
    for offset, key in ((-0.2, "met"), (0.2, "breached")):
        bars = axes.bar([i + offset for i in x], [getattr(c, key) for c in clocks], width=0.4,
                        color=_COLOURS[key], label=i18n.t(language, f"report.column.{key}"))
        axes.bar_label(bars, fontproperties=_font(8), padding=2)
    axes.set_xticks(x, [i18n.term(language, "clock", c.clock) for c in clocks],
                    fontproperties=_font(9))
    return _save(figure, axes, path)


def departments_chart(report: Report, path: Path) -> Path:
    """Bars of the rate against dashed bracket limits; a department without volume is a
    hatched, labelled gap, never a made-up rate."""
    language, rows = report.language, report.figures.departments
    figure, axes = _figure(i18n.t(language, "report.chart.departments"),
                           i18n.t(language, "report.chart.rate"))
    top = max([1.1, *(float(r.rate) * 1.15 for r in rows if r.rate is not None)])
    for i, row in enumerate(rows):
        _rate_bar(axes, i, row.rate, top, language)
    for level in BRACKETS:
        axes.axhline(float(level), color=_COLOURS["line"], linestyle="--", linewidth=0.8)
        axes.text(1.01, float(level), i18n.percent(language, level), color=_COLOURS["line"],
                  va="center", transform=axes.get_yaxis_transform(), fontproperties=_font(8))
    names = [i18n.term(language, "department", r.department) for r in rows]
    tilt = 25 if max((len(n) for n in names), default=0) > 6 else 0
    axes.set_xticks(range(len(rows)), names, rotation=tilt, ha="right" if tilt else "center",
                    fontproperties=_font(9))
    axes.set_ylim(0, top)
    return _save(figure, axes, path, legend=False)


def _rate_bar(axes: Any, x: int, rate: Decimal | None, top: float, language: str) -> None:
    if rate is None:
        axes.bar(x, top, width=0.6, color="none", edgecolor="#aaaaaa", hatch="///")
        axes.text(x, top / 2, i18n.t(language, "report.no_volume"), rotation=90, ha="center",
                  va="center", fontproperties=_font(9), backgroundcolor="white")
        return
    axes.bar(x, float(rate), width=0.6, color=_COLOURS["rate"])
    # Four places, as in the table: 0.9016 % is above 0.90 %, "0.90%" would hide it.
    axes.text(x, float(rate), i18n.percent(language, rate, 4), ha="center", va="bottom",
              fontproperties=_font(8), bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})


def draw_charts(report: Report, out_dir: Path) -> dict[str, Path]:
    """Every chart with something to show, by name (days, clocks, departments)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = report.figures
    charts = {"days": (days_chart, figures.days), "clocks": (clocks_chart, figures.clocks),
              "departments": (departments_chart, figures.departments)}
    return {name: draw(report, out_dir / f"{name}.png")
            for name, (draw, rows) in charts.items() if rows}
