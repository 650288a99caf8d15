"""The text above each form in the Prefect UI: what to do, for which case, by when (the
stage forms of a case, and the check form of an action when it is due).

No customer contact details appear here: the form is seen by whoever opens the run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.cards import escape
from models.policy import Policy
from models.privacy import mask_text
from models.rules import local_text

TODO = {
    "handover": "Sign for the case (签收) as your department's receiver: the handover "
                "deadline is met when you sign. If it belongs to another department, transfer "
                "it with the reason; the deadline keeps running from receipt.",
    "investigation": "Establish the facts apart from the customer's feelings: what happened, "
                     "where and how; what the customer expects; whether they reported it "
                     "before. Record the evidence and give the service centre a first reply. "
                     "Decide whether the complaint is valid, the loss to the company, any "
                     "unreasonable-complaint type (then a follow-up mode: watch or monitor) "
                     "and the responsible person(s): the case is judged again on these facts.",
    "solution": "Propose the solution. For compensation give tiered options for the customer "
                "to choose; for a process problem a short-term fix and the lasting change; "
                "for a misunderstanding, the explanation and the material you will show.",
    "choice": "Record the option the customer accepts, or that they reject the proposal "
              "(with their reason): a first rejection goes to the department manager, a "
              "second to the general manager for the final opinion.",
    "execution": "Report what was done and write the progress note the customer receives now. "
                 "Switch off 'fully carried out' to report an intermediate result. If the case "
                 "cannot be closed for objective reasons, request a deferred close (暂缓关闭).",
    "deferral": "The department requests a deferred close (暂缓关闭). Approve it (with a "
                "follow-up mode) to make the case a second irrational complaint whose close "
                "deadline stops, or refuse it.",
    "callback": "Call the customer back. Not reached: the attempt is recorded and you are asked "
                "again later. Reached: satisfied yes or no, and a score from 1 to 5. Not "
                "satisfied reopens the case as a repeat complaint and informs the general "
                "manager.",
    "review": "Find the root cause (people, goods or place; 5 whys or fishbone) and give "
              "concrete corrective and preventive actions, each with an owner, a due date and "
              "how its effect is checked. Write the summary the customer receives. A leader "
              "who handled no stage of this case approves closure.",
}
# The deadline each form is answered against; every form also shows the close deadline.
DEADLINE = {"handover": "handover", "investigation": "first_reply", "callback": "callback"}
TEXT_SHOWN = 1000  # characters of the complaint shown above a form


def describe(stage: str, view: dict[str, Any], problems: list[str], policy: Policy,
             notice: str = "") -> str:
    """The text above a stage form, from the case as the store has it now (`view`: the
    case's masked story, `tasks.forms.form_view`): what to do, the case, the complaint,
    what earlier stages decided that this one needs, and the current deadlines."""
    lines = [f"> **{notice}**", ""] if notice else []
    if problems:
        lines += ["> **The last answer was not accepted:**", *[f"> - {p}" for p in problems], ""]
    lines += [
        f"### {stage.capitalize()} · case {view['case']}",
        TODO[stage],
        "",
        f"- **Tier** {view['tier']} · **level** {view['level']} · **department** "
        f"{view['department']} · **round** {view['round']}",
        f"- **Customer** {escape(view['customer']['name'], 120)} · **channel** "
        f"{view['channel']} · **category** {view['category']}",
        f"- **Subject** {escape(mask_text(view['subject']), 200)}",
        *_deadlines(stage, view, policy),
        *_links(view),
        "",
        "**The complaint**",
        "",
        f"> {escape(mask_text(view['description']), TEXT_SHOWN)}",
        "",
        *_earlier(stage, view),
    ]
    if view.get("needs_options", 1) > 1 and stage == "solution":
        lines.append(f"- **Threatening customer**: give at least {view['needs_options']} "
                     "options and report to your superior.")
    return "\n".join(lines).rstrip()


def _deadlines(stage: str, view: dict[str, Any], policy: Policy) -> list[str]:
    """This form's deadline and the close deadline, from the clocks as they stand."""
    names = list(dict.fromkeys([DEADLINE.get(stage, "close"), "close"]))
    lines = []
    for clock in view["clocks"]:
        if clock["name"] not in names or clock["round"] != _latest(view, clock["name"]):
            continue
        due = local_text(datetime.fromisoformat(clock["due"]), policy=policy)
        state = (" (paused while the customer chooses: it moves on by the pause)"
                 if clock["paused"] else f" ({clock['outcome']})" if clock["met_at"] else
                 " (breached)" if clock["outcome"] == "breached" else "")
        lines.append(f"- **Deadline** {clock['name'].replace('_', ' ')} "
                     f"(round {clock['round']}): {due}{state}")
    return lines


def _latest(view: dict[str, Any], name: str) -> int:
    return max(c["round"] for c in view["clocks"] if c["name"] == name)


def _links(view: dict[str, Any]) -> list[str]:
    links = [f"[{label}]({url})" for label, url in (("case card", view.get("card_url")),
                                                      ("SLA board", view.get("board_url")))
             if url]
    return [f"- **See** {' · '.join(links)}"] if links else []


def _earlier(stage: str, view: dict[str, Any]) -> list[str]:
    """What earlier stages decided that this form needs."""
    answers, lines = view["answers"], list[str]()
    offer = view.get("offer", [])
    if stage in ("handover", "investigation") and view.get("signed_by"):
        lines.append(f"- **Signed for by** {escape(view['signed_by'], 120)}")
    if stage in ("solution", "review"):
        found = _answer(answers, "investigation")
        if found:
            lines += [f"- **Facts** {escape(found.get('facts', ''), 500)}",
                      f"- **The customer expects** "
                      f"{escape(found.get('customer_expectation', ''), 300)}"]
        for key, answer in answers.items():
            if key.startswith("choice-") and answer.get("chosen") == "reject_all":
                lines.append(f"- **Rejected ({key})**: "
                             f"{escape(answer.get('rejection_reason', ''), 300)}")
    if stage == "choice":
        lines.append("**Options proposed**")
        lines += [f"- option_{n}: {escape(text, 500)}" for n, text in enumerate(offer, 1)]
        if view.get("rejections", 0) < 2:
            lines.append("- reject_all: the customer rejects the proposal (give the reason)")
    chosen = _chosen(answers, offer)
    if stage in ("execution", "deferral", "callback", "review") and chosen:
        lines.append(f"- **Chosen solution** {escape(chosen, 500)}")
    if stage in ("deferral", "callback", "review"):
        found = _answer(answers, "execution")
        if found:
            lines.append(f"- **Execution** ({found.get('result', '')}) "
                         f"{escape(found.get('actions_taken', ''), 500)}")
            if found.get("deferral_reason"):
                lines.append(f"- **Why defer** {escape(found['deferral_reason'], 500)}")
    if stage == "review":
        found = _answer(answers, "callback")
        lines.append(f"- **Callback** {view.get('callback_result') or 'none'}"
                     + (f", score {view['satisfaction_score']}"
                        if view.get("satisfaction_score") else ""))
        lines.append(f"- **Validity** {view.get('validity') or '?'} · **responsible** "
                     + ", ".join(escape(f"{r['person']} ({r['department']})", 120)
                                 for r in view.get("responsible", [])))
        lines.append("- **Handled by** " + ", ".join(escape(h, 120)
                                                     for h in view.get("handlers", [])))
    return (["**Earlier stages**", "", *lines] if lines and stage != "choice" else lines)


def _answer(answers: dict[str, Any], stage: str) -> dict[str, Any] | None:
    """The latest accepted answer of a stage (its keys start with the stage's name)."""
    found = [a for key, a in answers.items() if key.startswith(stage) and not a.get("problems")]
    return found[-1] if found else None


def _chosen(answers: dict[str, Any], offer: list[str]) -> str:
    choice = _answer(answers, "choice")
    if not choice or choice.get("chosen") == "reject_all":
        return ""
    number = int(str(choice.get("chosen", "option_0")).rsplit("_", 1)[-1])
    return offer[number - 1] if 0 < number <= len(offer) else ""


KIND = {"corrective": "Corrective action", "preventive": "Preventive action"}


def describe_action(action: dict[str, Any], problems: list[str]) -> str:
    """The text above an action's check form: the action as the review wrote it."""
    lines = []
    if problems:
        lines += ["> **The last answer was not accepted:**", *[f"> - {p}" for p in problems], ""]
    return "\n".join([
        *lines,
        f"### Action check · case {action['case']} · action {action['id']}",
        "Its due date has come. Was it done, and does the check below show that it worked? "
        "An action not done cannot have worked.",
        "",
        f"- **{KIND.get(action['kind'], action['kind'])}** {escape(action['what'], 2000)}",
        f"- **Owner** {escape(action['owner'], 120)}",
        f"- **Due** {action['due']}",
        f"- **How its effect is checked** {escape(action['check'], 2000)}",
    ])
