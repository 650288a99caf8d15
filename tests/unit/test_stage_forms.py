"""The rules a stage answer must pass beyond its form's field types."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.problems import Problem, texts
from models.stages import (
    CallbackForm,
    ChoiceForm,
    DeferralForm,
    ExecutionForm,
    HandoverForm,
    InvestigationForm,
    ReviewForm,
    SolutionForm,
    StageRules,
)
from tests.flows import answers

VAGUE = ["加强培训", "加强检查", "strengthen training", "strengthen inspection"]
RULES = StageRules(vague_actions=VAGUE, min_options=1, max_options=3, options_offered=2,
                   departments=["technical", "service", "finance"], department="technical",
                   today=date.today())


def review(**changes: Any) -> ReviewForm:
    return ReviewForm.model_validate({**answers.REVIEW, **changes})


def fields(problems: list[Problem]) -> list[str]:
    return [p["field"] for p in problems]


def test_a_root_cause_must_be_people_goods_or_place() -> None:
    assert texts(review(root_cause_dimension="unknown").problems(rules=RULES), "en") == [
        "root_cause_dimension: choose people, goods or place"]


def test_the_leader_who_approves_closure_handled_no_stage_of_the_case() -> None:
    rules = RULES.model_copy(update={"handlers": ["Li Ming (technical)", "Zhao Lei"]})
    assert review().problems(rules=rules) == []
    assert fields(review(approved_by="li ming (Technical)").problems(rules=rules)) == [
        "approved_by"]
    same = review(approved_by=answers.REVIEW["answered_by"])  # answers review and approves
    assert fields(same.problems(rules=rules)) == ["approved_by"]
    for role_left_out in ("Li Ming", "LI MING（技术部）", "Zhao Lei (service centre)"):
        assert fields(review(approved_by=role_left_out).problems(rules=rules)) == [
            "approved_by"], role_left_out  # the role in brackets is not the name


def test_a_valid_complaint_needs_a_corrective_and_a_preventive_action() -> None:
    bare = review(corrective_actions=[], preventive_actions=[])
    assert fields(bare.problems(rules=RULES)) == ["corrective_actions", "preventive_actions"]
    invalid = RULES.model_copy(update={"valid": False})
    assert bare.problems(rules=invalid) == []


def test_a_threatening_customer_needs_at_least_two_options() -> None:
    rules = RULES.model_copy(update={"min_options": 2})
    one = SolutionForm.model_validate(answers.SOLUTION_ONE)
    two = SolutionForm.model_validate(answers.SOLUTION_TWO)
    assert texts(one.problems(rules=rules), "en") == [
        "option_2: this customer needs at least 2 options, got 1"]
    assert two.problems(rules=rules) == []


def test_after_a_rejection_the_manager_decides_and_after_two_the_general_manager() -> None:
    department = SolutionForm.model_validate(answers.SOLUTION_ONE)
    manager = SolutionForm.model_validate(answers.SOLUTION_MANAGER)
    general = SolutionForm.model_validate(answers.SOLUTION_GM)
    once, twice = (RULES.model_copy(update={"rejections": n}) for n in (1, 2))
    assert fields(department.problems(rules=once)) == ["decided_by"]
    assert manager.problems(rules=once) == [] and general.problems(rules=once) == []
    assert fields(manager.problems(rules=twice)) == ["decided_by"]
    assert general.problems(rules=twice) == []


def test_the_customer_can_only_choose_an_option_that_was_offered() -> None:
    third = ChoiceForm.model_validate({**answers.CHOICE, "chosen": "option_3"})
    second = ChoiceForm.model_validate(answers.CHOICE)
    assert texts(third.problems(rules=RULES), "en") == ["chosen: only 2 option(s) were offered"]
    assert second.problems(rules=RULES) == []


def test_a_rejection_needs_a_reason_and_the_general_managers_opinion_is_final() -> None:
    reject = ChoiceForm.model_validate(answers.REJECT)
    assert reject.problems(rules=RULES) == []
    no_reason = ChoiceForm.model_validate({**answers.REJECT, "rejection_reason": ""})
    assert fields(no_reason.problems(rules=RULES)) == ["rejection_reason"]
    final = RULES.model_copy(update={"rejections": 2})
    assert fields(reject.problems(rules=final)) == ["chosen"]


def test_a_transfer_names_another_known_department_and_a_reason() -> None:
    assert HandoverForm.model_validate(answers.HANDOVER_SIGN).problems(rules=RULES) == []
    good = HandoverForm.model_validate(answers.HANDOVER_TRANSFER)
    assert good.problems(rules=RULES) == []
    for change, field in (({"transfer_to": "weather"}, "transfer_to"),
                          ({"transfer_to": "technical"}, "transfer_to"),
                          ({"reason": ""}, "reason")):
        form = HandoverForm.model_validate({**answers.HANDOVER_TRANSFER, **change})
        assert fields(form.problems(rules=RULES)) == [field]


def test_a_valid_complaint_names_its_responsible_person_and_irrational_needs_a_mode() -> None:
    assert InvestigationForm.model_validate(answers.INVESTIGATION).problems(rules=RULES) == []
    assert InvestigationForm.model_validate(answers.INVALID).problems(rules=RULES) == []
    nobody = InvestigationForm.model_validate({**answers.INVESTIGATION,
                                               "responsible_persons": []})
    assert fields(nobody.problems(rules=RULES)) == ["responsible_persons"]
    elsewhere = InvestigationForm.model_validate({**answers.INVESTIGATION, "responsible_persons":
                                                  [{"name": "Li", "department": "moon"}]})
    assert fields(elsewhere.problems(rules=RULES)) == ["responsible_persons.0.department"]
    no_mode = InvestigationForm.model_validate({**answers.IRRATIONAL, "follow_up": "none"})
    assert fields(no_mode.problems(rules=RULES)) == ["follow_up"]
    assert InvestigationForm.model_validate(answers.IRRATIONAL).problems(rules=RULES) == []



def test_an_invalid_complaint_is_irrational_as_tier_d_and_needs_a_follow_up_mode() -> None:
    unfollowed = InvestigationForm.model_validate({**answers.INVALID, "follow_up": "none"})
    assert fields(unfollowed.problems(rules=RULES)) == ["follow_up"]
    plain_d = RULES.model_copy(update={"invalid_is_irrational": False})  # a policy's choice
    assert unfollowed.problems(rules=plain_d) == []
    assert fields(InvestigationForm.model_validate(answers.INVALID).problems(
        rules=plain_d)) == ["follow_up"]


def test_a_deferred_close_needs_a_reason_and_an_approval_a_follow_up_mode() -> None:
    assert ExecutionForm.model_validate(answers.DEFER).problems(rules=RULES) == []
    done = ExecutionForm.model_validate({**answers.DEFER, "result": "done"})
    assert fields(done.problems(rules=RULES)) == ["deferral_reason"]
    bare = ExecutionForm.model_validate({**answers.DEFER, "deferral_reason": ""})
    assert fields(bare.problems(rules=RULES)) == ["deferral_reason"]
    assert DeferralForm.model_validate(answers.DEFERRAL_OK).problems(rules=RULES) == []
    bare = DeferralForm.model_validate({**answers.DEFERRAL_OK, "follow_up": "none"})
    assert fields(bare.problems(rules=RULES)) == ["follow_up"]


def test_a_callback_reached_needs_satisfaction_and_a_score_and_retries_wait() -> None:
    assert CallbackForm.model_validate(answers.CALLBACK_OK).problems(rules=RULES) == []
    unscored = CallbackForm.model_validate({**answers.CALLBACK_OK, "score": 0,
                                            "satisfied": "not_reached"})
    assert fields(unscored.problems(rules=RULES)) == ["satisfied", "score"]
    missed = CallbackForm.model_validate(answers.CALLBACK_NOT_REACHED)
    assert missed.problems(rules=RULES) == []
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    early = RULES.model_copy(update={"now": now, "next_callback_from": now + timedelta(hours=1),
                                     "next_callback_text": "2026-11-26 17:00"})
    assert fields(missed.problems(rules=early)) == ["reached"]


def test_a_required_choice_has_no_default() -> None:
    for form, field in ((HandoverForm, "decision"), (InvestigationForm, "validity"),
                        (InvestigationForm, "established_loss_yuan"), (CallbackForm, "reached"),
                        (DeferralForm, "approve"), (ReviewForm, "approved_by"),
                        (ExecutionForm, "result"), (ReviewForm, "approve_closure"),
                        (CallbackForm, "satisfied")):
        assert field in form.model_json_schema()["required"], (form.__name__, field)
