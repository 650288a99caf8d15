"""Masking of customer data outside the case store."""

from __future__ import annotations

import pytest

from models.privacy import mask_email, mask_intake, mask_name, mask_phone


@pytest.mark.parametrize(("given", "masked"), [
    ("Zhang Wei", "Z*** W***"), ("张伟", "张*"), ("欧阳娜娜", "欧***"), ("", ""),
])
def test_names_keep_only_their_initials(given: str, masked: str) -> None:
    assert mask_name(given) == masked


@pytest.mark.parametrize(("given", "masked"), [
    ("+8613812345678", "+86138****5678"), ("+442071234567", "+4420****4567"), ("", ""),
])
def test_phones_keep_the_prefix_and_the_last_four_digits(given: str, masked: str) -> None:
    assert mask_phone(given) == masked


def test_emails_keep_the_first_letter_and_the_domain() -> None:
    assert mask_email("li.na@example.com") == "l***@example.com"


def test_an_intake_shown_in_prefect_carries_no_contact_details() -> None:
    intake = {"subject": "x", "customer": {"name": "Anna Weber", "phone": "+8613812345678",
                                           "email": "anna@example.org", "language": "en"}}
    shown = mask_intake(intake)
    assert shown["customer"] == {"name": "A*** W***", "phone": "+86138****5678",
                                 "email": "a***@example.org", "language": "en"}
    assert intake["customer"]["name"] == "Anna Weber"  # the original is untouched
