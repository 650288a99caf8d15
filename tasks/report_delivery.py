"""Who receives a report, and the messages: the signed bulletin to the departments, the
monthly analysis to the service director and the general manager, each early warning
to the general manager and the department's manager.

Recipients are named in policy.yaml (`reports.weekly_to`, `reports.monthly_to`):
`department_managers` means every department's manager; `general_manager`,
`service_director` and `public_relations` the people of those names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

from models.policy import Contact, Policy
from models.reports.model import Report, Warning
from models.store import bulletins as store
from models.store import transaction
from notifications.links import ui_url
from notifications.outbox import enqueue_report
from tasks.runtime import now, policy, settings


def recipients(names: list[str], rules: Policy,
               department: str = "") -> list[tuple[str, str, Contact]]:
    """(role, who, contact) for each name of a recipient list."""
    found: list[tuple[str, str, Contact]] = []
    for name in names:
        if name == "department_managers":
            found += [("department_manager", key, d.manager)
                      for key, d in rules.departments.items()
                      if not department or key == department]
        elif name in ("general_manager", "public_relations", "service_director"):
            contact = getattr(rules, name)
            if contact is not None:
                found.append((name, name, contact))
        else:
            raise ValueError(f"reports: recipient {name!r} is not one of department_managers, "
                             "general_manager, service_director, public_relations")
    return found


def decide_bulletin(number: str, *, approve: bool, by: str, comment: str) -> bool:
    """Issue the bulletin and queue it to its recipients, or mark it returned (nothing
    is sent). False when it was decided already."""
    from notifications.report_render import bulletin_html

    rules, at = policy(), now()
    with transaction(settings().store_url) as session:
        if not store.decide(session, number=number, issue=approve, by=by, comment=comment,
                            at=at):
            return False
        if not approve:
            return True
        row = store.draft_of_number(session, number=number)
        report = Report.model_validate(row.content)
        context: dict[str, Any] = {
            "number": number, "corrects": row.corrects, "decided_by": by,
            "period_from": row.period_start, "period_to": row.period_end,
            "bulletin_html": Markup(bulletin_html(report)),
            "report_url": ui_url("/artifacts/key/weekly-report")}
        for role, who, contact in recipients(rules.reports.weekly_to, rules):
            enqueue_report(session, purpose="bulletin", role=role, ref=f"{number}:{who}",
                           contact=contact, context=context, language=rules.staff_language,
                           now=at)
    return True


def send_monthly(report: Report, files: dict[str, str], run_id: str) -> None:
    from notifications.report_render import summary_html

    rules, at = policy(), now()
    month = report.period.start.strftime("%Y-%m")
    context: dict[str, Any] = {
        "month": month, "files": sorted(files.items()),
        "summary_html": Markup(summary_html(report)),
        "report_url": ui_url("/artifacts/key/monthly-report")}
    with transaction(settings().store_url) as session:
        for role, who, contact in recipients(rules.reports.monthly_to, rules):
            enqueue_report(session, purpose="monthly_report", role=role,
                           ref=f"monthly-{month}:{run_id}:{who}", contact=contact,
                           context=context, language=rules.staff_language, now=at)


def raise_warnings(day: date) -> list[Warning]:
    """Today's new early warnings, stored once and queued to the general manager and the
    department's manager; warnings raised before are not sent again."""
    from models.i18n import t
    from models.store.report_warnings import early_warnings, record_new
    from notifications.report_render import warning_text

    rules, at = policy(), now()
    language = rules.staff_language
    with transaction(settings().store_url) as session:
        new = record_new(session, warnings=early_warnings(session, day=day, policy=rules),
                         now=at)
        for warning in new:
            context = {"title": t(language, f"warning.{warning.kind}.title"),
                       "sentence": warning_text(language, warning), "report_url": ""}
            for role, who, contact in recipients(
                    ["general_manager", "department_managers"], rules, warning.department):
                enqueue_report(session, purpose="early_warning", role=role,
                               ref=f"{warning.key}:{who}", contact=contact, context=context,
                               language=language, now=at)
    return new
