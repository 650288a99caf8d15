"""Letters dropped into the inbox folder become cases.

Each `*.eml` is read, stored as a case (its Message-ID is the external reference, so a
letter dropped twice is one case) and started, then moved to `done/`; a letter that
cannot be read moves to `failed/` beside a `.txt` that says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from models.errors import ComplaintError
from tasks.intake_files import read_complaint
from tasks.operations import submit_intake
from tasks.runtime import settings


@flow(name="letters")
def ingest_letters(folder: str = "") -> list[dict[str, Any]]:
    """Open a case for every letter in the inbox folder (empty: the configured inbox)."""
    logger = get_run_logger()
    inbox = Path(folder) if folder else settings().inbox_path
    inbox.mkdir(parents=True, exist_ok=True)
    results = []
    for path in sorted(inbox.glob("*.eml")):
        try:
            intake, letter = read_complaint(str(path))
            extracted = {"reasons": letter.reasons, "references": letter.references,
                         "attachments": letter.attachments} if letter else None
            result = submit_intake(intake, actor=f"letter {path.name}", letter=extracted)
        except ComplaintError as exc:
            _move(path, inbox / "failed", why=str(exc))
            logger.warning("Letter %s not taken: %s", path.name, exc)
            continue
        _move(path, inbox / "done")
        results.append({"letter": path.name, "case": result["case"],
                        "duplicate": result["duplicate"]})
    logger.info("%d letter(s) taken in.", len(results))
    return results


def _move(path: Path, target: Path, *, why: str = "") -> None:
    target.mkdir(exist_ok=True)
    path.replace(target / path.name)
    if why:
        (target / f"{path.name}.txt").write_text(why + "\n", encoding="utf-8")
