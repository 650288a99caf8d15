"""Masking of customer data for everything outside the case store: run names and
parameters, logs, forms, artifacts, CLI output. Full details stay in the store."""

from __future__ import annotations

from typing import Any


def mask_name(name: str) -> str:
    """'Zhang Wei' -> 'Z*** W***', '张伟' -> '张*'."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(p[0] + "***" for p in parts)
    return name[:1] + "*" * max(1, min(len(name) - 1, 3)) if name else ""


def mask_phone(phone: str) -> str:
    """'+8613812345678' -> '+86138****5678': the operator and the last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:-8] + "****" + phone[-4:] if len(phone) >= 12 else phone[:3] + "****"


def mask_email(email: str) -> str:
    """'li.na@example.com' -> 'l***@example.com'."""
    if "@" not in email:
        return "***" if email else ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_intake(intake: dict[str, Any]) -> dict[str, Any]:
    """An intake as Prefect may show it: the customer's name and contacts masked."""
    customer = dict(intake.get("customer") or {})
    customer.update(name=mask_name(str(customer.get("name", ""))),
                    phone=mask_phone(str(customer.get("phone", ""))),
                    email=mask_email(str(customer.get("email", ""))))
    return {**intake, "customer": customer}
