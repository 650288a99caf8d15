"""The forms of the reports: the general manager's signature on a penalty bulletin, and
the business volume of a department and month. No defaults where a person decides."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.problems import Problem, problem


class Decision(StrEnum):
    approve = "approve"
    give_back = "return"


class BulletinSignature(BaseModel):
    """The general manager signs the bulletin shown above the form, or returns it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Decision = Field(
        title="Approve or return", description="approve: the bulletin is issued and sent to "
        "the departments. return: nothing is sent; say what to change in the comment.")
    signed_by: str = Field(title="Your name", min_length=1, max_length=120,
                           description="The general manager who signs (or returns) it.")
    comment: str = Field(default="", title="Comment", max_length=2000,
                         description="Required when returning the bulletin.")

    def problems(self) -> list[Problem]:
        if self.decision is Decision.give_back and not self.comment:
            return [problem("comment", "bulletin.comment")]
        return []


class VolumeEntry(BaseModel):
    """Business volume (orders, service visits ...) of one department in one month: the
    denominator of its complaint rate."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    month: str = Field(title="Month", pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                       description="YYYY-MM, e.g. 2026-11.")
    department: str = Field(title="Department", min_length=1, max_length=64,
                            description="The department's key in policy.yaml, e.g. technical.")
    volume: int = Field(title="Volume", gt=0, le=1_000_000_000,
                        description="Orders, service visits ... of that month; above 0.")
    entered_by: str = Field(title="Your name", min_length=1, max_length=120)
