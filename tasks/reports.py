"""The reports' I/O: figures from the store, files on disk, bulletins, messages.

Called by flows/reports.py. A weekly report's draft bulletin is stored with its run
(models/store/bulletins.py), so the run, re-executed after the general manager's
signature, reads the same figures back. Messages of reports belong to no case; they
go through the outbox like every other message (sent once per recipient and ref).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.reports import periods
from models.reports.model import Period, PeriodKind, Report
from models.store import bulletins as store
from models.store import transaction
from models.store.db import WarningRow
from tasks.runtime import now, policy, settings


def period_for(kind: PeriodKind, start: date | None, end: date | None) -> Period:
    """The period asked for, or the scheduled one: last week, the previous month."""
    zone = policy().calendar.timezone
    if start is None and end is None:
        at = now()
        return periods.last_week(at, zone) if kind == "weekly" else periods.previous_month(at, zone)
    if start is None or end is None:
        raise ValueError(f"{'period_from' if start is None else 'period_to'}: give both "
                         "dates of the period (YYYY-MM-DD), or neither for the last one")
    return periods.given(kind, start, end, zone)


def build_report(period: Period) -> Report:
    """Every figure of the period, computed in the database."""
    from models.store.report_figures import weekly_figures
    from models.store.report_monthly import monthly_analysis
    from models.store.report_penalties import bulletin

    import_volume_csv()
    rules = policy()
    with transaction(settings().store_url) as session:
        figures = weekly_figures(session, period=period, policy=rules)
        start, end = periods.bounds(period)
        warnings = list(session.scalars(
            select(WarningRow.data).where(WarningRow.raised_at >= start,
                                          WarningRow.raised_at < end).order_by(WarningRow.id)))
        return Report(
            period=period, generated_at=now(), figures=figures,
            bulletin=bulletin(session, period=period, policy=rules)
            if period.kind == "weekly" else None,
            monthly=monthly_analysis(session, period=period, policy=rules)
            if period.kind == "monthly" else None,
            warnings=warnings, language=rules.staff_language)  # type: ignore[arg-type]


def import_volume_csv() -> int:
    """data/volume.csv into the volumes table (rows changed); absent file: nothing."""
    from models.store.volumes import read_csv, store_volumes

    path = settings().data_dir / "volume.csv"
    if not path.exists():
        return 0
    volumes = read_csv(path, departments=policy().departments)
    with transaction(settings().store_url) as session:
        return store_volumes(session, volumes=volumes, source="csv", by=path.name, at=now())


def write_files(report: Report, name: str) -> dict[str, str]:
    """The report's markdown, HTML with charts and workbook under data/reports/<name>/."""
    from notifications.report_files import write_report

    out = settings().data_dir / "reports" / name
    return {kind: str(path) for kind, path in write_report(report, out).items()}


def prepare_weekly(flow_run_id: str, start: date | None, end: date | None) -> dict[str, Any]:
    """This run's draft bulletin: stored on the first execution, read back afterwards."""
    from notifications.report_render import bulletin_markdown, report_markdown

    with transaction(settings().store_url) as session:
        row = store.draft_of(session, flow_run_id=flow_run_id)
        if row is not None:
            return _draft(row)
    report = build_report(period_for("weekly", start, end))
    with transaction(settings().store_url) as session:
        draft = _draft(store.add_draft(session, flow_run_id=flow_run_id, period=report.period,
                                       content=report.model_dump(mode="json"),
                                       markdown=bulletin_markdown(report), at=now()))
    name = f"weekly-{report.period.start}--{report.period.end}-{draft['number']}"
    return {**draft, "files": write_files(report, name),
            "report_markdown": report_markdown(report)}


def _draft(row: Any) -> dict[str, Any]:
    return {"number": row.number, "status": row.status, "corrects": row.corrects,
            "markdown": row.markdown, "content": row.content, "files": {},
            "report_markdown": "", "period": f"{row.period_start}..{row.period_end}"}


def reports_dir() -> Path:
    return settings().data_dir / "reports"


def record_volume(*, month: str, department: str, volume: int | str, by: str) -> dict[str, Any]:
    """The volume form: one (month, department) figure, checked and stored."""
    from models.store.volumes import parse_volume, store_volumes

    entry = parse_volume(month=month, department=department, volume=volume,
                         departments=policy().departments)
    with transaction(settings().store_url) as session:
        store_volumes(session, volumes=[entry], source="form", by=by.strip(), at=now())
    return {"month": entry.month, "department": entry.department, "volume": entry.volume}
