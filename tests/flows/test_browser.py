"""A person's path through the Prefect UI, in Debian's Chromium driven by Playwright:
the intake run form, the suspended run with its case card, the handover form (签收), the
investigation form with its list of responsible persons.

The UI is the one Prefect serves by default: from 3.9 the printed address (`/`) leads to
the new UI under `/v2` (React; the old one stays reachable under its old paths and by
"Switch to V1 UI"), so every page is opened under `/v2`.

Set COMPLAINTS_SCREENSHOTS to a folder to keep the screenshots (docs/ has the ones the
README shows). Skipped only where Chromium or Playwright is not installed; .ci/run
installs both, so CI always runs it.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from prefect import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
)
from prefect.deployments import run_deployment
from prefect.states import Cancelled
from sqlalchemy import select

from tests.conftest import SESSION_DIR
from tests.flows.driver import flow_run, latest_artifact_id, wait_for

pytestmark = [
    pytest.mark.prefect_server,
    pytest.mark.skipif(not shutil.which("chromium") and not Path("/usr/bin/chromium").exists(),
                       reason="Debian's chromium is not installed (.ci/run installs it)"),
]
playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SHOTS = Path(os.environ.get("COMPLAINTS_SCREENSHOTS", SESSION_DIR / "screenshots"))


@pytest.fixture
def page(served: Any) -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or
                                    "/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1366, "height": 1500})
        browser.close()


def ui() -> str:
    """The address `complaints up` prints: the server's root."""
    return os.environ["PREFECT_API_URL"].removesuffix("/api")


def v2() -> str:
    return f"{ui()}/v2"


def field(page: Any, label: str) -> Any:
    """The control box of the form property labelled `label` (optional ones end in
    '(Optional)'): the fieldset after the label's header, in the property's group."""
    text = f'normalize-space(.)="{label}" or normalize-space(.)="{label} (Optional)"'
    found = page.locator(f"xpath=//label[@data-slot='label' and ({text})]")
    return found.first.locator("xpath=ancestor::div[contains(concat(' ', "
                               "normalize-space(@class), ' '), ' group ')][1]/fieldset")


def choose(page: Any, label: str, option: str) -> None:
    field(page, label).locator("button[aria-haspopup='listbox']").first.click()
    page.get_by_role("option", name=option, exact=True).first.click()


def pick(page: Any, label: str, words: str) -> None:
    """A stage form's choice: the Prefect UI shows each option by its words (the value
    sent back is its key)."""
    field(page, label).get_by_role("tab", name=words, exact=True).first.click()


def open_resume_form(page: Any, flow_run_id: str) -> Any:
    """The run page's menu -> Resume: the dialog with the stage form."""
    page.goto(f"{v2()}/runs/flow-run/{flow_run_id}")
    page.get_by_text("Suspended").first.wait_for()
    page.get_by_role("button", name="Open menu").first.click()
    page.get_by_role("menuitem", name="Resume").click()
    return page.get_by_role("dialog")


