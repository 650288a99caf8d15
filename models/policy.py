"""The SLA policy as data: one pydantic model loaded from one YAML file an operator edits.

Tiers and their limits, task retries and timeouts per tier, channel rules that tighten
limits, routing from category to department, contacts of the escalation chain, the
business calendar and the phrases review refuses. Nothing else in the project branches
on a tier letter: it asks this model.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from models.errors import PolicyError
from models.intake import Category, Channel

SAME_BUSINESS_DAY = "same_business_day"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d)\s*$")
_UNIT = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


def _duration(value: object) -> object:
    """'30m', '8h', '2d' or a number of minutes; 'same_business_day' passes through."""
    if isinstance(value, timedelta) or value == SAME_BUSINESS_DAY:
        return value
    if isinstance(value, int | float):
        return timedelta(minutes=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(
            f"{value!r} is not a duration: write e.g. 30m, 8h, 2d or {SAME_BUSINESS_DAY}")
    return timedelta(**{_UNIT[match.group(2)]: float(match.group(1))})


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Limit = Annotated[timedelta | Literal["same_business_day"], BeforeValidator(_duration)]


class Tier(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Level(StrEnum):
    general = "general"
    intermediate = "intermediate"
    strong = "strong"
    irrational = "irrational"


LEVEL_ORDER = [Level.general, Level.intermediate, Level.strong, Level.irrational]


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acknowledge: Limit
    handover: Limit
    first_reply: Limit
    close: Duration
    callback: Duration = Field(description="After the close request.")


class TaskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retries: int = Field(ge=0, le=20)
    retry_delay_seconds: float = Field(ge=0)
    timeout_seconds: float = Field(gt=0)


class TierPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    limits: Limits
    task: TaskOptions
    penalty_yuan: int = Field(ge=0)
    level: Level


class ChannelRule(BaseModel):
    """Limits a channel tightens (never loosens) and who is told at once."""

    model_config = ConfigDict(extra="forbid")
    min_tier: Tier | None = None
    acknowledge: Duration | None = None
    handover: Duration | None = None
    first_reply: Duration | None = None
    inform: list[str] = Field(default_factory=list)
    inform_if_tier_a: list[str] = Field(default_factory=list)


def _wording(value: object) -> object:
    # Older policy files give one plain string: it then reads the same in both languages.
    return {"zh": value, "en": value} if isinstance(value, str) else value


class Wording(BaseModel):
    """A title or role as each language writes it."""

    model_config = ConfigDict(extra="forbid")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.zh


Words = Annotated[Wording, BeforeValidator(_wording)]


class Contact(BaseModel):
    """A person messages name: `name` as the store records it (tracker, forms), `name_en`
    as English messages write it (pinyin), the role per language for the greeting."""

    model_config = ConfigDict(extra="forbid")
    name: str
    name_en: str = Field(default="", description="The name in English messages; empty: name.")
    role: Words | None = None
    email: str = ""
    phone: str = ""

    def name_in(self, language: str) -> str:
        return (self.name_en or self.name) if language == "en" else self.name

    def role_in(self, language: str) -> str:
        return self.role.in_language(language) if self.role else ""


class Department(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Words
    handler: Contact
    manager: Contact
    contact: Contact = Field(description="Named to the customer in the acknowledgement: "
                                         "the department's contact person and phone.")

    def title_in(self, language: str) -> str:
        return self.title.in_language(language)


class MessagePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    next_reply_after: Duration = Field(
        default=timedelta(hours=4),
        description="After a breach a progress or escalation message promises the next "
                    "reply this long from now, counted in business hours.")


class CalendarPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str = "Asia/Shanghai"
    workday_start: time = time(9, 0)
    workday_end: time = time(18, 0)
    official_china_calendar: bool = True
    extra_holidays: list[str] = Field(default_factory=list, description="ISO dates off.")
    extra_workdays: list[str] = Field(default_factory=list, description="ISO dates worked.")


class TieringPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    loss_threshold_yuan: float = 3000


class EscalationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warn_at: list[float] = Field(default_factory=lambda: [0.5, 0.75])
    manager_ack_within: Duration = timedelta(hours=1)
    general_manager_at_breach: list[Tier] = Field(default_factory=lambda: [Tier.A])
    relayed_channels: list[Channel] = Field(default_factory=lambda: [
        Channel.media, Channel.consumer_association, Channel.regulator])
    general_manager_on_failure_of_tiers: list[Tier] = Field(default_factory=lambda: [Tier.A])
    pause_while_waiting_for: list[str] = Field(default_factory=lambda: ["choice"])
    stalled_after: Duration = timedelta(minutes=15)
    start_missing_after: Duration = Field(
        default=timedelta(minutes=2),
        description="A case stored this long without a flow run: the watchdog starts it.",
    )
    failure_patience: Duration = Field(
        default=timedelta(minutes=10),
        description="How long a failure hook keeps trying to record its escalation while "
                    "the case store is unreachable.",
    )


class ReceivedWindow(BaseModel):
    """How far from now a complaint's received_at may lie."""

    model_config = ConfigDict(extra="forbid")
    before: Duration = timedelta(days=90)
    after: Duration = Field(default=timedelta(minutes=5), description="Clock skew allowed.")


class IntakePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    received_window: ReceivedWindow = ReceivedWindow()
    letters_taken_by: str = Field(
        default="Service-centre mailbox", min_length=1, max_length=120,
        description="The first-contact person recorded for complaints read from letters.")


class CallbackPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retry_after: Duration = Field(default=timedelta(hours=4),
                                  description="A customer not reached is called again after this.")
    max_attempts: int = Field(default=3, ge=1, le=20)


class HistoryPolicy(BaseModel):
    """Cases of one customer (same phone or e-mail) are linked."""

    model_config = ConfigDict(extra="forbid")
    repeat_within: Duration = Field(
        default=timedelta(days=90),
        description="An open case, or one received this recently, of the same category "
                    "marks a possible repeat.")
    raise_level_at: int = Field(
        default=3, ge=2, le=100,
        description="The n-th complaint of one customer inside repeat_within raises the "
                    "level one step.")


class ActionPolicy(BaseModel):
    """Corrective and preventive actions of a review (DOMAIN.md §7)."""

    model_config = ConfigDict(extra="forbid")
    vague_phrases: list[str] = Field(
        description="Words that are not actions: an action made only of these (in any "
                    "combination, with punctuation or filler between) is refused.")
    filler_words: list[str] = Field(
        default_factory=list,
        description="Words that add nothing to a vague phrase (员工, 大家, staff, ...).")
    check_every_seconds: float = Field(default=3600, gt=0, le=86400,
                                       description="How often action-check looks for actions due.")


class PenaltyPolicy(BaseModel):
    """Penalties of the weekly bulletin (DOMAIN.md §5, §7); per case: tiers.*.penalty_yuan."""

    model_config = ConfigDict(extra="forbid")
    repeat_by_neglect_factor: int = Field(
        default=2, ge=1, le=10,
        description="A repeat complaint caused by neglect multiplies the case's penalty.")
    late_acceptance_per_day: int = Field(
        default=100, ge=0, description="Yuan per started day the acknowledge clock was late, "
                                       "against the first-contact person.")
    unclosed_month_factor: int = Field(
        default=2, ge=1, le=10,
        description="Each further month a case stays unclosed past its limit: the case's "
                    "penalty times this, again.")
    rate_above_one_percent: int = Field(
        default=500, ge=500, le=1500,
        description="Department head, monthly complaint rate above 1.00 %: 500 to 1500 yuan.")
    suspend_at: int = Field(default=3, ge=1, le=100,
                            description="Complaints against one person in a month that "
                                        "suspend the person for rectification.")


