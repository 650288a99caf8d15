"""What each human stage does once its answer is accepted (DOMAIN.md §1).

Each handler runs inside the caller's transaction: events, clocks, queued messages. None
of them sends anything or reads the clock; `answer_stage` gives them `at`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from models.policy import Policy
from models.rules import close_kind
from models.stages import (
    CallbackForm,
    ChoiceForm,
    DeferralForm,
    ExecutionForm,
    HandoverDecision,
    HandoverForm,
    InvestigationForm,
    OptionChoice,
    ReviewForm,
    SolutionForm,
    YesNo,
)
from models.store import repo
from models.store.actions import add_actions
from models.store.db import CaseRow, ClockRow, ResponsibilityRow
from notifications.outbox import enqueue
from notifications.wording import promise
from tasks.escalation import escalate
from tasks.rejudge import handover_brief, rejudge


def handover(session: Session, case: CaseRow, form: HandoverForm, key: str, at: datetime,
             policy: Policy) -> None:
    """签收: the handover clock is met at the signature; a transfer hands the case on."""
    if form.decision is HandoverDecision.sign:
        repo.meet_clock(session, case=case, name="handover", round_=1, at=at)
        case.signed_by, case.signed_at, case.stage = form.answered_by, at, "investigation"
        repo.record_event(session, case=case, kind="signed", actor=form.answered_by, at=at,
                          step=key, department=case.department)
        return
    before, case.department = case.department, form.transfer_to
    repo.record_event(session, case=case, kind="transferred", actor=form.answered_by, at=at,
                      step=key, before=before, after=case.department, reason=form.reason)
    enqueue(session, case=case, purpose="handover", role="handler", ref=f"transfer-{key}",
            policy=policy, now=at, context=handover_brief(session, case, policy))


def investigation(session: Session, case: CaseRow, form: InvestigationForm, key: str,
                  at: datetime, policy: Policy) -> None:
    repo.meet_clock(session, case=case, name="first_reply", round_=1, at=at)
    case.validity = form.validity.value
    case.established_loss = Decimal(str(form.established_loss_yuan)).quantize(Decimal("0.01"))
    case.unreasonable_type = form.unreasonable_type.value
    for person in form.responsible_persons:
        session.add(ResponsibilityRow(case_id=case.id, person=person.name,
                                      department=person.department, at=at))
    repo.record_event(session, case=case, kind="investigated", actor=form.answered_by, at=at,
                      step=key, root_cause=form.root_cause.value,
                      reported_before=form.reported_before, validity=case.validity,
                      established_loss=float(case.established_loss),
                      unreasonable_type=case.unreasonable_type,
                      responsible=[p.model_dump() for p in form.responsible_persons])
    rejudge(session, case, policy=policy, at=at, actor=form.answered_by, step=key)
    if not case.irrational and form.makes_irrational(
            invalid_is_irrational=policy.tier("D").level == "irrational"):
        make_irrational(session, case, kind="first", follow_up=form.follow_up.value,
                        policy=policy, at=at, actor=form.answered_by, step=key)
    case.stage = "solution"


def make_irrational(session: Session, case: CaseRow, *, kind: str, follow_up: str,
                    policy: Policy, at: datetime, actor: str, step: str) -> None:
    """A first or second irrational complaint: follow-up mode, tracked by the department
    manager, who is told."""
    case.irrational, case.follow_up, case.level = kind, follow_up, "irrational"
    case.tracker = policy.departments[case.department].manager.name
    repo.record_event(session, case=case, kind=f"irrational_{kind}", actor=actor, at=at,
                      step=step, follow_up=follow_up, tracker=case.tracker)
    label = "second irrational (deferred close)" if kind == "second" else "irrational"
    escalate(session, case=case, clock=f"irrational:{kind}", rung="department_manager",
             now=at, policy=policy,
             reason=f"{label} complaint, follow-up mode {follow_up}: the department manager "
             "tracks the case")


def solution(session: Session, case: CaseRow, form: SolutionForm, key: str, at: datetime,
             policy: Policy) -> None:
    options = form.options()
    repo.save_step(session, case=case, key=f"offer-{case.round}", stage="solution",
                   status="done", payload={"options": options}, actor=form.answered_by, at=at)
    enqueue(session, case=case, purpose="solution_proposal", role="customer", ref=key,
            policy=policy, now=at, context={"solution_type": form.solution_type.value,
                                            "options": options, "note": form.note_to_customer})
    repo.record_event(session, case=case, kind="solution_proposed", actor=form.answered_by,
                      at=at, step=key, solution_type=form.solution_type.value,
                      options=len(options), compensation_yuan=form.compensation_yuan,
                      decided_by=form.decided_by.value)
    case.stage = "choice"


def choice(session: Session, case: CaseRow, form: ChoiceForm, key: str, at: datetime,
           policy: Policy) -> None:
    if form.chosen is not OptionChoice.reject_all:
        repo.record_event(session, case=case, kind="option_chosen", actor=form.answered_by,
                          at=at, step=key, chosen=form.chosen.value)
        case.stage = "execution"
        return
    case.rejections += 1
    repo.record_event(session, case=case, kind="solution_rejected", actor=form.answered_by,
                      at=at, step=key, reason=form.rejection_reason, rejections=case.rejections)
    rung = "department_manager" if case.rejections == 1 else "general_manager"
    who = "the department manager re-studies it" if rung == "department_manager" else \
        "the general manager coordinates and gives the final opinion"
    escalate(session, case=case, clock=f"rejected:{case.rejections}", rung=rung, now=at,
             policy=policy, reason=f"the customer rejected the proposed solution "
             f"({case.rejections}): {who}")
    case.stage = "solution"


def execution(session: Session, case: CaseRow, form: ExecutionForm, key: str, at: datetime,
              policy: Policy) -> None:
    close = repo.clocks_of(session, case=case)
    due = next(c.due_at for c in close if c.name == "close" and c.round == case.round)
    # Past the close deadline the message promises the next reply instead (wording.py).
    ahead, next_reply = promise(due, now=at, policy=policy)
    enqueue(session, case=case, purpose="progress", role="customer", ref=key, policy=policy,
            now=at, context={"note": form.progress_note, "close_deadline": ahead,
                             "next_reply": next_reply})
    kind = {"done": "executed", "intermediate": "intermediate_result",
            "defer": "deferral_requested"}[form.result.value]
    repo.record_event(session, case=case, kind=kind, actor=form.answered_by, at=at, step=key,
                      responsible_person=form.responsible_person,
                      reason=form.deferral_reason)
    if not form.completed:
        return
    clock = repo.meet_clock(session, case=case, name="close", round_=case.round, at=at)
    # A deferred close stopped the clock when it was approved: that is when it counts.
    deferred = clock.met_at if clock is not None and clock.outcome == "deferred" else None
    requested = deferred or at
    case.close_kind = close_kind(requested_at=requested, due_at=due, round_=case.round)
    limit = policy.tier(case.tier).limits.callback
    repo.start_clock(session, case=case, name="callback", round_=case.round, started_at=at,
                     due_at=at + limit)
    # What the department did (actions_taken) is internal: it may name staff. The customer
    # reads the note written for them.
    enqueue(session, case=case, purpose="callback_survey", role="customer",
            ref=f"round-{case.round}", policy=policy, now=at,
            context={"summary": form.progress_note})
    repo.record_event(session, case=case, kind="close_requested", actor=form.answered_by,
                      at=at, step=key, close_kind=case.close_kind)
    case.stage = "callback"


def deferral(session: Session, case: CaseRow, form: DeferralForm, key: str, at: datetime,
             policy: Policy) -> None:
    """暂缓关闭: approved, the close clock stops without a breach and the case becomes a
    second irrational complaint; it stays at execution until reported done."""
    approved = form.approve is YesNo.yes
    repo.record_event(session, case=case, kind="deferral_decided", actor=form.answered_by,
                      at=at, step=key, approved=approved, note=form.note)
    if not approved:
        return
    clock = session.query(ClockRow).filter_by(case_id=case.id, name="close",
                                              round=case.round).one_or_none()
    if clock is not None and clock.met_at is None:
        clock.met_at, clock.open, clock.next_check_at = at, 0, None
        clock.outcome = "deferred"
    make_irrational(session, case, kind="second", follow_up=form.follow_up.value,
                    policy=policy, at=at, actor=form.answered_by, step=key)


def callback(session: Session, case: CaseRow, form: CallbackForm, key: str, at: datetime,
             policy: Policy) -> None:
    attempt = int(key.rsplit("-a", 1)[1]) if "-a" in key else 1
    if form.reached is YesNo.no:
        repo.record_event(session, case=case, kind="callback_not_reached",
                          actor=form.answered_by, at=at, step=key, attempt=attempt,
                          round=case.round)
        if attempt < policy.callback.max_attempts:
            return
        repo.meet_clock(session, case=case, name="callback", round_=case.round, at=at)
        case.callback_result, case.stage = "not_reached", "review"
        _callback_result(session, case, form, key, at, policy, attempt)
        return
    repo.meet_clock(session, case=case, name="callback", round_=case.round, at=at)
    case.callback_result = "satisfied" if form.is_satisfied else "dissatisfied"
    case.satisfaction_score = form.score
    repo.record_event(session, case=case, kind="called_back", actor=form.answered_by, at=at,
                      step=key, satisfied=form.is_satisfied, score=form.score, attempt=attempt)
    _callback_result(session, case, form, key, at, policy, attempt)
    if form.is_satisfied:
        case.stage = "review"
        return
    reopened = case.round
    case.round += 1
    case.stage, case.close_kind = "solution", "second"
    limit = policy.tier(case.tier).limits.close
    repo.start_clock(session, case=case, name="close", round_=case.round, started_at=at,
                     due_at=at + limit)
    repo.record_event(session, case=case, kind="reopened", actor=form.answered_by, at=at,
                      step=key, repeat_complaint=True, round=case.round)
    escalate(session, case=case, clock=f"repeat:{reopened}", rung="general_manager", now=at,
             policy=policy, reason="customer not satisfied at callback: repeat complaint, "
             f"reopened at solution (round {case.round})")


def _callback_result(session: Session, case: CaseRow, form: CallbackForm, key: str,
                     at: datetime, policy: Policy, attempts: int) -> None:
    """The department hears the callback's result the same day."""
    enqueue(session, case=case, purpose="callback_result", role="handler", ref=key,
            policy=policy, now=at, context={
                "result": case.callback_result, "score": form.score, "attempts": attempts,
                "round": case.round, "feedback": form.customer_feedback})


def review(session: Session, case: CaseRow, form: ReviewForm, key: str, at: datetime,
           policy: Policy) -> None:
    repo.record_event(session, case=case, kind="reviewed", actor=form.answered_by, at=at,
                      step=key, dimension=form.root_cause_dimension.value,
                      method=form.method.value, approved=form.approve_closure is YesNo.yes,
                      approved_by=form.approved_by,
                      actions=len(form.corrective_actions) + len(form.preventive_actions))
    if form.approve_closure is not YesNo.yes:
        return
    add_actions(session, case=case, corrective=form.corrective_actions,
                preventive=form.preventive_actions, at=at, calendar=policy.calendar)
    case.status, case.stage, case.closed_at = "closed", "closed", at
    case.close_kind = case.close_kind or "first_time"
    case.root_cause_dimension = form.root_cause_dimension.value  # for the reports
    case.repeat_by_neglect = int(form.repeat_by_neglect is YesNo.yes)
    enqueue(session, case=case, purpose="closure", role="customer", ref="", policy=policy,
            now=at, context={"summary": form.customer_summary})
    repo.record_event(session, case=case, kind="closed", actor=form.approved_by, at=at,
                      step=key, close_kind=case.close_kind)
