"""The forms a person answers while a case waits: one input model per human stage.

The flow wraps each in a Prefect `RunInput`, so the UI renders it as a form when the
case's flow run is suspended; the same JSON works for `complaints respond`. Field types
are kept plain (text, bounded number, enum as select, bool as switch). Field-level
limits live in the JSON schema, which Prefect's server enforces on resume; the
cross-field rules that a schema cannot say (vague corrective actions, enough options
for a threatening customer, a chosen option that exists) live in `problems()` so the
flow can refuse an answer, say why, and ask again instead of failing. The problems are
data (models/problems.py), worded when a form or the CLI shows them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.actions import Action, actions_problems
from models.errors import StageInputError
from models.intake import UnreasonableType
from models.problems import Problem, problem, texts


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
    reject_all = "reject_all"


class HandoverDecision(StrEnum):
    sign = "sign"
    transfer = "transfer"


class Validity(StrEnum):
    valid = "valid"
    invalid = "invalid"


class FollowUp(StrEnum):
    none = "none"
    watch = "watch"
    monitor = "monitor"


class Decider(StrEnum):
    department = "department"
    department_manager = "department_manager"
    general_manager = "general_manager"


class YesNo(StrEnum):
    yes = "yes"
    no = "no"


class ExecutionResult(StrEnum):
    done = "done"
    intermediate = "intermediate"
    defer = "defer"


class Satisfied(StrEnum):
    yes = "yes"
    no = "no"
    not_reached = "not_reached"


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

    def problems(self, *, rules: StageRules) -> list[Problem]:
        return []


class StageRules(BaseModel):
    """What the rules need to judge an answer; built by the flow from policy and case."""

    model_config = ConfigDict(extra="forbid")
    vague_actions: list[str] = Field(default_factory=list)
    filler_words: list[str] = Field(default_factory=list)
    min_options: int = 1
    max_options: int = 3
    options_offered: int = 0
    departments: list[str] = Field(default_factory=list)
    department: str = ""
    rejections: int = 0
    invalid_is_irrational: bool = True  # the policy's tier D is of level irrational
    valid: bool = True
    handlers: list[str] = Field(default_factory=list)  # who answered this case's stages
    today: date | None = None
    now: datetime | None = None
    next_callback_from: datetime | None = None
    next_callback_text: str = ""


class HandoverForm(StageForm):
    """签收: the department's receiver signs for the case, or transfers it."""

    decision: HandoverDecision = Field(
        title="Sign for the case, or transfer it",
        description="sign: your department takes the case (the handover deadline is met "
        "now). transfer: it belongs to another department; say which and why.",
    )
    transfer_to: str = Field(
        default="", title="Transfer to department", max_length=64,
        description="Only for a transfer: the department key, e.g. technical, finance.",
    )
    reason: str = Field(default="", title="Reason for the transfer", max_length=2000)

    def problems(self, *, rules: StageRules) -> list[Problem]:
        if self.decision is HandoverDecision.sign:
            return []
        allowed = [d for d in rules.departments if d != rules.department]
        if self.transfer_to not in rules.departments or self.transfer_to == rules.department:
            return [problem("transfer_to", "handover.other_department", departments=allowed)]
        if not self.reason:
            return [problem("reason", "handover.transfer_reason")]
        return []


