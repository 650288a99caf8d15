"""The SLA board from a real store (SQLite, and PostgreSQL when given): one row per open
case at its nearest running deadline, stalled cases first, and the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime

from models.board import board_markdown
from models.store import repo, transaction
from tests.factories import make_intake

NOW = datetime.now(UTC).replace(microsecond=0)


def stored(url: str, ref: str) -> str:
    from tasks.cases import create_from_intake

    number, _ = create_from_intake(make_intake(received_at=NOW.isoformat(), external_ref=ref),
                                   actor="test", at=NOW)
    return number


def test_each_open_case_is_one_row_at_its_nearest_running_deadline(store: str) -> None:
    from tasks.artifacts import board

    first, second = stored(store, "BOARD-1"), stored(store, "BOARD-2")
    with transaction(store) as session:  # the second's acknowledgement is done
        case = repo.find_case(session, number=second)
        repo.meet_clock(session, case=case, name="acknowledge", round_=1, at=NOW)
    rows = board(at=NOW)
    assert [r["case"] for r in rows] == [first, second]
    assert rows[0]["deadline"].startswith("受理") and not rows[1]["deadline"].startswith("受理")


def test_stalled_cases_come_first_and_the_cases_not_listed_are_counted(store: str) -> None:
    from tasks.artifacts import board, open_cases

    numbers = [stored(store, f"BOARD-MORE-{n}") for n in range(4)]
    rows = board(at=NOW, limit=2, stalled={numbers[3]: "flow run Cancelled"})
    assert [r["case"] for r in rows] == [numbers[3], numbers[0], numbers[1]]
    assert rows[0]["stalled"] == "🔴 **停滞：流程运行已取消**"
    text = board_markdown(rows, tz="Asia/Shanghai", open_cases=open_cases())
    assert f"另有 {open_cases() - 3} 件未结案投诉未列出" in text
    assert "未列出" not in board_markdown(rows, tz="Asia/Shanghai", open_cases=3)