def _submit_stage_form(dialog: Any, flow_run_id: str) -> None:
    """Submit, and submit again if the run is still suspended 15 s later: once in many
    runs the click landed before the form listened for it (the run never resumed)."""
    for _ in range(2):
        button = dialog.get_by_role("button", name="Resume", exact=True)
        if button.is_visible():
            button.click()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if not flow_run(flow_run_id).state.is_paused():
                return
            time.sleep(0.5)


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_an_agent_takes_a_complaint_in_signs_and_answers_investigation_in_the_ui(
    page: Any,
) -> None:
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("complaint/complaint")
    page.goto(ui())  # the printed address leads to the default UI
    page.wait_for_url("**/v2/**")
    page.goto(f"{v2()}/deployments/deployment/{deployment.id}/run")
    page.get_by_text("投诉登记").first.wait_for()  # the run form in the staff's language
    pick(page, "投诉渠道", "到店")  # the run gets the key, walk_in
    for label, value in [("首问受理人", "孙浩（服务部）"),
                         ("客户姓名", "孟琪"), ("电话", "13911112222"),
                         ("投诉主题", "洗衣机维修后仍漏水"),
                         ("投诉内容", "周一刚修好，今天又漏水了，地板都泡了。"),
                         ("外部编号", "BROWSER-1")]:
        field(page, label).locator("textarea").first.fill(value)
    field(page, "客户声称的损失（元）").locator("input").first.fill("450")
    pick(page, "投诉类别", "维修质量")
    page.get_by_text("投诉登记").first.scroll_into_view_if_needed()
    shot(page, "intake-form.png")
    page.get_by_role("button", name="Submit", exact=True).last.click()

    number = _case_of("BROWSER-1")
    story = wait_for(number, "handover")
    assert story["tier"] == "B"
    assert (story["channel"], story["category"]) == ("walk_in", "repair_quality")
    assert story["reasons_text"] == [  # complaints show says why, in the staff's words
        "声称损失 450.00 元，超过 0 元且不超过 3,000 元：定为 B级（严重投诉）"]
    page.goto(f"{v2()}/artifacts/artifact/{latest_artifact_id(f'case-{number.lower()}')}")
    page.get_by_text(f"{number} · B类 严重投诉 · 处理中").first.wait_for()
    page.get_by_text("部门接收人（签收或转办）").first.wait_for()
    page.get_by_text("时间均为 Asia/Shanghai").first.wait_for()
    shot(page, "case-card.png")

    dialog = open_resume_form(page, story["flow_run_id"])
    dialog.get_by_text(f"签收 · 案件 {number}").first.wait_for()
    pick(dialog, "签收或转办", "签收")
    field(dialog, "您的姓名").locator("textarea").first.fill("Liu Yang (receiver)")
    shot(page, "handover-form.png")
    _submit_stage_form(dialog, story["flow_run_id"])
    story = wait_for(number, "investigation")
    assert story["answers"]["handover"]["answered_by"] == "Liu Yang (receiver)"
    assert "signed" in [e["kind"] for e in story["events"]]

    dialog = open_resume_form(page, story["flow_run_id"])
    dialog.get_by_text(f"调查 · 案件 {number}").first.wait_for()
    for label, value in [("您的姓名", "Sun Hao (service)"),
                         ("事实经过", "The drain hose clamp was not refitted."),
                         ("客户诉求", "A proper repair and a dry floor."),
                         ("给客服中心的首次答复", "Technician booked for today.")]:
        field(dialog, label).locator("textarea").first.fill(value)
    pick(dialog, "有效或无效投诉", "有效")
    field(dialog, "核定的公司损失（元）").locator("input").first.fill("120")
    persons = field(dialog, "责任人")
    persons.get_by_role("button", name="Add item", exact=True).click()
    field(persons, "姓名").locator("textarea, input").first.fill("Gao Jun")
    field(persons, "部门").locator("textarea, input").first.fill("technical")
    persons.scroll_into_view_if_needed()
    shot(page, "investigation-persons.png")
    dialog.get_by_text(f"调查 · 案件 {number}").first.scroll_into_view_if_needed()
    shot(page, "stage-form.png")
    _submit_stage_form(dialog, story["flow_run_id"])
    moved = wait_for(number, "solution")
    given = moved["answers"]["investigation"]
    assert given["answered_by"] == "Sun Hao (service)"
    assert (given["validity"], given["established_loss_yuan"]) == ("valid", 120)
    assert given["responsible_persons"] == [{"name": "Gao Jun", "department": "technical"}]

    # Playwright's sync API runs an event loop here, which would make Prefect's
    # run_deployment dispatch to its async twin: call it from a plain thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(run_deployment, "watchdog/watchdog", parameters={"run_for_seconds": 1},
                    timeout=120).result()
    page.goto(f"{v2()}/artifacts/artifact/{latest_artifact_id('sla-board')}")
    page.locator("table tr", has_text=number).first.wait_for()  # the markdown, rendered
    shot(page, "sla-board.png")


def _case_of(external_ref: str, seconds: float = 180) -> str:
    from models.store import repo, transaction
    from tasks.runtime import settings

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with transaction(settings().store_url) as session:
            case = repo.case_by(session, external_ref=external_ref)
            if case is not None:
                return case.number
        time.sleep(0.5)
    raise AssertionError(f"no case for {external_ref} after the form was submitted; the "
                         f"runs: {_recent_runs()}")


