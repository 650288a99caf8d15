"""`complaints show`'s story carries every field of the centre's rules (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from models.privacy import mask_email, mask_name, mask_phone
from models.store import repo, transaction
from models.store.db import ActionRow, ResponsibilityRow
from models.store.story import story
from tests.factories import make_intake

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
MASKERS = (mask_name, mask_phone, mask_email)


def action(case_id: int, what: str, *, done: int | None, effective: int | None) -> ActionRow:
    return ActionRow(case_id=case_id, kind="corrective", what=what, owner="Qian Lei",
                     due_at=T0 + timedelta(days=7), check="no repeat in 30 days", created_at=T0,
                     checked_at=None if done is None else T0 + timedelta(days=7), done=done,
                     effective=effective, note="")


def test_the_story_holds_the_centre_rules_as_json(store_url: str) -> None:
    with transaction(store_url) as session:
        intake = make_intake(references="ORD-88, INV-7", requested_remedy="a refund")
        case, _ = repo.create_case(session, intake=intake, received_at=T0, now=T0,
                                   day="20261124", actor="test")
        case.taken_by, case.signed_by, case.signed_at = "Wu Fang", "Qian Lei", T0
        case.validity, case.established_loss = "valid", Decimal("1200")
        case.irrational, case.follow_up, case.tracker = "first", "watch", "Technical manager"
        case.rejections, case.callback_result, case.satisfaction_score = 1, "satisfied", 4
        session.add(ResponsibilityRow(case_id=case.id, person="Qian Lei",
                                      department="technical", at=T0))
        session.add_all([action(case.id, f"step {i}", done=done, effective=effective)
                         for i, (done, effective) in enumerate(
                             [(None, None), (1, 1), (1, 0), (0, None)])])
        for _ in range(2):
            repo.record_event(session, case=case, kind="callback_not_reached", actor="cs", at=T0)
        for key, approve, summary in (("review-1", "no", "first draft"),
                                      ("review-1--2", "yes", "We replaced the mounts.")):
            repo.save_step(session, case=case, key=key, stage="review", status="answered",
                           payload={"approve_closure": approve, "customer_summary": summary,
                                    "problems": []}, actor="Sun Li", at=T0)
        number = case.number
    with transaction(store_url) as session:
        told = json.loads(json.dumps(story(session, repo.find_case(session, number=number),
                                           reveal=False, maskers=MASKERS, url="")))
    assert told["taken_by"] == "Wu Fang" and told["signed_at"] == T0.isoformat()
    assert (told["references"], told["requested_remedy"]) == ("ORD-88, INV-7", "a refund")
    assert told["customer_summary"] == "We replaced the mounts."
    assert told["established_loss"] == "1200.00" and told["follow_up"] == "watch"
    assert (told["callback_result"], told["satisfaction_score"]) == ("satisfied", 4)
    assert told["callback_not_reached"] == 2 and told["rejections"] == 1
    assert told["responsible"] == [{"person": "Qian Lei", "department": "technical"}]
    assert [a["status"] for a in told["actions"]] == [
        "open", "done_effective", "done_not_effective", "not_done"]
    assert told["history"] == [] and told["repeat_of"] == ""
