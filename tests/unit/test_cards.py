"""The case card and SLA board rows as the Prefect UI shows them: in the staff's language,
every time in the centre's zone, said once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.board import board_markdown, board_row
from models.cards import case_card, escape, time_left

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TZ = "Asia/Shanghai"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
RAW_KEYS = ("repair_quality", "first_reply", "department_manager", "general_manager",
            "close-1", "solution-1", "interest_driven", "done_effective", "not_done",
            "first_time", "not_satisfied", "product_defect", "technical", "corrective",
            "valid", "monitor", "strong", "media", "received", "letter_read", "warn-50",
            "claimed_loss", "Cancelled", "overdue", " left")


@pytest.mark.parametrize(("delta", "zh", "en"), [
    (timedelta(minutes=90), "剩余1小时30分", "1 h 30 min left"),
    (timedelta(days=2, hours=3), "剩余2天3小时", "2 d 3 h left"),
    (timedelta(minutes=-20), "已超时20分钟", "overdue by 20 min"),
    (timedelta(hours=-1), "已超时1小时0分", "overdue by 1 h 0 min"),
])
def test_time_left_reads_as_a_person_would_say_it(delta: timedelta, zh: str, en: str) -> None:
    assert time_left(NOW + delta, NOW) == zh
    assert time_left(NOW + delta, NOW, "en") == en


def story(**changes: Any) -> dict[str, Any]:
    return {"case": "C-20261124-0009", "tier": "A", "status": "open", "stage": "solution",
            "waiting_for": "solution-1", "close_kind": "", "level": "strong",
            "department": "technical", "channel": "media", "round": 1,
            "customer": {"name": "Z*** W***"}, "subject": "Fire **risk** <script>",
            "clocks": [{"name": "close", "round": 1, "due": "2026-11-24T10:00:00+00:00",
                        "outcome": "running", "met_at": None, "paused": False}],
            "escalations": [{"at": "2026-11-24T01:00:00+00:00", "rung": "general_manager",
                             "clock": "close-1", "reason": "breach", "acknowledged_by": ""}],
            "reasons": [{"key": "impact_large", "tier": "A"}],
            "events": [{"at": "2026-11-23T15:59:00+00:00", "kind": "received", "step": "",
                        "actor": "cli"}], **changes}


def card(language: str = "zh", **changes: Any) -> str:
    return case_card(story(**changes), now=NOW, tz=TZ, language=language)


def test_the_case_card_says_who_acts_next_and_the_deadlines_in_local_time() -> None:
    shown = card()
    assert shown.startswith("# C-20261124-0009 · A类 重大投诉 · 处理中")
    assert "**阶段** 方案 · 等待表单「方案（第1轮）」" in shown
    assert "**下一步** 责任部门（提出解决方案）" in shown
    assert "**级别** 强烈 · **责任部门** 技术部 · **渠道** 媒体 · **处理轮次** 1" in shown
    assert "| 结案 | 1 | 2026年11月24日 18:00 | 剩余8小时0分 |" in shown
    assert "- 2026年11月24日 09:00 结案（第1轮） → 总经理：时限已超，继续跟踪" in shown
    assert "- 2026年11月23日 23:59 **受理投诉** · 命令行" in shown
    assert "## 定级依据\n\n- 造成重大负面社会影响：定为 A级（重大投诉）\n" in shown


def test_the_english_card_reads_as_before() -> None:
    shown = card("en")
    assert shown.startswith("# C-20261124-0009 · tier A (Major) · open")
    assert "**Next to act** the department (solution proposal)" in shown
    assert "| Close | 1 | 24 Nov 2026 18:00 | 8 h 0 min left |" in shown
    assert "- large negative public impact: tier A \\(Major\\)\n" in shown  # markdown-escaped


def test_a_case_judged_before_reasons_were_data_shows_its_sentences_as_they_were() -> None:
    shown = card(reasons=["claimed loss 800.00 yuan: tier B"])
    assert "## 定级依据\n\n- claimed loss 800\\.00 yuan: tier B\n" in shown


SAMPLE = {
    "clocks": [{"name": "acknowledge", "round": 1, "due": "2026-11-24T12:29:00+00:00",
                "outcome": "met", "met_at": "2026-11-24T04:00:00+00:00", "paused": False},
               {"name": "close", "round": 2, "due": "2026-11-30T23:30:00Z",
                "outcome": "running", "met_at": None, "paused": True}],
    "escalations": [{"at": "2026-11-24T03:59:00+00:00", "rung": "warn-50",
                     "clock": "close-2", "reason": "", "acknowledged_by": "Wu Fang"}],
    "events": [{"at": "2026-11-24T03:59:00+00:00", "kind": "received", "step": "",
                "actor": "cli"},
               {"at": "2026-11-24T16:05:00+00:00", "kind": "answered",
                "step": "handover-1", "actor": "Liu Yang"}],
}
# The same instants in Asia/Shanghai (UTC+8), worked out by hand.
SHANGHAI = ["20:29", "07:30", "11:59", "11:59", "00:05", "09:30"]


def test_every_time_on_the_card_is_in_the_policy_zone_and_the_zone_is_said_once() -> None:
    shown = card(**SAMPLE, signed_by="Liu Yang", signed_at="2026-11-24T01:30:00+00:00")
    body = shown.split("\n## ", 1)[1]  # below the head, where the times are
    assert sorted(re.findall(r"\b\d{2}:\d{2}\b", body)) == sorted(SHANGHAI)
    assert shown.count("Asia/Shanghai") == 1
    assert "更新于 2026年11月24日 10:00 · 时间均为 Asia/Shanghai" in shown  # as of when
    assert "UTC" not in shown and "+00:00" not in shown
    assert "2026年12月1日 07:30" in shown  # a due time after midnight moves to the next day


def test_the_zh_card_has_chinese_words_and_no_raw_keys() -> None:
    shown = card(**FOLLOWED_UP, reasons=[{"key": "relayed", "channel": "media", "tier": "B",
                                          "higher": "A"}])
    for raw in RAW_KEYS:
        assert raw not in shown, raw
    for words in ("## 时限", "## 升级", "## 责任与跟进", "## 客户投诉记录", "## 定级依据",
                  "## 处理记录", "有效", "监控", "不满意", "纠正措施", "已完成，有效",
                  "产品质量", "一次结案"):
        assert words in shown, words


def test_the_en_card_has_no_chinese_but_the_customers_own_words() -> None:
    data = {**FOLLOWED_UP, "subject": "冰箱噪音", "taken_by": "吴芳",
            "requested_remedy": "a refund", "customer_summary": "We replaced the mounts."}
    shown = card("en", **data, **SAMPLE)
    customer = {"冰箱噪音", "吴芳"}
    rest = shown
    for text in customer:
        rest = rest.replace(text, "")
    assert not CJK.search(rest), CJK.findall(rest)
    assert "Updated 24 Nov 2026 10:00 · Times: Asia/Shanghai" in shown


def test_customer_text_cannot_change_the_card() -> None:
    shown = card()
    assert "Fire \\*\\*risk\\*\\* \\<script\\>" in shown and "<script>" not in shown


def test_a_closed_case_card_says_how_it_closed() -> None:
    assert "**已结案**（一次结案）" in card(status="closed", stage="closed",
                                        close_kind="first_time")
    assert "**Closed** (first-time close)" in card("en", status="closed", stage="closed",
                                                   close_kind="first_time")


def board(language: str = "zh", **changes: Any) -> dict[str, str]:
    row = {"number": "C-1", "tier": "B", "stage": "review", "name": "first_reply",
           "round": 2, "due_at": NOW - timedelta(hours=1), "escalations": 2,
           "acknowledged": 0, **changes}
    return board_row(row, now=NOW, tz=TZ, card="http://ui/artifacts/key/case-c-1",
                     run="http://ui/runs/flow-run/x", stalled=changes.get("why", ""),
                     language=language)


def test_a_board_row_is_short_and_links_the_card_and_the_run() -> None:
    row = board()
    assert row["left"] == "已超时1小时0分" and row["due"] == "11月24日 09:00"
    assert row["deadline"] == "首次答复（第2轮）" and row["escalations"] == "2"
    assert row["stage"] == "评审"
    assert row["links"] == ("[投诉卡](http://ui/artifacts/key/case-c-1) · "
                            "[流程](http://ui/runs/flow-run/x)")
    assert row["stalled"] == ""
    english = board("en")
    assert (english["left"], english["due"]) == ("overdue by 1 h 0 min", "24 Nov 09:00")
    assert english["deadline"] == "First reply (round 2)"
    assert board("en", name="handover", round=1)["deadline"] == "Handover (round 1)"


@pytest.mark.parametrize(("stage", "zh", "en"), [
    ("handover", "部门接收人", "department's receiver"), ("solution", "责任部门", "department"),
    ("choice", "客服中心", "service centre"), ("execution", "责任人", "responsible person"),
    ("review", "责任部门与客服中心", "department and service centre"), ("closed", "", ""),
])
def test_a_board_row_says_who_acts_next_in_short(stage: str, zh: str, en: str) -> None:
    assert board(stage=stage)["next"] == zh and board("en", stage=stage)["next"] == en


@pytest.mark.parametrize(("why", "zh", "en"), [
    ("flow run Cancelled", "🔴 **停滞：流程运行已取消**", "🔴 **stalled: flow run Cancelled**"),
    ("never started", "🔴 **停滞：流程从未启动**", "🔴 **stalled: never started**"),
    ("flow run Running since 2026-11-23T17:00:00+00:00",
     "🔴 **停滞：流程运行自11月24日 01:00起处于运行中**",
     "🔴 **stalled: flow run Running since 24 Nov 01:00**"),
])
def test_a_stalled_case_is_flagged_with_its_reason_in_words(why: str, zh: str, en: str) -> None:
    assert board(why=why)["stalled"] == zh
    assert board("en", why=why)["stalled"] == en


def test_acknowledged_escalations_no_longer_count_as_open() -> None:
    assert board(escalations=1, acknowledged=1)["escalations"] == "1（1已确认）"
    assert board("en", escalations=0, acknowledged=2)["escalations"] == "0 (2 ack)"


def test_a_case_whose_clocks_all_wait_shows_no_deadline_and_a_case_without_run_says_so() -> None:
    row = board_row({"number": "C-2", "tier": "", "stage": "choice", "name": None,
                     "round": None, "due_at": None, "escalations": 0, "acknowledged": 0},
                    now=NOW, tz=TZ, card="/artifacts/key/case-c-2",
                    run="no run yet", stalled="never started")
    assert (row["deadline"], row["due"], row["left"], row["tier"]) == ("-", "-", "-", "?")
    assert row["links"] == "[投诉卡](/artifacts/key/case-c-2) · 尚无流程"


def test_the_board_says_its_zone_once_in_words_and_has_no_raw_keys() -> None:
    rows = [board(why="flow run Cancelled"), board(stage="handover", name="close", round=1)]
    text = board_markdown(rows, tz=TZ, warnings=["技术部：投诉激增"])
    assert text.startswith("# 时限看板") and "## 近7天的投诉预警" in text
    assert text.count("Asia/Shanghai") == 1 and "时间均为 Asia/Shanghai" in text
    assert ("| 投诉编号 | 等级 | 阶段 | 下一步 | 时限项 | 到期 | 剩余 | 升级 | 停滞 | 链接 |"
            in text)
    for raw in ("first_reply", "review", "handover", "Cancelled", "close-1", "overdue"):
        assert raw not in text.replace("case-c-1", ""), raw
    english = board_markdown([board("en")], tz=TZ, language="en")
    assert "Times: Asia/Shanghai" in english and "| case | tier | stage |" in english
    assert not CJK.search(english)


@pytest.mark.parametrize("text", [
    "https://attacker%2Eexample/login", "HTTP://attacker.example", "ftp://attacker.example",
    "www.attacker.example", "WWW.attacker.example", "boss@attacker.example",
    "![x](https://attacker.example/x.png)", "[here](https://attacker.example)",
    "<a href='https://attacker.example'>x</a>",
])
def test_customer_text_cannot_become_a_link_or_an_image(text: str) -> None:
    shown = escape(text)
    for mark in ("://", "www.", "www\\.", "@a", "]("):
        assert mark not in shown.lower(), (text, shown)
    assert shown.replace("\u200d", "").replace("\\", "") == text  # still reads the same


FOLLOWED_UP = {
    "taken_by": "Wu Fang", "references": "ORD-88 INV-2026-7",
    "requested_remedy": "退款并道歉，电话 13812345678",
    "customer_summary": "已为您更换压缩机支架，并退还检测费 200 元。",
    "signed_by": "Technical *duty* engineer",
    "signed_at": "2026-11-24T01:30:00+00:00", "validity": "valid",
    "established_loss": "1200.00", "unreasonable_type": "interest_driven",
    "irrational": "second", "follow_up": "monitor", "tracker": "Technical manager",
    "rejections": 2, "callback_result": "dissatisfied", "satisfaction_score": 2,
    "callback_not_reached": 1,
    "responsible": [{"person": "Qian Lei", "department": "technical"}],
    "actions": [
        {"kind": "corrective", "what": "Replace the compressor mounts [see](http://x.example)",
         "owner": "Qian Lei", "due": "2026-11-30T10:00:00+00:00",
         "check": "no noise complaint in 30 days", "status": "done_effective", "note": ""},
        {"kind": "preventive", "what": "Add a vibration test to the delivery checklist",
         "owner": "Sun Hao", "due": "2026-12-15T17:00:00+00:00",
         "check": "audit of 20 deliveries", "status": "not_done", "note": "supplier late"}],
    "repeat_of": "C-20261001-0003",
    "history": [{"number": "C-20261001-0003", "received_at": "2026-09-30T17:00:00+00:00",
                 "category": "product_defect", "status": "closed", "close_kind": "first_time",
                 "callback_result": "satisfied"},
                {"number": "C-20261110-0012", "received_at": "2026-11-10T02:00:00+00:00",
                 "category": "parts", "status": "open", "close_kind": "",
                 "callback_result": ""}],
}


def test_every_decided_fact_of_the_centre_has_a_line_on_the_card() -> None:
    shown = card(**FOLLOWED_UP)
    for line in [
        "## 责任与跟进", "- **首问责任人** Wu Fang",
        "- **订单/发票/产品编号** ORD\\-88 INV\\-2026\\-7",
        "- **客户要求** 退款并道歉，电话 138\\*\\*\\*\\*5678",
        "- **给客户的总结** 已为您更换压缩机支架，并退还检测费 200 元。",
        "- **签收人** Technical \\*duty\\* engineer · 于2026年11月24日 09:30",
        "- **投诉性质** 有效", "- **核定损失** ¥1,200.00",
        "- **不合理投诉类型** 利益驱动",
        "- **非理性投诉** 二次非理性 · 跟进方式：监控 · 跟踪人：Technical manager",
        "- **被拒方案数** 2",
        "- **回访** 不满意 · 评分 2/5 · 1次未联系上客户",
        "- **责任人** Qian Lei（技术部）",
        "| 措施 | 内容 | 负责人 | 到期时间 | 验证方式 | 状态 |",
        "| 纠正措施 | Replace the compressor mounts \\[see\\]\\(http:\u200d//x\\.example\\) "
        "| Qian Lei | 2026年11月30日 | no noise complaint in 30 days | 已完成，有效 |",
        "| 预防措施 | Add a vibration test to the delivery checklist | Sun Hao | 2026年12月16日 "
        "| audit of 20 deliveries | 未完成：supplier late |",
        "## 客户投诉记录", "- **疑似与 C\\-20261001\\-0003 重复（同类投诉，未结案或近期结案）**",
        "- C\\-20261001\\-0003 · 受理于 2026年10月1日 · 产品质量 · 已结案、一次结案、回访满意",
        "- C\\-20261110\\-0012 · 受理于 2026年11月10日 · 零部件 · 处理中",
    ]:
        assert line in shown, line


def test_the_history_says_why_a_case_was_transferred_rejected_or_deferred() -> None:
    def event(kind: str, **data: Any) -> dict[str, Any]:
        return {"at": "2026-11-24T02:00:00+00:00", "kind": kind, "step": "", "actor": "Li",
                "data": data}

    shown = card(events=[
        event("transferred", before="technical", after="finance", reason="费用问题"),
        event("solution_rejected", reason="补偿太少", rejections=1),
        event("deferral_requested", reason="等待厂家配件", responsible_person="Li"),
        event("deferral_decided", approved=True, note="每周回报进度")])
    assert "**转办** · Li：技术部 → 财务部、费用问题" in shown
    assert "**客户拒绝全部方案** · Li：补偿太少" in shown
    assert "**申请暂缓关闭** · Li：等待厂家配件" in shown
    assert "**暂缓关闭决定** · Li：批准、每周回报进度" in shown
    english = card("en", events=[
        event("transferred", before="technical", after="finance", reason="cost")])
    assert "**transferred** by Li: Technical department → Finance department, cost" in english


def test_a_card_without_those_facts_has_none_of_their_sections() -> None:
    empty = {key: [] if isinstance(value, list) else None if key in (
        "signed_at", "established_loss", "satisfaction_score") else 0 if isinstance(
        value, int) else "" for key, value in FOLLOWED_UP.items()}
    for shown in (card(**empty), card()):
        assert "## 责任与跟进" not in shown
        assert "## 客户投诉记录" not in shown and "疑似" not in shown


def test_an_established_loss_of_nothing_is_still_shown() -> None:
    assert "- **核定损失** ¥0.00" in card(established_loss="0.00")
    assert "- **Established loss** CN¥0.00" in card("en", established_loss="0.00")


def test_what_was_read_from_a_letter_is_listed_under_field_names_in_words() -> None:
    read = {"at": "2026-11-24T01:00:00+00:00", "kind": "letter_read", "step": "",
            "actor": "mail", "data": {"reasons": {"claimed_loss": "赔偿 450 元"},
                                       "references": {"invoices": ["INV-1", "INV-2"]}}}
    shown = card(events=[read])
    assert "## 来信识别结果（请核对并更正）" in shown and "- **索赔金额**: 赔偿 450 元" in shown
    assert "- 发票号: INV\\-1、INV\\-2" in shown and "**识别来信**" in shown


def test_what_the_letter_reader_found_reads_in_the_staff_language_on_the_card() -> None:
    reasons = {"threatening": {"key": "letter.threat_no", "words": "'媒体' 1", "score": "1",
                               "least": "2"},
               "customer": "sender of the letter (address)"}  # stored before reasons were data
    read = {"at": "2026-11-24T01:00:00+00:00", "kind": "letter_read", "step": "",
            "actor": "mail", "data": {"reasons": reasons}}
    assert "**: 威胁用语：'媒体' 1 = 1，低于 2：不算威胁\n" in card(events=[read])
    shown = card("en", events=[read])
    assert "**: threat words: '媒体' 1 = 1, under 2: not a threat\n" in shown
    assert "**: sender of the letter \\(address\\)\n" in shown


def test_the_board_is_a_markdown_table_whose_cells_cannot_break_it() -> None:
    rows = [{"case": "C-1", "stalled": "⚠ 停滞：a | b", "links": "[投诉卡](/v2/x)"}]
    text = board_markdown(rows, tz=TZ)
    assert "| 投诉编号 | 停滞 | 链接 |" in text
    assert "| C-1 | ⚠ 停滞：a \\| b | [投诉卡](/v2/x) |" in text
    assert "没有正在计时的未结案投诉" in board_markdown([], tz=TZ)
