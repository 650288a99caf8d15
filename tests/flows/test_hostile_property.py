"""Generated hostile intake JSON and letters through the CLI's and the inbox's entry
points (issue #9): the only outcomes are a stored case with its clocks, or one line and
exit 2 (the inbox: `failed/` beside a one-line reason); never a traceback, a case stored
without clocks, or customer data in an error.

The cases go to a store of their own, and their runs to a deployment that nothing serves
(created here), so hundreds of generated complaints cost no flow-run processes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SESSION_DIR

pytestmark = pytest.mark.prefect_server
MARK = "zxqv"  # in every customer value, so an error that quotes one is caught
DEPLOYMENT = "complaint/property-not-served"


@pytest.fixture(scope="module")
def isolated(prefect_server: str) -> Iterator[Path]:
    """A store of its own and a deployment of the complaint flow that no runner serves."""
    from prefect import get_client

    from models.settings import get_settings
    from models.store import migrate

    folder = SESSION_DIR / "property"
    env = {"COMPLAINTS_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}",
           "COMPLAINTS_DEPLOYMENT": DEPLOYMENT}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    get_settings.cache_clear()
    migrate(get_settings().store_url)
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("complaint")
        client.create_deployment(flow_id=flow_id, name=DEPLOYMENT.split("/")[1])
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


def cli(*args: str) -> tuple[int, str, str]:
    from cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_every_case_has_its_clocks() -> None:
    from sqlalchemy import func, select

    from models.store import transaction
    from models.store.db import CaseRow, ClockRow
    from tasks.runtime import settings as desk

    with transaction(desk().store_url) as session:
        counts = session.execute(
            select(CaseRow.number, func.count(ClockRow.id))
            .outerjoin(ClockRow, ClockRow.case_id == CaseRow.id)
            .group_by(CaseRow.number)).all()
    assert all(n >= 4 for _, n in counts), [c for c in counts if c[1] < 4]


def assert_one_clean_line(text: str) -> None:
    assert text.endswith("\n") and text.count("\n") == 1, text
    assert "Traceback" not in text and MARK not in text.lower(), text


hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["\x00", "a\x00b", "https://attacker%2Eexample/x", "{{ 7*7 }}",
                     "=?utf-8?b?!!!?=", "<script>", "9" * 5000, "\u202e", ""]))


HOSTILE = {
    "channel": st.sampled_from(["fax", "", 3, None]),
    "received_at": st.sampled_from(["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+08:00",
                                    "2026-13-40T00:00:00+08:00", "2026-11-26T10:00:00",
                                    "yesterday"]),
    "customer.phone": st.sampled_from([f"+86 139 0000 8{MARK}", f"{MARK}", "1" * 39]),
    "customer.email": st.sampled_from([f"{MARK}@@x", f"{MARK}@", f"a@{MARK}"]),
    "customer.language": st.sampled_from(["fr", "", None]),
    "customer.name": st.sampled_from(["", "\x00", f"{MARK}" * 50]),
    "subject": st.sampled_from(["", "9" * 5000, None]),
    "claimed_loss": st.sampled_from([float("nan"), float("inf"), -1, 10**12, "NaN", "1e400"]),
    "category": st.sampled_from(["cheese", {"__prefect_kind": "jinja"}]),
    "extra": st.sampled_from([{"x": 1}, [1, 2]]),
}


@st.composite
def intakes(draw: Any) -> dict[str, Any]:
    """A complaint with hostile text everywhere, and now and then a field that breaks a
    rule: about half are valid, the rest must be refused in one line."""
    n = draw(st.integers(0, 10**6))
    data: dict[str, Any] = {
        "channel": draw(st.sampled_from(["web", "email", "phone", "walk_in"])),
        "taken_by": "Zhao " + draw(hostile_text)[:60] + "Lei",
        "received_at": draw(st.sampled_from(["", "2026-11-26T08:00:00+08:00"])),
        "customer": {
            "name": f"Ann {MARK}{n}" + draw(st.sampled_from(["", "\x00", "\n", "<b>"])),
            "phone": draw(st.sampled_from(["", f"+86 139 {n % 10**8:08d}"])),
            "email": f"{MARK}{n}@example.org", "language": draw(st.sampled_from(["zh", "en"]))},
        "subject": draw(hostile_text)[:150] + f" {MARK}",
        "description": draw(hostile_text) + f" call {MARK} at 13912345678",
        "claimed_loss": draw(st.floats(0, 10**6)),
        "external_ref": f"PROP-{uuid.uuid4().hex[:12]}",
    }
    if data["received_at"]:  # a recent time, whenever the test runs
        data["received_at"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    for name in draw(st.lists(st.sampled_from(sorted(HOSTILE)), max_size=2, unique=True)):
        value = draw(HOSTILE[name])
        if name.startswith("customer."):
            data["customer"][name.split(".")[1]] = value
        else:
            data[name] = value
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=intakes(), raw=st.sampled_from([None, None, None, b"\xff\xfe{", b"[" * 100_000,
                                             b"{}", b"{\"claimed_loss\": " + b"9" * 5000 + b"}"]))
def test_hostile_intake_json_is_a_case_with_clocks_or_one_line(
    isolated: Path, data: dict[str, Any], raw: bytes | None,
) -> None:
    path = isolated / f"intake-{uuid.uuid4().hex}.json"
    path.write_bytes(raw if raw is not None else json.dumps(data).encode())
    for command in ("triage", "submit"):
        code, out, err = cli(command, str(path))
        assert code in (0, 2), (command, code, err)
        if code == 2:
            assert_one_clean_line(err)
        else:  # the judgment, or the case's number and link: no customer value
            assert MARK not in out.lower() and not err, (command, out, err)
    assert_every_case_has_its_clocks()


@st.composite
def letters(draw: Any) -> bytes:
    n = draw(st.integers(0, 10**6))
    sender = draw(st.sampled_from([
        f"Ann {MARK} <{MARK}{n}@example.org>".encode(),
        f"=?utf-8?q?Boss_=3C{MARK}victim=40example=2Ecom=3E?= <{MARK}{n}@example.org>".encode(),
        f"=?utf-8?b?!!!notbase64?= <{MARK}{n}@example.org>".encode(), b"", b"\x00 <@>"]))
    subject = draw(st.sampled_from([b"Heater broken", b"=?utf-8?b?!!!notbase64?=", b"",
                                    b"=?x-nope?q?abc?=", "退款 ￥3,000".encode()]))
    charset = draw(st.sampled_from([b"utf-8", b"x-no-such-charset", b"gb2312", b""]))
    body = draw(st.text(max_size=200)).encode("utf-8", "surrogatepass") + draw(
        st.sampled_from([b"", b"\x00", b"\xff\xfe", b" 200,000,000 yuan refund"]))
    part = (b"Content-Type: text/plain" + (b"; charset=" + charset if charset else b"")
            + b"\r\n\r\n" + body + b"\r\n")
    for depth in range(draw(st.sampled_from([0, 1, 3, 1500]))):
        part = (b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (depth, depth)
                + part + b"--b%d--\r\n" % depth)
    headers = b"From: " + sender + b"\r\nSubject: " + subject + b"\r\nMIME-Version: 1.0\r\n"
    return headers + part


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(letters(), min_size=1, max_size=3))
def test_hostile_letters_become_cases_or_failed_with_one_line(
    isolated: Path, batch: list[bytes],
) -> None:
    from flows.letters import ingest_letters

    inbox = isolated / f"inbox-{uuid.uuid4().hex}"
    inbox.mkdir()
    for i, raw in enumerate(batch):
        (inbox / f"{i}.eml").write_bytes(raw)
        code, _out, err = cli("triage", str(inbox / f"{i}.eml"))
        assert code in (0, 2) and (code == 0 or assert_one_clean_line(err) is None)
    taken = ingest_letters(folder=str(inbox))  # a letter never fails the run
    failed = sorted((inbox / "failed").glob("*.eml")) if (inbox / "failed").exists() else []
    for letter in failed:
        assert_one_clean_line(Path(f"{letter}.txt").read_text(encoding="utf-8"))
    assert len(taken) + len(failed) == len(batch)
    assert_every_case_has_its_clocks()