def _recent_runs() -> list[str]:
    """The server's newest runs and their states, for a failure's message."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(limit=30)
    return [f"{r.name} ({r.deployment_id}): {r.state_name}, expected {r.expected_start_time}"
            for r in runs]


def test_customer_text_never_renders_as_a_link_on_the_card_or_the_form(page: Any) -> None:
    """Defect 9.8: the UI links bare URLs and e-mail addresses by itself."""
    from tests.factories import make_intake
    from tests.flows.driver import submit

    intake = make_intake(
        subject="Refund: https://attacker%2Eexample/login www.attacker.example "
                "![x](https://attacker.example/x.png) [here](https://attacker.example)",
        description="Write to boss@attacker.example, the page https://attacker.example/a",
        external_ref="BROWSER-LINKS", received_at="")
    with ThreadPoolExecutor(1) as pool:  # see the first test: no Prefect call on this loop
        number = pool.submit(submit, intake.model_dump(mode="json")).result()["case"]
    story = wait_for(number, "handover")
    page.goto(f"{v2()}/artifacts/artifact/{latest_artifact_id(f'case-{number.lower()}')}")
    page.get_by_text("attacker%2Eexample", exact=False).first.wait_for()
    _assert_no_customer_link(page)

    dialog = open_resume_form(page, story["flow_run_id"])
    dialog.get_by_text(f"签收 · 案件 {number}").first.wait_for()
    dialog.get_by_text("attacker%2Eexample", exact=False).first.wait_for()
    _assert_no_customer_link(page)


def _assert_no_customer_link(page: Any) -> None:
    links = page.eval_on_selector_all(
        "a, img", "els => els.map(e => e.getAttribute('href') || e.getAttribute('src') || '')")
    assert not [link for link in links if "attacker" in link.lower()], links


def test_an_operator_sees_the_case_on_every_form_and_only_the_options_proposed(
    page: Any,
) -> None:
    """Issue #12 as an operator meets it: the complaint on the form, the choice offering
    the proposal's options by their text and nothing else, the deadline after a pause as
    the clocks have it, 'satisfied' without a default, one card in the run's Artifacts."""
    from models.card_text import when
    from tasks.runtime import policy
    from tests.factories import make_intake
    from tests.flows import answers
    from tests.flows.driver import respond, submit

    intake = make_intake(subject="Dryer drum scrapes", received_at="",
                         description="The drum scrapes since the repair on Friday; the "
                                     "noise wakes the baby. 请尽快处理。",
                         customer={"email": "operator.browser@example.org"},
                         external_ref="BROWSER-OPERATOR")
    with ThreadPoolExecutor(1) as pool:  # no Prefect call on Playwright's loop
        number = pool.submit(submit, intake.model_dump(mode="json")).result()["case"]
        story = wait_for(number, "handover")
        dialog = open_resume_form(page, story["flow_run_id"])
        dialog.get_by_text("the noise wakes the baby", exact=False).first.wait_for()
        pool.submit(lambda: [respond(number, stage, answer) for stage, answer in (
            ("handover", answers.HANDOVER_SIGN), ("investigation", answers.INVESTIGATION),
            ("solution", answers.SOLUTION_TWO))]).result()
        story = wait_for(number, "choice")

    dialog = open_resume_form(page, story["flow_run_id"])
    dialog.get_by_text("方案2：A new screen and a 300 yuan voucher").first.wait_for()
    answer = field(dialog, "客户对方案的答复")
    offered = [o.strip() for o in answer.get_by_role("tab").all_inner_texts()]
    assert offered == ["请选择", "方案1", "方案2", "拒绝全部方案"], offered  # as listed above
    dialog.get_by_text("方案1：Full refund of the screen.").first.wait_for()
    pick(dialog, "客户对方案的答复", "方案2")
    field(dialog, "您的姓名").locator("textarea").first.fill("Zhao Lei (service centre)")
    shot(page, "choice-form.png")
    _submit_stage_form(dialog, story["flow_run_id"])
    story = wait_for(number, "execution")
    chosen = [a["chosen"] for k, a in story["answers"].items() if k.startswith("choice")]
    assert chosen == ["option_2"], story["answers"].keys()  # the key, not the words
    close = next(c for c in story["clocks"] if c["name"] == "close")
    assert close["paused_seconds"] > 0  # the customer's choosing moved the deadline

    dialog = open_resume_form(page, story["flow_run_id"])
    zone = ZoneInfo(policy().calendar.timezone)
    due = when("zh", datetime.fromisoformat(close["due"]), zone)
    dialog.get_by_text(f"结案（第 1 轮）：{due}").first.wait_for()
    dialog.get_by_text("A new screen and a 300 yuan voucher").first.wait_for()
    with ThreadPoolExecutor(1) as pool:
        pool.submit(respond, number, "execution", answers.EXECUTION).result()
        story = wait_for(number, "callback")
    dialog = open_resume_form(page, story["flow_run_id"])
    satisfied = field(dialog, "客户是否满意")
    satisfied.get_by_role("tab", name="满意", exact=True).first.wait_for()
    assert [t.strip() for t in satisfied.get_by_role("tab").all_inner_texts()] == [
        "请选择", "满意", "不满意", "未联系上"]  # nothing chosen until a person does
    shot(page, "callback-form.png")

    with get_client(sync_client=True) as client:
        cards = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[f"case-{number.lower()}"]),
            flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(story["flow_run_id"])])))
    assert len(cards) == 1  # updated in place at every stage
    page.goto(f"{v2()}/runs/flow-run/{story['flow_run_id']}?tab=Artifacts")
    page.get_by_role("tab", name="Artifacts").first.click()
    page.get_by_text(f"case-{number.lower()}").first.wait_for()
    assert page.get_by_text(f"case-{number.lower()}").count() == 1
    shot(page, "run-artifacts.png")

    # A case whose run was cancelled is flagged on the board with the reason.
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(UUID(story["flow_run_id"]), Cancelled(), force=True)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(run_deployment, "watchdog/watchdog", parameters={"run_for_seconds": 1},
                    timeout=120).result()
    page.goto(f"{v2()}/artifacts/artifact/{latest_artifact_id('sla-board')}")
    row = page.locator("table tr", has_text=number).first
    row.wait_for()  # the markdown, rendered: not the loading placeholder
    assert "🔴 停滞：流程运行已取消" in row.inner_text()
    shot(page, "sla-board.png")