class WarningPolicy(BaseModel):
    """Early warnings, checked daily (DOMAIN.md §5)."""

    model_config = ConfigDict(extra="forbid")
    surge_ratio: float = Field(default=0.20, gt=0, le=10,
                               description="A category's count up this much week on week.")
    surge_min_count: int = Field(default=5, ge=1,
                                 description="... and at least this many complaints this week.")
    repeat_rate_above: float = Field(default=0.10, gt=0, le=1)
    dissatisfied_above: float = Field(default=0.20, gt=0, le=1)
    min_callbacks: int = Field(default=5, ge=1,
                               description="Callbacks in the week before a rate is judged.")


class ReportPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekly_to: list[str] = Field(
        default_factory=lambda: ["department_managers", "general_manager"],
        description="Who receives the signed weekly bulletin.")
    monthly_to: list[str] = Field(default_factory=lambda: ["service_director", "general_manager"])


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep: Duration = Field(default=timedelta(days=730),
                           description="Cases closed longer ago than this are archived.")


class WatchdogPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sweep_every_seconds: float = Field(default=10, gt=0, le=3600)
    batch: int = Field(default=500, ge=1, le=100_000)
    resend_after: Duration = Field(
        default=timedelta(minutes=5),
        description="The watchdog sends again a message to a customer still queued after "
        "this long; a newer one is its case's own delivery, which escalates when it fails.")


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tiers: dict[Tier, TierPolicy]
    tiering: TieringPolicy = TieringPolicy()
    intake: IntakePolicy = IntakePolicy()
    channels: dict[Channel, ChannelRule] = Field(default_factory=dict)
    routing: dict[Category, str]
    departments: dict[str, Department]
    service_centre: str = Field(
        default="customer_service",
        description="The department that is the customer-service centre: it calls the "
        "customer back (its handler is reminded when an attempt is due).")
    general_manager: Contact
    public_relations: Contact
    calendar: CalendarPolicy = CalendarPolicy()
    escalation: EscalationPolicy = EscalationPolicy()
    watchdog: WatchdogPolicy = WatchdogPolicy()
    default_task: TaskOptions
    actions: ActionPolicy
    callback: CallbackPolicy = CallbackPolicy()
    history: HistoryPolicy = HistoryPolicy()
    penalties: PenaltyPolicy = PenaltyPolicy()
    warnings: WarningPolicy = WarningPolicy()
    reports: ReportPolicy = ReportPolicy()
    retention: RetentionPolicy = RetentionPolicy()
    service_director: Contact | None = None
    messages: MessagePolicy = MessagePolicy()
    min_options_threatening: int = 2
    max_options: int = 3
    waiting_limit: Duration = Field(
        default=timedelta(days=30),
        description="How long a case may wait for a form before its run expires as stalled.",
    )
    staff_language: str = Field(default="zh", pattern="^(zh|en)$")

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        missing = [t.value for t in Tier if t not in self.tiers]
        if missing:
            raise ValueError(f"tiers: missing {', '.join(missing)}")
        unknown = sorted({d for d in self.routing.values() if d not in self.departments})
        if unknown:
            raise ValueError(f"routing: departments not defined under departments: {unknown}")
        if self.service_centre not in self.departments:
            raise ValueError(f"service_centre: {self.service_centre!r} is not one of the "
                             f"departments: {', '.join(self.departments)}")
        unrouted = [c.value for c in Category if c not in self.routing]
        if unrouted:
            raise ValueError(f"routing: no department for categories {unrouted}")
        return self

    def tier(self, tier: Tier | str) -> TierPolicy:
        return self.tiers[Tier(tier)]

    def task_options(self, tier: Tier | str | None) -> TaskOptions:
        return self.tiers[Tier(tier)].task if tier else self.default_task


def load_policy(path: Path) -> Policy:
    """Read and validate the policy file; errors name the file and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"policy file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy file {path}: not valid YAML: {exc}") from None
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise PolicyError(f"policy file {path}: {where}: {first['msg']}") from None
