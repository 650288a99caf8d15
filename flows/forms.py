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
DEADLINE = {"investigation": "first_reply"}


def describe(stage: str, number: str, info: dict[str, Any], problems: list[str],
             policy: Policy, notice: str = "") -> str:
    judgment = info.get("judgment") or {}
    lines = [f"> **{notice}**", ""] if notice else []
    if problems:
        lines += ["> **The last answer was not accepted:**", *[f"> - {p}" for p in problems], ""]
    lines += [
        f"### {stage.capitalize()} · case {number}",
        TODO[stage],
        "",
        f"- **Tier** {info.get('tier')} · **level** {judgment.get('level', '')} · "
        f"**department** {info.get('department')}",
        f"- **Subject** {escape(mask_text(str(info.get('subject', ''))), 200)}",
    ]
    deadlines = judgment.get("deadlines", {})
    clock = DEADLINE.get(stage, "close")
    if clock in deadlines:
        due = local_text(datetime.fromisoformat(deadlines[clock]), policy=policy)
        lines.append(f"- **Deadline** ({clock.replace('_', ' ')}): {due}")
    if judgment.get("needs_options", 1) > 1 and stage == "solution":
        lines.append(f"- **Threatening customer**: give at least {judgment['needs_options']} "
                     "options and report to your superior.")
    return "\n".join(lines)



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
