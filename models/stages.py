"""The forms a person answers while a case waits: one input model per human stage.

The flow wraps each in a Prefect `RunInput`, so the UI renders it as a form when the
case's flow run is suspended; the same JSON works for `complaints respond`. Field types
are kept plain (text, bounded number, enum as select, bool as switch). Field-level
limits live in the JSON schema, which Prefect's server enforces on resume; the
cross-field rules that a schema cannot say (vague corrective actions, enough options
for a threatening customer, a chosen option that exists) live in `problems()` so the
flow can refuse an answer, say why, and ask again instead of failing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.errors import StageInputError


class RootCause(StrEnum):
    people = "people"
    goods = "goods"
    place = "place"
    unknown = "unknown"


class SolutionType(StrEnum):
    compensation = "compensation"
    process = "process"
    cognitive = "cognitive"


class OptionChoice(StrEnum):
    option_1 = "option_1"
    option_2 = "option_2"
    option_3 = "option_3"


class Method(StrEnum):
    five_whys = "five_whys"
    fishbone = "fishbone"
    other = "other"


class StageForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answered_by: str = Field(
        title="Your name", min_length=1, max_length=120,
        description="Recorded in the case history as the person who gave this answer.",
    )
    form_key: str = Field(
        default="", title="Form (filled in for you: do not change)", max_length=120,
        description="Which form this answer is for. Do not change it: an answer for another "
        "form is not applied.",
    )

    def problems(self, *, rules: StageRules) -> list[str]:
        return []


class StageRules(BaseModel):
    """What the rules need to judge an answer; built by the flow from policy and case."""

    model_config = ConfigDict(extra="forbid")
    vague_actions: list[str] = Field(default_factory=list)
    min_options: int = 1
    max_options: int = 3
    options_offered: int = 0


class InvestigationForm(StageForm):
    facts: str = Field(
        title="What happened", min_length=1, max_length=10000,
        description="Facts as established, apart from the customer's feelings: what, where, how.",
    )
    customer_expectation: str = Field(
        title="What the customer expects", min_length=1, max_length=2000,
    )
    reported_before: bool = Field(default=False, title="Reported before by this customer")
    evidence: str = Field(default="", title="Evidence", max_length=5000,
                          description="Documents, photos, records checked.")
    root_cause: RootCause = Field(default=RootCause.unknown, title="Root cause (first view)")
    first_reply: str = Field(
        title="First reply to the service centre", min_length=1, max_length=5000,
        description="What the department tells the service centre now.",
    )


class SolutionForm(StageForm):
    solution_type: SolutionType = Field(
        title="Kind of solution",
        description="compensation: tiered options the customer chooses; process: a short-term "
        "fix plus a lasting change; cognitive: explain, with material the customer can see.",
    )
    option_1: str = Field(title="Option 1", min_length=1, max_length=2000)
    option_2: str = Field(default="", title="Option 2", max_length=2000)
    option_3: str = Field(default="", title="Option 3", max_length=2000,
                          description="A threatening customer needs at least two options.")
    compensation_yuan: float = Field(default=0, ge=0, le=10_000_000,
                                     title="Compensation offered (yuan)")
    note_to_customer: str = Field(default="", title="Note to the customer", max_length=2000)

    def options(self) -> list[str]:
        return [o for o in (self.option_1, self.option_2, self.option_3) if o]

    def problems(self, *, rules: StageRules) -> list[str]:
        count = len(self.options())
        if count < rules.min_options:
            return [f"option_2: this customer needs at least {rules.min_options} options, "
                    f"got {count}"]
        if count > rules.max_options:
            return [f"option_3: at most {rules.max_options} options"]
        return []


class ChoiceForm(StageForm):
    chosen: OptionChoice = Field(title="The customer chose")
    customer_comment: str = Field(default="", title="Customer's comment", max_length=2000)

    def problems(self, *, rules: StageRules) -> list[str]:
        number = int(self.chosen.value.rsplit("_", 1)[1])
        if number > rules.options_offered:
            return [f"chosen: only {rules.options_offered} options were offered"]
        return []


class ExecutionForm(StageForm):
    responsible_person: str = Field(title="Responsible person", min_length=1, max_length=120)
    actions_taken: str = Field(title="What was done", min_length=1, max_length=10000)
    progress_note: str = Field(
        title="Progress note to the customer", min_length=1, max_length=2000,
        description="Sent to the customer now: at least one progress update is required.",
    )
    completed: bool = Field(
        default=True, title="Solution fully carried out",
        description="Switch off to report an intermediate result; you will be asked again.",
    )


class CallbackForm(StageForm):
    satisfied: bool = Field(
        title="Customer satisfied",
        description="Off reopens the case as a repeat complaint and informs the general manager.",
    )
    customer_feedback: str = Field(default="", title="What the customer said", max_length=5000)


class ReviewForm(StageForm):
    root_cause_dimension: RootCause = Field(title="Root cause: people, goods or place")
    method: Method = Field(default=Method.five_whys, title="Analysis method")
    root_cause: str = Field(title="Root cause", min_length=1, max_length=5000)
    corrective_action: str = Field(
        title="Corrective action", min_length=1, max_length=5000,
        description="Concrete: who does what by when. 'Strengthen training' alone is refused.",
    )
    preventive_action: str = Field(title="Preventive action", min_length=1, max_length=5000)
    approve_closure: bool = Field(default=True, title="Leader approves closure")

    def problems(self, *, rules: StageRules) -> list[str]:
        found = []
        for field in ("corrective_action", "preventive_action"):
            phrase = _only_vague(getattr(self, field), rules.vague_actions)
            if phrase:
                found.append(f"{field}: {phrase!r} alone is too vague; say who will do what, "
                             "by when, and how it will be checked")
        if self.root_cause_dimension is RootCause.unknown:
            found.append("root_cause_dimension: choose people, goods or place")
        return found


def _only_vague(text: str, phrases: list[str]) -> str | None:
    """The vague phrase if the text is nothing more than it (plus punctuation)."""
    core = text.strip().strip("。.!！;；,，").lower()
    for phrase in phrases:
        if core == phrase.lower() or len(core) <= len(phrase) + 4 and phrase.lower() in core:
            return phrase
    return None


# Prefect refuses a pause key a run has used, so every suspension at a form gets its own:
# the form's key first, then `<key>--2`, `<key>--3`... (form keys never contain "--").
PAUSE_SEPARATOR = "--"


def pause_key_for(form_key: str, attempt: int) -> str:
    return form_key if attempt == 1 else f"{form_key}{PAUSE_SEPARATOR}{attempt}"


def form_of_pause(pause_key: str) -> str:
    """The form key a Prefect pause key belongs to."""
    return pause_key.split(PAUSE_SEPARATOR)[0]


def attempt_of_pause(pause_key: str) -> int:
    _, _, attempt = pause_key.partition(PAUSE_SEPARATOR)
    return int(attempt) if attempt.isdigit() else 1


KIND = "__prefect_kind"


def templated(value: Any, where: str = "") -> str:
    """The path of the first Prefect template object ({"__prefect_kind": ...}) inside
    `value`, or '': Prefect's server would render it (jinja, workspace variables) before
    the form ever sees it."""
    if isinstance(value, dict):
        if KIND in value:
            return where or "(top)"
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return ""
    for key, item in items:
        found = templated(item, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return ""


def check(form: StageForm, *, rules: StageRules) -> None:
    problems = form.problems(rules=rules)
    if problems:
        raise StageInputError(problems)


FORMS: dict[str, type[StageForm]] = {
    "investigation": InvestigationForm,
    "solution": SolutionForm,
    "choice": ChoiceForm,
    "execution": ExecutionForm,
    "callback": CallbackForm,
    "review": ReviewForm,
}
