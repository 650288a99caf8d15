"""The reports a complaint centre is run on (DOMAIN.md §5).

weekly-report   Fridays 17:00: last week's figures and the penalty bulletin, which waits
                (suspended, holding no process) for the general manager's signature;
                approved, it is issued and sent to the departments; returned, nothing goes.
monthly-report  the 1st, 09:00: the monthly analysis to the service director and the GM.
early-warnings  daily: surges, repeat complaints, dissatisfaction, falling scores; each
                warning is sent once and shown on the SLA board.
volume          a department's business volume for a month (the complaint rate's base).

Each report is a markdown artifact on its run, and an HTML page with charts and an .xlsx
workbook under data/reports/. The weekly run is re-executed from the top after the
signature; its draft, stored with the run, gives it the same figures again.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import flow_run
from prefect.states import State
from pydantic import ValidationError

from flows.operations import field, refused_in_one_line
from models.form_words import localized, to_keys
from models.problems import Problem, from_validation, texts
from models.reports.forms import BulletinSignature, Decision
from models.stages import pause_key_for
from tasks import report_delivery as delivery
from tasks import reports
from tasks.delivery import send_queued
from tasks.runtime import now, patiently, policy

FromDate = Annotated[date | None, field(
    "From", "First day of the period (YYYY-MM-DD); empty for the last complete one.", None)]
ToDate = Annotated[date | None, field(
    "To", "Last day of the period, inclusive (YYYY-MM-DD); empty with From.", None)]


@flow(name="weekly-report", persist_result=True)
def weekly_report(period_from: FromDate = None, period_to: ToDate = None
                  ) -> dict[str, Any] | State:
    """Last week's report and penalty bulletin, signed by the general manager."""
    run_id = str(flow_run.get_id())
    draft = refused_in_one_line(
        lambda: patiently(reports.prepare_weekly, run_id, period_from, period_to), "")
    if isinstance(draft, State):
        return draft
    if draft["report_markdown"]:  # first execution: show the report on the run's page
        _publish("weekly-report", draft["report_markdown"], _described("weekly", draft["period"]))
    if draft["status"] != "draft":
        return _summary(draft)
    signature = _signature(draft)
    patiently(delivery.decide_bulletin, draft["number"],
              approve=signature.decision is Decision.approve, by=signature.signed_by,
              comment=signature.comment)
    failed = patiently(send_queued)
    if failed:
        get_run_logger().warning("The bulletin is queued, not all sent yet: %s", failed)
    return {**_summary(draft), "status": "issued" if signature.decision is Decision.approve
            else "returned", "decided_by": signature.signed_by}


def _signature(draft: dict[str, Any]) -> BulletinSignature:
    problems: list[Problem] = []
    timeout = int(policy().waiting_limit.total_seconds())
    language = policy().staff_language
    for attempt in count(1):
        form = RunInput.subclass_from_base_model_type(
            localized(BulletinSignature, language)).with_initial_data(
            description=_above_form(draft, problems))
        given = suspend_flow_run(wait_for_input=form, timeout=timeout,
                                 key=pause_key_for(f"bulletin-{draft['number']}", attempt))
        try:
            answer = BulletinSignature.model_validate(
                to_keys(BulletinSignature, given.model_dump(mode="json"), language))
        except ValidationError as exc:
            problems = from_validation(exc)
            continue
        problems = answer.problems()
        if not problems:
            return answer
    raise AssertionError("unreachable")


def _above_form(draft: dict[str, Any], problems: list[Problem]) -> str:
    from models.i18n import t

    language = policy().staff_language
    refused = "".join(f"\n> **{t(language, 'report.sign.refused')}** {line}"
                      for line in texts(problems, language, BulletinSignature))
    head = t(language, "report.sign.head", number=draft["number"], period=draft["period"])
    corrects = (t(language, "report.sign.corrects", number=draft["corrects"])
                if draft["corrects"] else "")
    return f"{refused}\n\n### {head}\n\n{corrects}\n\n{draft['markdown']}".strip()


@flow(name="monthly-report", persist_result=True)
def monthly_report(period_from: FromDate = None, period_to: ToDate = None
                   ) -> dict[str, Any] | State:
    """The previous month's analysis, to the service director and the general manager."""
    run_id = str(flow_run.get_id())
    made = refused_in_one_line(
        lambda: patiently(_monthly, run_id, period_from, period_to), "")
    if isinstance(made, State):
        return made
    failed = patiently(send_queued)
    if failed:
        get_run_logger().warning("The report is queued, not all sent yet: %s", failed)
    return made


def _monthly(run_id: str, start: date | None, end: date | None) -> dict[str, Any]:
    from notifications.report_render import report_markdown

    report = reports.build_report(reports.period_for("monthly", start, end))
    label = f"{report.period.start}--{report.period.end}"
    files = reports.write_files(report, f"monthly-{label}-{run_id[:8]}")
    _publish("monthly-report", report_markdown(report),
             _described("monthly", f"{report.period.start}..{report.period.end}"))
    delivery.send_monthly(report, files, run_id)
    return {"period": report.period.label, "files": files}


@flow(name="early-warnings")
def early_warnings(day: Annotated[date | None, field(
        "Day", "The last day to check (YYYY-MM-DD); empty for yesterday.", None)] = None,
        ) -> dict[str, Any]:
    """Raise the new early warnings of the week ending `day` and send each once."""
    today = now().astimezone(ZoneInfo(policy().calendar.timezone)).date()
    checked = day or today - timedelta(days=1)
    new = patiently(delivery.raise_warnings, checked)
    failed = patiently(send_queued)
    if failed:
        get_run_logger().warning("Warnings queued, not all sent yet: %s", failed)
    return {"day": checked.isoformat(), "raised": [w.key for w in new]}


@flow(name="volume")
def record_volume(
    month: Annotated[str, field("Month", "The month, YYYY-MM, e.g. 2026-11.", 7)],
    department: Annotated[str, field(
        "Department", "The department's key in policy.yaml, e.g. technical.", 64)],
    volume: Annotated[int, field("Volume", "Orders, service visits ... of that month "
                                 "(a whole number above 0).", None)],
    entered_by: Annotated[str, field("Your name", "Recorded with the figure.", 120)],
) -> dict[str, Any] | State:
    """Business volume of one department and month: the complaint rate's denominator."""
    return refused_in_one_line(
        lambda: reports.record_volume(month=month, department=department, volume=volume,
                                      by=entered_by), "")


def _described(kind: str, period: str) -> str:
    """The artifact's description in the staff's words: 投诉处理周报 · 统计期间：… 至 …"""
    from models.i18n import day, t

    language = policy().staff_language
    start, end = (day(language, date.fromisoformat(d)) for d in period.split(".."))
    title = t(language, f"report.title.{kind}")
    return f"{title} · {t(language, 'report.period', start=start, end=end)}"


def _publish(key: str, markdown: str, description: str) -> None:
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=markdown, key=key, description=description)


def _summary(draft: dict[str, Any]) -> dict[str, Any]:
    return {"bulletin": draft["number"], "period": draft["period"], "status": draft["status"],
            "files": draft["files"]}
