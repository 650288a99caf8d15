"""The intake form: what a front-line agent records when a complaint comes in.

This model is the complaint deployment's parameter form in the Prefect UI and the
schema of `complaints submit FILE`. Every field is one plain input (text with an empty
default, a bounded number, an enum as a select, a bool as a switch) so the UI shows no
type toggles. Contacts are normalised here: phones to E.164, e-mails to their canonical
form.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.errors import InputError


class Channel(StrEnum):
    phone = "phone"
    email = "email"
    web = "web"
    walk_in = "walk_in"
    hotline = "hotline"
    media = "media"
    consumer_association = "consumer_association"
    regulator = "regulator"


class Category(StrEnum):
    product_defect = "product_defect"
    repair_quality = "repair_quality"
    repair_cost = "repair_cost"
    service_attitude = "service_attitude"
    purchase = "purchase"
    parts = "parts"
    delivery_delay = "delivery_delay"
    false_advertising = "false_advertising"
    after_sales = "after_sales"
    other = "other"


class Emotion(StrEnum):
    calm = "calm"
    strong = "strong"
    extreme = "extreme"


class Violation(StrEnum):
    none = "none"
    minor = "minor"
    severe = "severe"


class PublicImpact(StrEnum):
    none = "none"
    some = "some"
    large = "large"


class Language(StrEnum):
    zh = "zh"
    en = "en"


class UnreasonableType(StrEnum):
    none = "none"
    misunderstanding = "misunderstanding"
    emotional = "emotional"
    interest_driven = "interest_driven"
    malicious = "malicious"


def parse_instant(value: str, *, field: str) -> datetime:
    """An ISO-8601 instant with its UTC offset; naive times are refused, not guessed."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: {value!r} is not an ISO-8601 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{field}: {value!r} needs a UTC offset, e.g. 2026-11-23T10:30:00+08:00")
    return parsed


def _without_nul(value: object) -> object:
    return value.replace("\x00", "") if isinstance(value, str) else value


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _no_nul = field_validator("*", mode="before")(_without_nul)

    name: str = Field(
        title="Customer name", min_length=1, max_length=120,
        description="As the customer gives it. Stored privately; masked in the Prefect UI.",
    )
    phone: str = Field(
        default="", title="Phone", max_length=40,
        description="Mainland numbers may omit +86. Give a phone, an e-mail, or both.",
    )
    email: str = Field(default="", title="E-mail", max_length=254)
    language: Language = Field(
        default=Language.zh, title="Language",
        description="The language every message to this customer is written in.",
    )

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not value:
            return value
        try:
            number = phonenumbers.parse(value, "CN")
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number (digits, optionally +country code)") from None
        if not phonenumbers.is_possible_number(number):
            raise ValueError("not a possible phone number (check the number of digits)")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not value:
            return value
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            # The value itself is not echoed: errors can end up in run logs.
            raise ValueError(f"not an e-mail address: {exc}".replace(value, "…")) from None

    @model_validator(mode="after")
    def _reachable(self) -> Customer:
        if not self.phone and not self.email:
            raise ValueError("give at least one of phone or email, so the customer can be answered")
        return self


class Intake(BaseModel):
    """A complaint as received. `received_at` empty means now."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _no_nul = field_validator("*", mode="before")(_without_nul)

    channel: Channel = Field(title="Channel", description="How the complaint reached us.")
    taken_by: str = Field(
        title="Taken by", min_length=1, max_length=120,
        description="Your name: the first person contacted is responsible for the case's "
        "acceptance (recorded on the case).",
    )
    received_at: str = Field(
        default="", title="Received at",
        description="ISO-8601 with offset, e.g. 2026-11-23T10:30:00+08:00. Empty: now.",
    )
    customer: Customer = Field(title="Customer")
    subject: str = Field(title="Subject", min_length=1, max_length=200)
    description: str = Field(
        title="Complaint", min_length=1, max_length=20000,
        description="What the customer says happened, in their words.",
    )
    category: Category = Field(default=Category.other, title="Category")
    references: str = Field(
        default="", max_length=500, title="Order / invoice / product numbers",
        description="As the customer gives them, separated by commas.",
    )
    requested_remedy: str = Field(
        default="", max_length=2000, title="What the customer asks for",
        description="The remedy the customer requests, in their words (refund, repair, "
        "apology...).",
    )
    claimed_loss: float = Field(
        default=0, ge=0, le=100_000_000, title="Claimed loss (yuan)",
        description="The customer's loss as they claim it; 0 if none.",
    )
    emotion: Emotion = Field(default=Emotion.calm, title="Customer emotion")
    violation: Violation = Field(
        default=Violation.none, title="Procedure violation",
        description="Did our staff break procedure? severe puts the case in tier A.",
    )
    public_impact: PublicImpact = Field(default=PublicImpact.none, title="Public impact")
    threatening: bool = Field(
        default=False, title="Threatening customer",
        description="Threatens media, lawsuits or harm: needs 2-3 solution options and a superior.",
    )
    valid: bool = Field(
        default=True, title="Valid complaint",
        description="Switch off for an invalid complaint (tier D); it is still answered.",
    )
    unreasonable_type: UnreasonableType = Field(
        default=UnreasonableType.none, title="Unreasonable-complaint type",
    )
    external_ref: str = Field(
        default="", max_length=200, title="External reference",
        description="Ticket or letter id from the source; the same reference twice is one case.",
    )

    @field_validator("received_at")
    @classmethod
    def _received_at(cls, value: str) -> str:
        if value:
            parse_instant(value, field="received_at")
        return value

    @field_validator("claimed_loss", mode="before")
    @classmethod
    def _finite(cls, value: object) -> object:
        # NaN passes neither bound and would be reported as out of range: say what it is.
        try:
            number = float(value) if isinstance(value, str | float) else 0.0
        except ValueError:
            return value  # "lots": pydantic's own "a valid number"
        if not math.isfinite(number):
            raise ValueError("must be a number")
        return value

    @field_validator("description", "subject", "taken_by")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    def received(self, now: datetime) -> datetime:
        return parse_instant(self.received_at, field="received_at") if self.received_at else now

    @property
    def loss(self) -> Decimal:
        return Decimal(str(self.claimed_loss)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def check_received(intake: Intake, *, now: datetime, before: timedelta,
                   after: timedelta) -> datetime:
    """When the complaint was received, if it lies in [now - before, now + after].

    Outside it (a typo, year 9999) the deadlines computed from it would be meaningless or
    overflow, so it is refused with the window, not stored. The value is a date, not
    customer data, so the message may show it.
    """
    received = intake.received(now)
    earliest, latest = now - before, now + after
    if earliest <= received <= latest:
        return received
    span = (earliest.astimezone(UTC).isoformat(timespec="seconds"),
            latest.astimezone(UTC).isoformat(timespec="seconds"))
    raise InputError(f"received_at: must lie between {span[0]} and {span[1]} "
                     f"(policy intake.received_window); got {intake.received_at}")
