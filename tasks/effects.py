"""What each human stage does once its answer is accepted (DOMAIN.md §1).

Each handler runs inside the caller's transaction: events, clocks, queued messages. None
of them sends anything or reads the clock; `answer_stage` gives them `at`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.policy import Policy
from models.rules import close_kind, local_text
from models.stages import (
    CallbackForm,
    ChoiceForm,
    ExecutionForm,
    InvestigationForm,
    ReviewForm,
    SolutionForm,
)
from models.store import repo
from models.store.db import CaseRow
from notifications.outbox import enqueue
from tasks.escalation import escalate


def investigation(session: Session, case: CaseRow, form: InvestigationForm, key: str,
                  at: datetime, policy: Policy) -> None:
    repo.meet_clock(session, case=case, name="first_reply", round_=1, at=at)
    repo.record_event(session, case=case, kind="investigated", actor=form.answered_by, at=at,
                      step=key, root_cause=form.root_cause.value,
                      reported_before=form.reported_before)
    case.stage = "solution"


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
                      options=len(options), compensation_yuan=form.compensation_yuan)
    case.stage = "choice" if len(options) > 1 else "execution"


def choice(session: Session, case: CaseRow, form: ChoiceForm, key: str, at: datetime,
           policy: Policy) -> None:
    repo.record_event(session, case=case, kind="option_chosen", actor=form.answered_by, at=at,
                      step=key, chosen=form.chosen.value)
    case.stage = "execution"


def execution(session: Session, case: CaseRow, form: ExecutionForm, key: str, at: datetime,
              policy: Policy) -> None:
    close = repo.clocks_of(session, case=case)
    due = next(c.due_at for c in close if c.name == "close" and c.round == case.round)
    enqueue(session, case=case, purpose="progress", role="customer", ref=key, policy=policy,
            now=at, context={"note": form.progress_note,
                             "close_deadline": local_text(due, policy=policy)})
    kind = "executed" if form.completed else "intermediate_result"
    repo.record_event(session, case=case, kind=kind, actor=form.answered_by, at=at, step=key,
                      responsible_person=form.responsible_person)
    if not form.completed:
        return
    repo.meet_clock(session, case=case, name="close", round_=case.round, at=at)
    case.close_kind = close_kind(requested_at=at, due_at=due, round_=case.round)
    limit = policy.tier(case.tier).limits.callback
    repo.start_clock(session, case=case, name="callback", round_=case.round, started_at=at,
                     due_at=at + limit)
    enqueue(session, case=case, purpose="callback_survey", role="customer",
            ref=f"round-{case.round}", policy=policy, now=at,
            context={"summary": form.actions_taken})
    repo.record_event(session, case=case, kind="close_requested", actor=form.answered_by,
                      at=at, step=key, close_kind=case.close_kind)
    case.stage = "callback"


def callback(session: Session, case: CaseRow, form: CallbackForm, key: str, at: datetime,
             policy: Policy) -> None:
    repo.meet_clock(session, case=case, name="callback", round_=case.round, at=at)
    repo.record_event(session, case=case, kind="called_back", actor=form.answered_by, at=at,
                      step=key, satisfied=form.satisfied)
    if form.satisfied:
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


def review(session: Session, case: CaseRow, form: ReviewForm, key: str, at: datetime,
           policy: Policy) -> None:
    repo.record_event(session, case=case, kind="reviewed", actor=form.answered_by, at=at,
                      step=key, dimension=form.root_cause_dimension.value,
                      method=form.method.value, approved=form.approve_closure)
    if not form.approve_closure:
        return
    case.status, case.stage, case.closed_at = "closed", "closed", at
    case.close_kind = case.close_kind or "first_time"
    enqueue(session, case=case, purpose="closure", role="customer", ref="", policy=policy,
            now=at, context={"summary": form.corrective_action})
    repo.record_event(session, case=case, kind="closed", actor=form.answered_by, at=at,
                      step=key, close_kind=case.close_kind)
