"""Customer history (DOMAIN.md §7): a customer's cases linked by keys, and what they mean.

Cases of one customer share a key: an HMAC-SHA256 of the normalised phone, or of the
e-mail, under a secret of the installation. The store keeps the keys beside each case so
a customer's cases are found by an indexed equality, while the contact in clear stays in
the case's customer columns only, and a stolen table of keys cannot be reversed by
hashing every phone number without the secret.

Two rules on the earlier cases of the customer (`policy.history`):
- possible repeat: an earlier case of the same category that is still open, or was
  received within `repeat_within` of this one; the most recent such case is named;
- level raised: this is the n-th complaint of the customer within `repeat_within`
  (n >= `raise_level_at`): the level goes one step up (`models.clocks.raise_level`;
  strong and irrational stay).

"Within" counts either side of this case's receipt: a complaint entered late with an
earlier received time is as close to its neighbours as one entered at once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.clocks import raise_level
from models.reasons import Reason, minutes, reason


def customer_keys(phone: str, email: str, *, secret: bytes) -> tuple[str, str]:
    """(phone key, e-mail key), '' for a contact not given. The phone is E.164 already
    (the Intake model normalises it), spaces aside; the e-mail is compared without case,
    as the store's duplicate check does."""
    phone = "".join(phone.split())
    email = email.strip().casefold()
    return _key("phone", phone, secret), _key("email", email, secret)


def _key(kind: str, value: str, secret: bytes) -> str:
    if not value:
        return ""
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Earlier:
    """Another case of the same customer, as the rules need it."""

    number: str
    category: str
    received_at: datetime
    open: bool


def near(case: Earlier, *, received_at: datetime, within: timedelta) -> bool:
    return abs(case.received_at - received_at) <= within


def possible_repeat(earlier: Iterable[Earlier], *, category: str, received_at: datetime,
                    within: timedelta) -> str:
    """The number of the most recent case of the same category that is open or near in
    time; '' if there is none."""
    matching = [c for c in earlier if c.category == category
                and (c.open or near(c, received_at=received_at, within=within))]
    if not matching:
        return ""
    return max(matching, key=lambda c: (c.received_at, c.number)).number


def complaints_within(earlier: Iterable[Earlier], *, received_at: datetime,
                      within: timedelta) -> int:
    """How many complaints the customer made within `within`, this one included."""
    return 1 + sum(1 for c in earlier if near(c, received_at=received_at, within=within))


def raised_level(level: str, *, count: int, raise_at: int) -> str:
    """The level after the history rule: one step up from the `raise_at`-th complaint."""
    return raise_level(level) if count >= raise_at else level


def raise_reason(count: int, within: timedelta) -> Reason:
    """Why the level went up, as data: {"key": "history_raise", "count": "3",
    "within": "129600"} (minutes) reads 该客户 90 天内第 3 次投诉 in models/reasons.py."""
    return reason("history_raise", count=count, within=minutes(within.total_seconds()))
