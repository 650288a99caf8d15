"""Actions in the case store: due at the end of their working day, asked once, answered once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.actions import Action
from models.errors import WrongStage
from models.policy import load_policy
from models.store import actions as store
from models.store import repo, transaction
from models.store.db import CaseRow
from tests.factories import make_intake

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.yaml")
FIX = Action(what="前台6名员工做退款流程培训并考试", owner="王芳", due="2026-12-05",
             check="12月抽查20笔退款，差错为零")
GUARD = Action(what="Parts desk tests 1 in 10 screens of each batch on arrival",
               owner="Wu Hao", due="2026-12-20", check="Weekly log of tested screens")


def closed_case(url: str) -> int:
    with transaction(url) as session:
        case, _ = repo.create_case(session, intake=make_intake(), received_at=NOW, now=NOW,
                                   day="20261126", actor="test")
        case.status, case.department = "closed", "technical"
        store.add_actions(session, case=case, corrective=[FIX], preventive=[GUARD], at=NOW,
                          calendar=POLICY.calendar)
        return case.id


def test_actions_are_stored_once_due_at_the_end_of_their_working_day(store_url: str) -> None:
    case_id = closed_case(store_url)
    with transaction(store_url) as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        store.add_actions(session, case=case, corrective=[FIX], preventive=[GUARD], at=NOW,
                          calendar=POLICY.calendar)  # a replayed review adds nothing
        rows = store.actions_of(session, case=case)
        assert [(r.kind, r.owner) for r in rows] == [("corrective", "王芳"),
                                                     ("preventive", "Wu Hao")]
        assert rows[0].due_at == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai


def test_only_actions_due_and_not_yet_asked_are_found(store_url: str) -> None:
    closed_case(store_url)
    after_first = datetime(2026, 12, 6, tzinfo=UTC)
    with transaction(store_url) as session:
        assert store.due_unasked(session, now=NOW, limit=10) == []
        [due] = store.due_unasked(session, now=after_first, limit=10)
        assert store.mark_asked(session, action_id=due.id, flow_run_id="run-1", at=after_first)
        assert store.due_unasked(session, now=after_first, limit=10) == []


def test_racing_runners_ask_an_owner_once(store_url: str) -> None:
    case_id = closed_case(store_url)
    with transaction(store_url) as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        action_id = store.actions_of(session, case=case)[0].id

    def ask(n: int) -> bool:
        with transaction(store_url) as session:
            return store.mark_asked(session, action_id=action_id, flow_run_id=f"run-{n}",
                                    at=NOW + timedelta(seconds=n))

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sum(pool.map(ask, range(12))) == 1


def test_an_answer_is_kept_once_with_an_event_and_a_second_is_refused(store_url: str) -> None:
    case_id = closed_case(store_url)
    with transaction(store_url) as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        first = store.actions_of(session, case=case)[0]
        row = store.record_check(session, action_id=first.id, done=True, effective=False,
                                 checked_by="王芳", note="考试已做，差错仍有2笔", at=NOW)
        assert (row.done, row.effective, row.checked_by) == (1, 0, "王芳")
        [event] = [e for e in repo.events_of(session, case=case) if e.kind == "action_checked"]
        assert event.actor == "王芳"
        assert event.data == {"action": first.id, "action_kind": "corrective", "done": True,
                              "effective": False}
    with transaction(store_url) as session, pytest.raises(WrongStage, match="checked already "
                                                          r"\(by 王芳 at 2026-11-26T02:00:00"):
        store.record_check(session, action_id=first.id, done=True, effective=True,
                           checked_by="Someone else", note="", at=NOW)
