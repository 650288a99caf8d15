"""Two-year retention against a real store (SQLite, and PostgreSQL when given): cases
closed over `retention.keep` ago go to gzip JSON lines, read back, then lose the
customer's details and free text; the figures stay countable."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models.actions import Action
from models.policy import load_policy
from models.store import actions, repo, transaction
from models.store import archive as store
from models.store.db import CaseRow, EscalationRow, OutboxRow, ResponsibilityRow
from tasks.archive import (
    ArchiveError,
    ArchiveResult,
    archive_closed_cases,
    line_hashes,
    read_archive,
)
from tests.factories import make_intake

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
NOW = datetime(2029, 1, 10, 0, 0, tzinfo=UTC)  # keep 730 days: closed before 2027-01-10
RECEIVED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
FACTS = "Zhou Min says the compressor of order 88-1234 hums; she lives at 5 Lane Rd."


def add_case(url: str, *, number_day: str, closed_at: datetime | None, category: str,
             tier: str, status: str = "closed", email: str = "zhou@example.com") -> str:
    """A case with every kind of child, the customer's words in its answers and events."""
    intake = make_intake(category=category, description=FACTS,
                         customer={"email": email}, requested_remedy="A new fridge")
    with transaction(url) as session:
        case, _ = repo.create_case(session, intake=intake, received_at=RECEIVED, now=RECEIVED,
                                   day=number_day, actor="Zhao Lei")
        case.status, case.closed_at, case.tier, case.level = status, closed_at, tier, "general"
        case.department, case.validity, case.satisfaction_score = "technical", "valid", 4
        case.callback_result, case.root_cause_dimension = "satisfied", "goods"
        case.phone_key = "k-phone"
        case.judgment = {"tier": tier, "level": "general", "department": "technical",
                         "reasons": ["no loss, calm customer: tier C"], "needs_options": 1}
        repo.save_step(session, case=case, key="investigation", stage="investigation",
                       status="answered", actor="Li Ming", at=RECEIVED, payload={
                           "answered_by": "Li Ming", "facts": FACTS, "validity": "valid",
                           "established_loss_yuan": 0, "problems": []})
        repo.record_event(session, case=case, kind="solution_rejected", actor="Li Ming",
                          at=RECEIVED, step="choice-1", reason="Zhou Min wants cash",
                          rejections=1)
        repo.start_clock(session, case=case, name="close", round_=1, started_at=RECEIVED,
                         due_at=RECEIVED + timedelta(days=7))
        repo.meet_clock(session, case=case, name="close", round_=1, at=RECEIVED)
        session.add(EscalationRow(case_id=case.id, clock="handover-1", rung="warn-50",
                                  reason="handover clock half used", at=RECEIVED))
        session.add(ResponsibilityRow(case_id=case.id, person="Li Ming",
                                      department="technical", at=RECEIVED))
        session.add(OutboxRow(case_id=case.id, purpose="acknowledgement", role="customer",
                              ref="", address_email=email, subject="Dear Zhou Min",
                              html="<p>Dear Zhou Min</p>", text="Dear Zhou Min",
                              status="sent", created_at=RECEIVED, sent_at=RECEIVED,
                              delivered_to=f"mailto:{email}"))
        actions.add_actions(session, case=case, corrective=[Action(
            what="Call Zhou Min weekly", owner="Li Ming", due="2026-11-30",
            check="Log of calls")], preventive=[], at=RECEIVED, calendar=POLICY.calendar)
        return case.number


@pytest.fixture
def cases(store_url: str) -> dict[str, str]:
    shanghai_new_year = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 January
    return {
        "november": add_case(store_url, number_day="20261102", category="product_defect",
                             tier="B", closed_at=datetime(2026, 11, 30, 8, tzinfo=UTC)),
        "december": add_case(store_url, number_day="20261103", category="repair_cost",
                             tier="A", closed_at=datetime(2026, 12, 5, 8, tzinfo=UTC)),
        "january": add_case(store_url, number_day="20261104", category="product_defect",
                            tier="B", closed_at=shanghai_new_year),
        "open": add_case(store_url, number_day="20261105", category="repair_cost", tier="C",
                         status="open", closed_at=None),
        "reopened": add_case(store_url, number_day="20261106", category="product_defect",
                             tier="C", status="open",
                             closed_at=datetime(2026, 11, 20, tzinfo=UTC)),
        "recent": add_case(store_url, number_day="20261107", category="repair_cost",
                           tier="D", closed_at=datetime(2027, 6, 1, tzinfo=UTC)),
    }


