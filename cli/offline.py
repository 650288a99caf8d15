"""What the CLI does without a server or a store: the preliminary judgment of a file.

Kept apart from `cli.commands` so that `complaints triage` imports neither SQLAlchemy nor
httpx nor Prefect (a test holds it to that): it is the command a person runs on a letter
to see what the desk would make of it, and it should answer at once.
"""

from __future__ import annotations

from typing import Any

from models.errors import InputError
from models.privacy import mask_email, mask_name, mask_phone
from models.reasons import render, render_all
from models.triage import triage, triage_json
from tasks.intake_files import read_complaint
from tasks.runtime import now, policy


def triage_file(path: str, *, reveal: bool = False) -> dict[str, Any]:
    """The preliminary judgment of a file: `reasons` as data, `reasons_text` the same in
    the policy's staff language; for a letter also what was read from it, the customer
    masked unless `reveal` (terminal output ends up in tickets and chats)."""
    # Nothing is stored: a file that names no first-contact person is still judged.
    intake, letter = read_complaint(path, default_taken_by="(triage only)")
    rules = policy()
    try:
        judged = triage_json(triage(intake, policy=rules, received_at=intake.received(now())))
    except OverflowError:  # nothing is stored here, so any date computable is judged
        raise InputError(f"received_at: {intake.received_at} is too far from today to "
                         "compute deadlines") from None
    judged["reasons_text"] = render_all(rules.staff_language, judged["reasons"])
    if letter is None:
        return judged
    customer = intake.customer.model_dump(mode="json")
    if not reveal:
        customer.update(name=mask_name(customer["name"]), phone=mask_phone(customer["phone"]),
                        email=mask_email(customer["email"]))
    return {**judged, "intake": {
        "customer": customer, "category": intake.category.value,
        "emotion": intake.emotion.value, "threatening": intake.threatening,
        "claimed_loss": intake.claimed_loss, "references": letter.references,
        "attachments": letter.attachments, "reasons": letter.reasons,
        "reasons_text": {field: render(rules.staff_language, why)
                         for field, why in letter.reasons.items()}}}