def test_the_weekly_report_and_its_bulletin_read_in_the_ui(page: Any) -> None:
    """Issue #13: the report's artifact in Chinese, its chart, and the signature form
    with the bulletin above it (screenshots for the README)."""
    from models.store import transaction
    from models.store.db import BulletinRow
    from tasks import reports
    from tasks.runtime import settings
    from tests.flows.test_reports import seed_closed_case, start_weekly, waiting_for_signature

    # The week after test_reports' week, with volume so the rates fall in the brackets.
    closed = datetime(2026, 8, 12, 3, 0, tzinfo=UTC)
    with ThreadPoolExecutor(1) as pool:  # no Prefect call on Playwright's loop
        for department, volume in (("service", 1550), ("technical", 1240), ("sales", 3100),
                                   ("finance", 1900), ("marketing", 620), ("parts", 1500),
                                   ("customer_service", 3100)):
            reports.record_volume(month="2026-08", department=department, volume=volume,
                                  by="test")
        for person, department, category, count in (
                ("高军", "service", "service_attitude", 3), ("刘洋", "technical",
                                                            "repair_quality", 3),
                ("王芳", "sales", "delivery_delay", 2), ("陈刚", "marketing",
                                                        "false_advertising", 1)):
            for _ in range(count):
                seed_closed_case(person, closed=closed, department=department,
                                 category=category)
        run_id = pool.submit(start_weekly, "2026-08-10", "2026-08-16").result()
        pool.submit(waiting_for_signature, run_id).result()
    page.goto(f"{v2()}/artifacts/artifact/{latest_artifact_id('weekly-report')}")
    page.get_by_text("投诉处理周报").first.wait_for()
    page.get_by_text("考核通报").first.wait_for()
    shot(page, "weekly-report.png")

    dialog = open_resume_form(page, run_id)
    dialog.get_by_text("高军").first.wait_for()
    shot(page, "bulletin-signature.png")
    with transaction(settings().store_url) as session:
        number = session.scalars(select(BulletinRow.number).where(
            BulletinRow.flow_run_id == run_id)).one()
    [chart] = (reports.reports_dir()).glob(f"weekly-*-{number}/charts/departments.png")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chart, SHOTS / "report-chart-departments.png")