def run(url: str, data: Path, *, now: datetime = NOW, dry_run: bool = False,
        batch: int = 1000) -> ArchiveResult:
    return archive_closed_cases(store_url=url, data_dir=data, policy=POLICY, now=now,
                                dry_run=dry_run, batch=batch)


def snapshot(url: str, numbers: list[str]) -> dict[int, dict[str, Any]]:
    with transaction(url) as session:
        ids = list(session.scalars(select(CaseRow.id).where(CaseRow.number.in_(numbers))))
        return store.records(session, ids=ids)


def archived_lines(data: Path) -> list[dict[str, Any]]:
    return [line for path in sorted(data.glob("archive/*/*.jsonl.gz"))
            for line in read_archive(path)]


def test_cases_closed_over_two_years_ago_go_to_one_file_per_closing_month(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    result = run(store_url, tmp_path)
    assert result.months == {"2026-11": 1, "2026-12": 1, "2027-01": 1}
    assert [f.relative_to(tmp_path).parts[:2] for f in result.files] == [
        ("archive", "2026-11"), ("archive", "2026-12"), ("archive", "2027-01")]
    assert all(f.name.startswith("cases-20290110T000000Z-") for f in result.files)
    assert not list(tmp_path.glob("archive/*/*.part"))
    lines = {line["number"]: line for line in archived_lines(tmp_path)}
    assert set(lines) == {cases["november"], cases["december"], cases["january"]}
    line = lines[cases["january"]]
    assert line["closed_month"] == "2027-01"
    assert line["case"]["customer_email"] == "zhou@example.com"
    assert line["case"]["intake"]["description"] == FACTS
    assert line["steps"][0]["payload"]["facts"] == FACTS
    assert [e["data"].get("reason") for e in line["events"]][-1] == "Zhou Min wants cash"
    assert line["outbox"][0]["html"] == "<p>Dear Zhou Min</p>"
    assert [len(line[k]) for k in ("clocks", "escalations", "responsibilities", "actions")] \
        == [1, 1, 1, 1]


def test_what_is_read_back_equals_the_store_before_the_scrub(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    old = [cases["november"], cases["december"], cases["january"]]
    before = {r["case"]["number"]: r for r in snapshot(store_url, old).values()}
    run(store_url, tmp_path)
    for line in archived_lines(tmp_path):
        number = line.pop("number")
        line.pop("closed_month")
        assert line == before[number]


def test_the_customer_details_and_free_text_leave_the_store_the_figures_stay(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    run(store_url, tmp_path)
    [record] = snapshot(store_url, [cases["december"]]).values()
    case = record["case"]
    assert (case["customer_name"], case["customer_phone"], case["customer_email"],
            case["subject"]) == ("", "", "", "")
    assert case["archived_at"] == NOW.isoformat()
    assert (case["category"], case["tier"], case["department"], case["validity"],
            case["callback_result"], case["satisfaction_score"], case["root_cause_dimension"],
            case["phone_key"]) == ("repair_cost", "A", "technical", "valid", "satisfied", 4,
                                   "goods", "k-phone")
    intake = case["intake"]
    assert (intake["description"], intake["subject"], intake["requested_remedy"]) == ("", "", "")
    assert intake["customer"] == {"name": "", "phone": "", "email": "", "language": "zh"}
    assert (intake["channel"], intake["category"], intake["taken_by"]) == (
        "phone", "repair_cost", "Zhao Lei")
    assert case["judgment"]["reasons"] == ["no loss, calm customer: tier C"]
    assert record["steps"][0]["payload"] == {"answered_by": "Li Ming", "facts": "",
                                             "validity": "valid",
                                             "established_loss_yuan": 0, "problems": []}
    rejected = [e for e in record["events"] if e["kind"] == "solution_rejected"][0]
    assert rejected["data"] == {"reason": "", "rejections": 1}
    [message] = record["outbox"]
    assert [message[k] for k in ("subject", "html", "text", "address_email",
                                 "delivered_to", "status")] == ["", "", "", "", "", "sent"]
    assert [a["what"] for a in record["actions"]] == [""]
    assert [(c["name"], c["outcome"]) for c in record["clocks"]] == [("close", "met")]
    assert [e["rung"] for e in record["escalations"]] == ["warn-50"]
    assert [r["person"] for r in record["responsibilities"]] == ["Li Ming"]


def test_open_and_recently_closed_cases_are_left_alone(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    kept = [cases["open"], cases["reopened"], cases["recent"]]
    before = snapshot(store_url, kept)
    run(store_url, tmp_path)
    assert snapshot(store_url, kept) == before
    assert not {line["number"] for line in archived_lines(tmp_path)} & set(kept)


def test_a_dry_run_says_what_it_would_do_and_writes_and_changes_nothing(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    before = snapshot(store_url, list(cases.values()))
    planned = run(store_url, tmp_path, dry_run=True)
    assert planned.dry_run and planned.cases == 3
    assert planned.months == {"2026-11": 1, "2026-12": 1, "2027-01": 1}
    assert not (tmp_path / "archive").exists()
    assert snapshot(store_url, list(cases.values())) == before
    assert run(store_url, tmp_path).files == planned.files


def test_a_rerun_archives_nothing_new(store_url: str, cases: dict[str, str],
                                      tmp_path: Path) -> None:
    first = run(store_url, tmp_path)
    again = run(store_url, tmp_path, now=NOW + timedelta(days=31))
    assert (first.cases, again.cases, again.files) == (3, 0, [])
    assert len(list(tmp_path.glob("archive/*/*.jsonl.gz"))) == 3


def test_counts_by_category_and_tier_are_the_same_after_the_archive(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    def counts() -> list[tuple[str, str, int]]:
        with transaction(store_url) as session:
            return [tuple(row) for row in session.execute(  # type: ignore[misc]
                select(CaseRow.category, CaseRow.tier, func.count())
                .group_by(CaseRow.category, CaseRow.tier)
                .order_by(CaseRow.category, CaseRow.tier))]

    expected = [("product_defect", "B", 2), ("product_defect", "C", 1),
                ("repair_cost", "A", 1), ("repair_cost", "C", 1), ("repair_cost", "D", 1)]
    assert counts() == expected
    run(store_url, tmp_path)
    assert counts() == expected


def test_a_batch_that_cannot_be_written_is_not_scrubbed_and_a_rerun_goes_on(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "2026-12").write_text("in the way")  # a file, not a folder
    with pytest.raises(ArchiveError, match=r"archive: could not write .*2026-12: .*; nothing "
                                           r"of this batch was scrubbed; the 1 case\(s\) "
                                           r"archived before it stay archived"):
        run(store_url, tmp_path, batch=1)
    [december] = snapshot(store_url, [cases["december"]]).values()
    assert december["case"]["archived_at"] is None
    assert december["case"]["customer_email"] == "zhou@example.com"
    assert {line["number"] for line in archived_lines(tmp_path)} == {cases["november"]}
    (tmp_path / "archive" / "2026-12").unlink()
    assert run(store_url, tmp_path, now=NOW + timedelta(hours=1), batch=1).cases == 2
    numbers = [line["number"] for line in archived_lines(tmp_path)]
    assert sorted(numbers) == sorted([cases["november"], cases["december"], cases["january"]])


def test_a_file_that_does_not_read_back_whole_leaves_its_batch_in_the_store(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    def damaged_disk(path: Path) -> list[str]:
        path.write_bytes(path.read_bytes()[:-12])  # the disk lost the file's end
        return line_hashes(path)

    with pytest.raises(ArchiveError, match=r"does not read back as written: unreadable "
                                           r"\(EOFError\); nothing of its batch was scrubbed; "
                                           r"the 0 case\(s\) archived before it stay"):
        archive_closed_cases(store_url=store_url, data_dir=tmp_path, policy=POLICY, now=NOW,
                             read_back=damaged_disk)
    assert not list(tmp_path.glob("archive/*/*"))
    with transaction(store_url) as session:
        assert session.scalar(select(func.count()).where(CaseRow.archived_at.is_not(None))) == 0
        assert session.scalar(select(func.count()).where(CaseRow.customer_name == "")) == 0


def test_a_file_whose_content_changed_on_the_way_is_refused_and_its_batch_kept(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    def altering_disk(path: Path) -> list[str]:
        lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
        path.write_bytes(gzip.compress(b"".join([lines[0].replace(b"Zhou", b"Chou")])))
        return line_hashes(path)

    with pytest.raises(ArchiveError, match=r"cases-20290110T000000Z-0001.jsonl.gz does not "
                                           r"read back as written: 1 case\(s\) different "
                                           r"\(first C-20261102-0001\)"):
        archive_closed_cases(store_url=store_url, data_dir=tmp_path, policy=POLICY, now=NOW,
                             read_back=altering_disk)
    assert not list(tmp_path.glob("archive/*/*"))
    [november] = snapshot(store_url, [cases["november"]]).values()
    assert (november["case"]["archived_at"], november["case"]["customer_name"]) == (
        None, "Zhou Min")


def test_after_a_crash_between_file_and_commit_a_rerun_exports_the_same_cases_again(
        tmp_path: Path) -> None:
    import shutil

    from models.store import engine_for, migrate

    url, db = f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "store.db"
    migrate(url)
    number = add_case(url, number_day="20261102", category="parts", tier="C",
                      closed_at=datetime(2026, 11, 30, tzinfo=UTC))
    engine_for(url).dispose()
    shutil.copy(db, tmp_path / "before.db")
    first = run(url, tmp_path)
    engine_for(url).dispose()
    shutil.copy(tmp_path / "before.db", db)  # as if the scrub had never committed
    second = run(url, tmp_path, now=NOW + timedelta(minutes=5))
    assert (first.cases, second.cases) == (1, 1)
    [old] = list(read_archive(first.files[0]))
    [new] = list(read_archive(second.files[0]))
    assert old["number"] == new["number"] == number and old == new
    engine_for(url).dispose()


def test_amounts_and_times_are_archived_exactly_as_stored(
        store_url: str, cases: dict[str, str], tmp_path: Path) -> None:
    with transaction(store_url) as session:
        case = repo.find_case(session, number=cases["november"])
        case.claimed_loss, case.established_loss = Decimal("1234.50"), Decimal("0.10")
        case.closed_at = datetime(2026, 11, 30, 16, 59, 59, 123456, tzinfo=UTC)
    run(store_url, tmp_path)
    lines = {x["number"]: x["case"] for x in archived_lines(tmp_path)}
    november, january = lines[cases["november"]], lines[cases["january"]]
    assert (november["claimed_loss"], november["established_loss"]) == ("1234.50", "0.10")
    assert november["closed_at"] == "2026-11-30T16:59:59.123456+00:00"
    assert (january["closed_at"], january["signed_at"]) == ("2026-12-31T17:00:00+00:00", None)


def test_the_command_prints_what_a_dry_run_would_archive_and_writes_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from cli.archive import archive_command
    from models.store import migrate
    from tasks.runtime import settings

    url, data = settings().store_url, settings().data_dir
    migrate(url)
    number = add_case(url, number_day="20200301", category="parts", tier="C",
                      closed_at=datetime(2020, 3, 15, 4, tzinfo=UTC))
    assert archive_command(dry_run=True) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["dry_run"] is True and said["written"] == "nothing (dry run)"
    assert said["months"]["2020-03"] == 1
    [planned] = [f for f in said["files"] if f.startswith("archive/2020-03/")]
    assert not (data / planned).exists()
    assert number not in json.dumps(said) and "Zhou" not in json.dumps(said)
    [record] = snapshot(url, [number]).values()
    assert record["case"]["archived_at"] is None
