"""Masking of customer data for everything outside the case store: run names and
parameters, logs, forms, artifacts, CLI output. Full details stay in the store.

Free text (subject, description, anything a form carries) is masked too: people sign
their letters with a phone number and an e-mail address. What counts as a phone there:
an international number (+ or 00, then 8-15 digits, spaces, dashes and brackets allowed),
a mainland mobile (1[3-9] and 9 more digits, optionally after 86) and a number with an
area code (0, 2-3 digits, then 7-8 digits). A digit run glued to a letter, a dash or a
slash (`WS-13812345678`, `JD13812345678`) is taken for an order or invoice reference and
kept readable, as are dates, amounts and numbers of other lengths; a bare 10-12 digit
number starting with 0 is masked, since it cannot be told from a landline.

Every masker is idempotent (masking a masked value changes nothing), so a run can tell
whether its parameters are already masked by masking them again.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![A-Za-z0-9_/-])(?:"
    r"(?:\+|00)\d[\d ()-]{6,20}\d"  # international
    r"|(?:86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}"  # mainland mobile
    r"|\(?0\d{2,3}\)?[ -]?\d{3,4}[ -]?\d{4}"  # with an area code
    r")(?![A-Za-z0-9_])")


def mask_name(name: str) -> str:
    """'Zhang Wei' -> 'Z*** W***', '张伟' -> '张*'."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(p[0] + "***" for p in parts)
    return name[:1] + "*" * max(1, min(len(name) - 1, 3)) if name else ""


def mask_phone(phone: str) -> str:
    """'+8613812345678' -> '+86138****5678', '13812345678' -> '138****5678': the operator
    and the last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:-8] + "****" + phone[-4:]


def mask_email(email: str) -> str:
    """'li.na@example.com' -> 'l***@example.com'."""
    if "@" not in email:
        return "***" if email else ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_text(text: str, names: tuple[str, ...] = ()) -> str:
    """Free text with every e-mail address, phone number and given name in it masked."""
    for name in names:
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
    text = EMAIL.sub(lambda m: mask_email(m.group()), text)
    return PHONE.sub(_masked_number, text)


def _masked_number(match: re.Match[str]) -> str:
    found = match.group()
    digits = re.sub(r"\D", "", found)
    if not 7 <= len(digits) <= 15:
        return found
    return mask_phone(("+" if found.startswith("+") else "") + digits)


def mask_intake(intake: Any) -> Any:
    """An intake as Prefect may show it: the customer's name and contacts masked, and
    every phone, e-mail and the customer's name in its text. Works on any value, valid
    intake or not (a refused form is shown too)."""
    if not isinstance(intake, dict):  # not an intake at all: hide all of it
        return mask_name(str(intake)) if intake else intake
    customer = intake.get("customer")
    if not isinstance(customer, dict):
        return {**_mask_value(intake, ()), "customer": mask_name(str(customer or ""))}
    name = str(customer.get("name") or "")
    masked = {**_mask_value(customer, ()), "name": mask_name(name),
              "phone": mask_phone(str(customer.get("phone") or "")),
              "email": mask_email(str(customer.get("email") or ""))}
    return {**_mask_value(intake, (name,)), "customer": masked}


def _mask_value(value: Any, names: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return mask_text(value, names)
    if isinstance(value, dict):
        return {mask_text(str(key)): _mask_value(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_value(item, names) for item in value]
    return value


def looks_masked(intake: Any) -> bool:
    """True when the intake's customer contact is one this module masked (not a real one)."""
    customer = intake.get("customer") if isinstance(intake, dict) else None
    if not isinstance(customer, dict):
        return False
    return "***@" in str(customer.get("email") or "") or "****" in str(customer.get("phone")
                                                                          or "")