class Responsible(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(title="Name", min_length=1, max_length=120)
    department: str = Field(title="Department", min_length=1, max_length=64,
                            description="The department key, e.g. technical, service.")


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
    validity: Validity = Field(
        title="Valid or invalid complaint",
        description="Decided after analysis. An invalid complaint becomes tier D and is still "
        "answered patiently.",
    )
    established_loss_yuan: float = Field(
        ge=0, le=100_000_000, title="Established loss to the company (yuan)",
        description="As the analysis found it, 0 if none. It replaces the customer's claim "
        "for the tier: over the threshold A, above 0 B.",
    )
    unreasonable_type: UnreasonableType = Field(
        default=UnreasonableType.none, title="Unreasonable-complaint type",
        description="Any type but none makes the case irrational, tracked by the department "
        "manager.",
    )
    follow_up: FollowUp = Field(
        default=FollowUp.none, title="Follow-up mode (irrational complaints)",
        description="watch (关注) or monitor (监控); required when the complaint is "
        "unreasonable or invalid.",
    )
    responsible_persons: list[Responsible] = Field(
        default_factory=list, title="Responsible person(s)", max_length=10,
        description="Name and department of each person responsible; at least one for a "
        "valid complaint.",
    )

    def problems(self, *, rules: StageRules) -> list[Problem]:
        found = []
        if self.validity is Validity.valid and not self.responsible_persons:
            found.append(problem("responsible_persons", "investigation.responsible_needed"))
        for n, person in enumerate(self.responsible_persons):
            if rules.departments and person.department not in rules.departments:
                found.append(problem(f"responsible_persons.{n}.department",
                                     "investigation.unknown_department",
                                     given=person.department, departments=rules.departments))
        irrational = self.makes_irrational(invalid_is_irrational=rules.invalid_is_irrational)
        if irrational and self.follow_up is FollowUp.none:
            found.append(problem("follow_up", "investigation.follow_up_needed"))
        if not irrational and self.follow_up is not FollowUp.none:
            found.append(problem("follow_up", "investigation.follow_up_only_unreasonable"))
        return found


    def makes_irrational(self, *, invalid_is_irrational: bool) -> bool:
        """Whether this answer makes the case irrational: an unreasonable type, or an
        invalid complaint when the policy's tier D is of level irrational (the default)."""
        return self.unreasonable_type is not UnreasonableType.none or (
            self.validity is Validity.invalid and invalid_is_irrational)


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
    decided_by: Decider = Field(
        default=Decider.department, title="Decided by",
        description="After the customer rejected a proposal the department manager decides; "
        "after a second rejection the general manager gives the final opinion.",
    )

    def options(self) -> list[str]:
        return [o for o in (self.option_1, self.option_2, self.option_3) if o]

    def problems(self, *, rules: StageRules) -> list[Problem]:
        count = len(self.options())
        found = []
        if count < rules.min_options:
            found.append(problem("option_2", "solution.too_few", least=rules.min_options,
                                 count=count))
        if count > rules.max_options:
            found.append(problem("option_3", "solution.too_many", most=rules.max_options))
        needed = required_decider(rules.rejections)
        order = list(Decider)
        if order.index(self.decided_by) < order.index(needed):
            found.append(problem("decided_by", "solution.decider",
                                 rejections=rules.rejections, decider=needed.value))
        return found


def required_decider(rejections: int) -> Decider:
    """Who must decide the next proposal after this many rejections (DOMAIN.md §7)."""
    return [Decider.department, Decider.department_manager][rejections] if rejections < 2 \
        else Decider.general_manager


class ChoiceForm(StageForm):
    chosen: OptionChoice = Field(
        title="The customer's answer to the proposal",
        description="The option the customer accepts, or reject_all (give their reason).",
    )
    rejection_reason: str = Field(default="", title="Why the customer rejects it",
                                  max_length=2000)
    customer_comment: str = Field(default="", title="Customer's comment", max_length=2000)

    def problems(self, *, rules: StageRules) -> list[Problem]:
        if self.chosen is OptionChoice.reject_all:
            if rules.rejections >= 2:
                return [problem("chosen", "choice.final")]
            return [] if self.rejection_reason else [
                problem("rejection_reason", "choice.why_rejected")]
        number = int(self.chosen.value.rsplit("_", 1)[1])
        if number > rules.options_offered:
            return [problem("chosen", "choice.not_offered", offered=rules.options_offered)]
        return []


class ExecutionForm(StageForm):
    responsible_person: str = Field(title="Responsible person", min_length=1, max_length=120)
    actions_taken: str = Field(title="What was done", min_length=1, max_length=10000)
    progress_note: str = Field(
        title="Progress note to the customer", min_length=1, max_length=2000,
        description="Sent to the customer now: at least one progress update is required.",
    )
    result: ExecutionResult = Field(
        title="Where the solution stands",
        description="done: fully carried out (the close is requested). intermediate: an "
        "intermediate result; you will be asked again. defer: it cannot be closed for "
        "objective reasons: request a deferred close (暂缓关闭) from the service centre.",
    )
    deferral_reason: str = Field(default="", title="Why the close must be deferred",
                                 max_length=2000, description="Only with result defer.")

    def problems(self, *, rules: StageRules) -> list[Problem]:
        if self.result is ExecutionResult.defer and not self.deferral_reason:
            return [problem("deferral_reason", "execution.why_deferred")]
        if self.result is not ExecutionResult.defer and self.deferral_reason:
            return [problem("deferral_reason", "execution.only_deferred")]
        return []

    @property
    def completed(self) -> bool:
        return self.result is ExecutionResult.done


class DeferralForm(StageForm):
    """The service centre decides on a department's request for a deferred close."""

    approve: YesNo = Field(
        title="Approve the deferred close",
        description="yes: the case becomes a second irrational complaint; its close deadline "
        "stops without a breach; it stays open until execution is reported done.",
    )
    follow_up: FollowUp = Field(default=FollowUp.none, title="Follow-up mode",
                                description="watch (关注) or monitor (监控); required to approve.")
    note: str = Field(default="", title="Note", max_length=2000)

    def problems(self, *, rules: StageRules) -> list[Problem]:
        if self.approve is YesNo.yes and self.follow_up is FollowUp.none:
            return [problem("follow_up", "deferral.follow_up_needed")]
        return []


class CallbackForm(StageForm):
    reached: YesNo = Field(
        title="Reached the customer?",
        description="no: the attempt is recorded and you are asked again later; after the "
        "last attempt the case goes to review as not reached.",
    )
    satisfied: Satisfied = Field(
        title="Customer satisfied",
        description="yes or no when reached (no reopens the case as a repeat complaint and "
        "informs the general manager); not_reached when not reached.",
    )
    score: int = Field(default=0, ge=0, le=5, title="Satisfaction score (1-5)",
                       description="When reached: 1 very dissatisfied ... 5 very satisfied.")
    customer_feedback: str = Field(default="", title="What the customer said", max_length=5000)

    def problems(self, *, rules: StageRules) -> list[Problem]:
        found = []
        if self.reached is YesNo.no:
            if rules.next_callback_from and rules.now and rules.now < rules.next_callback_from:
                found.append(problem("reached", "callback.too_early",
                                     when=rules.next_callback_text))
            if self.satisfied is not Satisfied.not_reached or self.score:
                found.append(problem("satisfied", "callback.not_reached"))
            return found
        if self.satisfied is Satisfied.not_reached:
            found.append(problem("satisfied", "callback.reached"))
        if not 1 <= self.score <= 5:
            found.append(problem("score", "callback.score"))
        return found

    @property
    def is_satisfied(self) -> bool:
        return self.reached is YesNo.yes and self.satisfied is Satisfied.yes


class ReviewForm(StageForm):
    root_cause_dimension: RootCause = Field(title="Root cause: people, goods or place")
    method: Method = Field(default=Method.five_whys, title="Analysis method")
    root_cause: str = Field(title="Root cause", min_length=1, max_length=5000)
    corrective_actions: list[Action] = Field(
        default_factory=list, title="Corrective actions", max_length=20,
        description="Each: what is done, its owner, a due date after today, and how its "
        "effect is checked. 'Strengthen training' and the like are not actions.",
    )
    preventive_actions: list[Action] = Field(
        default_factory=list, title="Preventive actions", max_length=20,
        description="As corrective actions: what, owner, due date, how the effect is checked.",
    )
    repeat_by_neglect: YesNo = Field(
        default=YesNo.no, title="Repeat complaint caused by neglect",
        description="yes: the customer complained again because an earlier complaint was "
        "ignored, brushed off or not handled in time; the penalty bulletin doubles it.")
    customer_summary: str = Field(
        title="Summary for the customer", min_length=1, max_length=2000,
        description="What was done for the customer: sent in the closure message. The "
        "internal actions are never sent to the customer.",
    )
    approved_by: str = Field(
        title="Leader who approves the closure", min_length=1, max_length=120,
        description="Someone who did not answer any stage of this case.",
    )
    approve_closure: YesNo = Field(
        title="The leader approves the closure",
        description="no: the review is asked again (say why in the root cause or actions).")

    def problems(self, *, rules: StageRules) -> list[Problem]:
        found = []
        if self.root_cause_dimension is RootCause.unknown:
            found.append(problem("root_cause_dimension", "review.dimension"))
        found += actions_problems(self.corrective_actions, self.preventive_actions,
                                  valid=rules.valid, today=rules.today or date.today(),
                                  phrases=rules.vague_actions, fillers=rules.filler_words)
        handlers = {_person(h) for h in [*rules.handlers, self.answered_by]}
        if _person(self.approved_by) in handlers:
            found.append(problem("approved_by", "review.approver_handled",
                                 given=self.approved_by))
        return found


def _person(name: str) -> str:
    """A person as answers name them: 'Li Ming (technical)', 'li ming' and 'Li Ming（技术部）'
    are one person; the role in brackets is not part of the name."""
    bare = re.sub(r"[(（][^()（）]*[)）]", " ", name)
    return "".join(bare.split()).casefold()


# Prefect refuses a pause key a run has used, so every suspension at a form gets its own:
# the form's key first, then `<key>--2`, `<key>--3`... (form keys never contain "--").
PAUSE_SEPARATOR = "--"


def pause_key_for(form_key: str, attempt: int) -> str:
    """Prefect's pause keys are lower case (a bulletin's form is bulletin-pb-2026-w47-1)."""
    key = form_key.lower()
    return key if attempt == 1 else f"{key}{PAUSE_SEPARATOR}{attempt}"


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
    """Raise the form's problems as the English lines the CLI prints."""
    problems = form.problems(rules=rules)
    if problems:
        raise StageInputError(texts(problems, "en", type(form)))


FORMS: dict[str, type[StageForm]] = {
    "handover": HandoverForm,
    "investigation": InvestigationForm,
    "solution": SolutionForm,
    "choice": ChoiceForm,
    "execution": ExecutionForm,
    "deferral": DeferralForm,
    "callback": CallbackForm,
    "review": ReviewForm,
}
