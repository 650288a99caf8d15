"""Letters dropped into the inbox folder become cases.

Each `*.eml` is read, stored as a case (its Message-ID, or else a digest of the letter, is
the external reference, so a letter dropped twice is one case) and started, then moved
to `done/`. Whatever a letter holds, it never fails the run: a letter that cannot be
read or taken moves to `failed/` beside a one-line `.txt` that says why, and the next
letter is read.
"""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from models.errors import ComplaintError, NotServing
from tasks.intake_files import read_complaint
from tasks.operations import submit_intake
from tasks.runtime import is_transient, settings

# Seconds between two looks at the inbox while a run watches it.
LOOK_EVERY = 20


@flow(name="letters")
def ingest_letters(folder: str = "", watch_seconds: int = 0) -> list[dict[str, Any]]:
    """Open a case for every letter in the inbox folder (empty: the configured inbox),
    then look again every LOOK_EVERY seconds for `watch_seconds` (the deployment: its
    schedule's interval, so one run an interval reads each letter within a minute).

    An outage is not the letter's fault (the Prefect server not starting runs, the case
    store unreachable): the letter stays in the inbox and this look stops there, since the
    letters after it would meet the same outage; the next look reads them all again (a
    case already stored is found by its reference, not stored twice).
    """
    logger = get_run_logger()
    inbox = Path(folder) if folder else settings().inbox_path
    inbox.mkdir(parents=True, exist_ok=True)
    end = time.monotonic() + watch_seconds
    results: list[dict[str, Any]] = []
    while True:
        started = time.monotonic()
        results += _look(inbox, logger)
        if started + LOOK_EVERY >= end:
            break
        time.sleep(max(LOOK_EVERY - (time.monotonic() - started), 0))
    logger.info("%d letter(s) taken in.", len(results))
    return results


def _look(inbox: Path, logger: logging.Logger | logging.LoggerAdapter[Any],
          ) -> list[dict[str, Any]]:
    results = []
    for path in sorted(inbox.glob("*.eml")):
        if not path.exists():
            continue  # another letters run (one started by hand) took it first
        try:
            results.append(_take(path))
        except Exception as exc:
            if _outage(exc):
                logger.warning("Letter %s left in the inbox for the next look: %s (outage); "
                               "stopping here", path.name, type(exc).__name__)
                break
            _move(path, inbox / "failed", why=_refusal(exc, path, logger))
            continue
        _move(path, inbox / "done")
    return results


def _take(path: Path) -> dict[str, Any]:
    intake, letter = read_complaint(str(path))
    extracted = {"reasons": letter.reasons, "references": letter.references,
                 "attachments": letter.attachments} if letter else None
    result = submit_intake(intake, actor=f"letter {path.name}", letter=extracted)
    return {"letter": path.name, "case": result["case"], "duplicate": result["duplicate"]}


def _outage(exc: Exception) -> bool:
    return isinstance(exc, NotServing) or is_transient(exc)


def _refusal(exc: Exception, path: Path, logger: logging.Logger | logging.LoggerAdapter[Any],
             ) -> str:
    """The one line for the `.txt`. A refusal of ours names the field, never its value;
    anything else is logged by type and frames only, since its message (a database
    error's parameters, say) may hold what the customer wrote."""
    if isinstance(exc, ComplaintError):
        why = " ".join(str(exc).split()) or type(exc).__name__
        logger.warning("Letter %s not taken: %s", path.name, why)
        return why
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("Letter %s not taken: unexpected %s\n%s", path.name, type(exc).__name__, frames)
    return f"{type(exc).__name__}: an unexpected error, see the letters run's log"


def _move(path: Path, target: Path, *, why: str = "") -> None:
    target.mkdir(exist_ok=True)
    try:
        path.replace(target / path.name)
    except FileNotFoundError:
        return  # another letters run moved it
    if why:
        (target / f"{path.name}.txt").write_text(why + "\n", encoding="utf-8")
