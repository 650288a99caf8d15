"""Deployments operations staff start from the Prefect UI: acknowledge an escalation,
re-run stalled cases. Their run forms are the forms: each field has a title and says
what it takes. A refusal (a case number that does not exist, say) ends the run Failed
with one line naming the field, in the staff language when the refusal is data
(models/problems.py), and no traceback in the run's logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from prefect import flow, get_run_logger
from prefect.states import Failed, State
from pydantic import Field

from models.errors import CaseNotFound, ComplaintError
from models.problems import ProblemError, one_line
from tasks import operations
from tasks.runtime import policy


def field(title: str, description: str, max_length: int | None = 200) -> Any:
    """A run-form field: `Annotated[str, field(...)]`. Prefect titles a parameter with its
    name and drops a `Field`'s own title and description; the JSON schema's extra keys
    are kept, so the title and explanation go in there."""
    extra: dict[str, Any] = {"title": title, "description": description}
    if max_length is None:
        return Field(json_schema_extra=extra)
    return Field(max_length=max_length, json_schema_extra=extra)


CaseNumber = Annotated[str, field(
    "Case number", "The case's number as on its card, e.g. C-20261124-0001.", 40)]


@flow(name="acknowledge-escalation")
def acknowledge_escalation(
    case_number: CaseNumber,
    acknowledged_by: Annotated[str, field(
        "Acknowledged by", "Your name and role, e.g. 'Li Ming, technical department "
        "manager'. The case's open escalations stop climbing the ladder.")],
    note: Annotated[str, field(
        "Note", "Optional: what you are doing about the case.", 2000)] = "",
) -> dict[str, Any] | State:
    """A manager takes the case: its escalations stop climbing the ladder."""
    number = case_number.strip()
    return refused_in_one_line(
        lambda: operations.acknowledge(number, by=acknowledged_by, note=note), number)


@flow(name="rerun-stalled")
def rerun_stalled(
    case_number: Annotated[str, field(
        "Case number", "One case to continue from its last completed stage, e.g. "
        "C-20261124-0001; leave it empty to continue every stalled case.", 40)] = "",
) -> list[dict[str, Any]] | State:
    """Continue one case (its number), or every stalled case (leave it empty)."""
    logger = get_run_logger()
    numbers = [case_number.strip()] if case_number.strip() else [
        c["case"] for c in operations.stalled()]

    def rerun_all() -> list[dict[str, Any]]:
        return [operations.rerun(number) for number in numbers]

    results = refused_in_one_line(rerun_all, case_number.strip())
    if isinstance(results, list):
        logger.info("Re-ran %d case(s): %s", len(results), ", ".join(numbers) or "none stalled")
    return results


class Refused(ComplaintError):
    """An operations run refused; its one line is all the run's log shows of it."""


class OneLine(logging.Filter):
    """Prefect logs the error a failed run ends with, traceback included, on its run
    logger; for a refusal the line says everything, so the traceback is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, Refused):
            record.msg, record.args = str(error), ()
            record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("prefect.flow_runs").addFilter(OneLine())


def refused_in_one_line(work: Callable[[], Any], number: str) -> Any:
    """What `work` returns, or, refused, a Failed state whose message is one line."""
    try:
        return work()
    except CaseNotFound:
        line = one_line([operations.no_case(number)], policy().staff_language)
    except ProblemError as exc:
        line = one_line(exc.problems, policy().staff_language)
    except ComplaintError as exc:
        line = " ".join(str(exc).split())
    return Failed(message=line, data=Refused(line))
