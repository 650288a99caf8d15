"""The text above each form in the Prefect UI: what to do, for which case, by when (the
stage forms of a case, and the check form of an action when it is due).

No customer contact details appear here: the form is seen by whoever opens the run.
A refused answer's problems (data, models/problems.py) head the form in the staff
language, each naming the field by its title on the form below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from models.actions import ActionCheck
from models.card_text import when
from models.cards import escape
from models.i18n import t, term, words
from models.policy import Policy
from models.privacy import mask_text
from models.problems import Problem, texts
from models.stages import FORMS

# The deadline each form is answered against; every form also shows the close deadline.
DEADLINE = {"handover": "handover", "investigation": "first_reply", "callback": "callback"}
TEXT_SHOWN = 1000  # characters of the complaint shown above a form


def _w(language: str, key: str, **values: object) -> str:
    return t(language, f"form.above.{key}", **values)


def describe(stage: str, view: dict[str, Any], problems: Sequence[Problem | str],
             policy: Policy, notice: str = "") -> str:
    """The text above a stage form in the staff language, from the case as the store has
    it now (`view`: the case's masked story, `tasks.forms.form_view`): what to do, the
    case, the complaint, what earlier stages decided that this one needs, and the current
    deadlines."""
    lang = policy.staff_language
    lines = [f"> **{t(lang, f'form_notice.{notice}')}**", ""] if notice else []
    lines += _refused(texts(problems, lang, FORMS[stage]), lang)
    lines += [
        f"### {_w(lang, 'head', stage=_w(lang, f'stage.{stage}'), case=view['case'])}",
        _w(lang, f"todo.{stage}"),
        "",
        _w(lang, "case_line", tier=view["tier"], level=term(lang, "card.level", view["level"]),
           round=view["round"],
           department=term(lang, "department", view["department"])),
        _w(lang, "customer_line", name=escape(view["customer"]["name"], 120),
           channel=term(lang, "card.channel", view["channel"]),
           category=term(lang, "category", view["category"])),
        f"- **{_w(lang, 'subject')}** {escape(mask_text(view['subject']), 200)}",
        *_deadlines(stage, view, policy),
        *_links(view, lang),
        "",
        f"**{_w(lang, 'complaint')}**",
        "",
        f"> {escape(mask_text(view['description']), TEXT_SHOWN)}",
        "",
        *_earlier(stage, view, lang),
    ]
    if view.get("needs_options", 1) > 1 and stage == "solution":
        lines.append(_w(lang, "threatening", n=view["needs_options"]))
    return "\n".join(lines).rstrip()


def _deadlines(stage: str, view: dict[str, Any], policy: Policy) -> list[str]:
    """This form's deadline and the close deadline, from the clocks as they stand."""
    lang = policy.staff_language
    names = list(dict.fromkeys([DEADLINE.get(stage, "close"), "close"]))
    lines = []
    for clock in view["clocks"]:
        if clock["name"] not in names or clock["round"] != _latest(view, clock["name"]):
            continue
        due = when(lang, clock["due"], ZoneInfo(policy.calendar.timezone))
        state = (_w(lang, "paused") if clock["paused"]
                 else f" ({term(lang, 'card.outcome', clock['outcome'])})"
                 if clock["met_at"] else
                 _w(lang, "breached") if clock["outcome"] == "breached" else "")
        lines.append(_w(lang, "deadline", clock=term(lang, "clock", clock["name"]),
                        round=clock["round"], due=due, state=state))
    if lines:  # the zone once, as on the card
        lines.append(f"- {t(lang, 'card.timezone', timezone=policy.calendar.timezone)}")
    return lines


def _latest(view: dict[str, Any], name: str) -> int:
    return max(c["round"] for c in view["clocks"] if c["name"] == name)


def _links(view: dict[str, Any], lang: str) -> list[str]:
    links = [f"[{_w(lang, label)}]({url})" for label, url in (("card", view.get("card_url")),
                                                             ("board", view.get("board_url")))
             if url]
    return [f"- **{_w(lang, 'see')}** {' · '.join(links)}"] if links else []


def _earlier(stage: str, view: dict[str, Any], lang: str) -> list[str]:
    """What earlier stages decided that this form needs."""
    answers, lines = view["answers"], list[str]()
    offer = view.get("offer", [])

    def label(key: str) -> str:
        return _w(lang, f"label.{key}")
    if stage in ("handover", "investigation") and view.get("signed_by"):
        lines.append(f"- **{label('signed_by')}** {escape(view['signed_by'], 120)}")
    if stage in ("solution", "review"):
        lines += _facts(answers, label)
    if stage == "choice":
        lines.append(f"**{_w(lang, 'options')}**")
        lines += [f"- {t(lang, 'form.offered', n=n, text=escape(text, 500))}"
                  for n, text in enumerate(offer, 1)]
        if view.get("rejections", 0) < 2:
            lines.append(_w(lang, "reject_line"))
    chosen = _chosen(answers, offer)
    if stage in ("execution", "deferral", "callback", "review") and chosen:
        lines.append(f"- **{label('chosen')}** {escape(chosen, 500)}")
    if stage in ("deferral", "callback", "review"):
        found = _answer(answers, "execution")
        if found:
            result = _choice(lang, "ExecutionResult", str(found.get("result", "")))
            lines.append(f"- **{label('execution')}** ({result}) "
                         f"{escape(found.get('actions_taken', ''), 500)}")
            if found.get("deferral_reason"):
                lines.append(f"- **{label('why_defer')}** "
                             f"{escape(found['deferral_reason'], 500)}")
    if stage == "review":
        lines += _review(view, label, _choice(lang, "Validity", view.get("validity") or "?"))
    return ([f"**{_w(lang, 'earlier')}**", "", *lines] if lines and stage != "choice"
            else lines)


def _facts(answers: dict[str, Any], label: Any) -> list[str]:
    lines = []
    found = _answer(answers, "investigation")
    if found:
        lines += [f"- **{label('facts')}** {escape(found.get('facts', ''), 500)}",
                  f"- **{label('expects')}** "
                  f"{escape(found.get('customer_expectation', ''), 300)}"]
    for key, answer in answers.items():
        if key.startswith("choice-") and answer.get("chosen") == "reject_all":
            lines.append(f"- **{label('rejected')} ({key})**: "
                         f"{escape(answer.get('rejection_reason', ''), 300)}")
    return lines


def _choice(lang: str, kind: str, key: str) -> str:
    return str(t(lang, "form.choice." + kind + "." + key) if key in
               words(lang)["form"]["choice"][kind] else key)


def _review(view: dict[str, Any], label: Any, validity: str) -> list[str]:
    score = view.get("satisfaction_score")
    return [
        f"- **{label('callback')}** {view.get('callback_result') or label('none')}"
        + (f", {label('score')} {score}" if score else ""),
        f"- **{label('validity')}** {validity} · "
        f"**{label('responsible')}** "
        + ", ".join(escape(f"{r['person']} ({r['department']})", 120)
                    for r in view.get("responsible", [])),
        f"- **{label('handled_by')}** " + ", ".join(escape(h, 120)
                                                  for h in view.get("handlers", [])),
    ]


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


def _refused(lines: list[str], lang: str) -> list[str]:
    """Why the last answer was not taken, as a quote at the top of the form."""
    return [f"> **{_w(lang, 'refused')}**", *[f"> - {p}" for p in lines], ""] if lines else []


def describe_action(action: dict[str, Any], problems: Sequence[Problem | str],
                    language: str = "en") -> str:
    """The text above an action's check form, in `language`: the action as the review
    wrote it."""
    lines = _refused(texts(problems, language, ActionCheck), language)
    kind = action["kind"] if action["kind"] not in ("corrective", "preventive") \
        else _w(language, action["kind"])
    return "\n".join([
        *lines,
        f"### {_w(language, 'action_head', case=action['case'], id=action['id'])}",
        _w(language, "action_todo"),
        "",
        f"- **{kind}** {escape(action['what'], 2000)}",
        f"- **{_w(language, 'owner')}** {escape(action['owner'], 120)}",
        f"- **{_w(language, 'due')}** {action['due']}",
        f"- **{_w(language, 'check')}** {escape(action['check'], 2000)}",
    ])
