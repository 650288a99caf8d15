"""Customer history rules (models.history): keys of a customer, possible repeat, level raise."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.history import (
    Earlier,
    complaints_within,
    customer_keys,
    possible_repeat,
    raise_reason,
    raised_level,
)
from models.reasons import render
from models.settings import Settings, secret_file
from tests.factories import make_intake

SECRET = b"a secret of this installation"
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WITHIN = timedelta(days=90)


def keys_of(phone: str = "", email: str = "", secret: bytes = SECRET) -> tuple[str, str]:
    customer = make_intake(customer={"phone": phone, "email": email}).customer
    return customer_keys(customer.phone, customer.email, secret=secret)


@pytest.mark.parametrize("written", ["13812345678", "+86 138 1234 5678", "+8613812345678",
                                     "138-1234-5678", "0086 138 1234 5678"])
def test_one_mainland_mobile_written_many_ways_has_one_key(written: str) -> None:
    assert keys_of(phone=written)[0] == keys_of(phone="+86 138 1234 5678")[0]


def test_an_e_mail_address_has_one_key_whatever_its_case() -> None:
    assert keys_of(email="Anna.Weber@Example.ORG")[1] == keys_of(email="anna.weber@example.org")[1]
    assert customer_keys("", " Anna.Weber@example.org ", secret=SECRET)[1] == \
        customer_keys("", "anna.weber@example.org", secret=SECRET)[1]


def test_another_secret_gives_other_keys() -> None:
    phone, email = keys_of(phone="13812345678", email="li.na@example.com")
    other = keys_of(phone="13812345678", email="li.na@example.com", secret=b"another")
    assert phone != other[0] and email != other[1]


def test_a_key_holds_no_contact_in_clear_and_a_missing_contact_has_no_key() -> None:
    phone, email = keys_of(phone="13812345678", email="li.na@example.com")
    for key in (phone, email):
        assert len(key) == 64 and set(key) <= set("0123456789abcdef")
        assert "12345678" not in key and "li.na" not in key
    assert phone != email
    assert keys_of(phone="13812345678")[1] == "" and keys_of(email="li.na@example.com")[0] == ""


def case(number: str, *, days_before: float, category: str = "product_defect",
         open_: bool = False) -> Earlier:
    return Earlier(number, category, T0 - days_before * DAY, open_)


@pytest.mark.parametrize(("earlier", "repeat"), [
    ([], ""),
    ([case("C-1", days_before=10)], "C-1"),  # closed, but recent
    ([case("C-1", days_before=10, category="parts")], ""),  # another category
    ([case("C-1", days_before=91)], ""),  # closed and old
    ([case("C-1", days_before=200, open_=True)], "C-1"),  # old but still open
    ([case("C-1", days_before=30), case("C-2", days_before=5), case("C-3", days_before=1,
                                                                    category="parts")], "C-2"),
    ([case("C-1", days_before=90)], "C-1"),  # 90 days exactly is within
])
def test_an_open_or_recent_case_of_the_same_category_is_a_possible_repeat(
        earlier: list[Earlier], repeat: str) -> None:
    assert possible_repeat(earlier, category="product_defect", received_at=T0,
                           within=WITHIN) == repeat


def test_complaints_within_count_this_one_and_the_recent_others_of_any_category() -> None:
    earlier = [case("C-1", days_before=10, category="parts"), case("C-2", days_before=80),
               case("C-3", days_before=120, open_=True)]
    assert complaints_within(earlier, received_at=T0, within=WITHIN) == 3
    assert complaints_within([], received_at=T0, within=WITHIN) == 1


@pytest.mark.parametrize(("level", "count", "after"), [
    ("general", 2, "general"), ("general", 3, "intermediate"), ("intermediate", 4, "strong"),
    ("strong", 3, "strong"), ("irrational", 5, "irrational"),
])
def test_the_third_complaint_raises_the_level_one_step_and_irrational_stays(
        level: str, count: int, after: str) -> None:
    assert raised_level(level, count=count, raise_at=3) == after


@pytest.mark.parametrize(("count", "within", "stored", "zh", "en"), [
    (3, WITHIN, "129600", "该客户 90 天内第 3 次投诉", "3rd complaint of this customer in 90 days"),
    (11, timedelta(hours=36), "2160", "该客户 36 小时内第 11 次投诉",
     "11th complaint of this customer in 36 hours"),
    (22, DAY, "1440", "该客户 1 天内第 22 次投诉", "22nd complaint of this customer in 1 day"),
])
def test_the_reason_of_a_raise_is_data_read_in_the_staff_language(
        count: int, within: timedelta, stored: str, zh: str, en: str) -> None:
    why = raise_reason(count, within)
    assert why == {"key": "history_raise", "count": str(count), "within": stored}
    assert render("zh", why) == f"{zh}：投诉程度上调一级"
    assert render("en", why) == f"{en}: level raised one step"


def test_the_secret_file_is_made_once_for_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "customer-key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        secrets = set(pool.map(lambda _: secret_file(path), range(16)))
    assert len(secrets) == 1 and len(secrets.pop()) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["customer-key"]  # no drafts left


def test_a_secret_in_the_settings_wins_over_the_file(tmp_path: Path) -> None:
    given = Settings(data_dir=tmp_path, customer_key_secret="from the environment")
    assert given.customer_secret() == b"from the environment"
    assert not (tmp_path / "secrets").exists()
    made = Settings(data_dir=tmp_path)
    assert made.customer_secret() == made.customer_secret() != b""
    assert "from the environment" not in repr(given)
