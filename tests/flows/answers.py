"""Sample stage answers, written for these tests."""

from datetime import date, timedelta

DUE = (date.today() + timedelta(days=30)).isoformat()  # a due date after today

HANDOVER_SIGN = {"answered_by": "Liu Yang (technical receiver)", "decision": "sign"}
HANDOVER_TRANSFER = {
    "answered_by": "Liu Yang (technical receiver)", "decision": "transfer",
    "transfer_to": "service",
    "reason": "The complaint is about the advisor's conduct, not the part.",
}
HANDOVER_SIGN_SERVICE = {"answered_by": "Qian Hui (service receiver)", "decision": "sign"}

INVESTIGATION = {
    "answered_by": "Li Ming (technical)",
    "facts": "The replacement screen fitted on 2 Nov had a dead pixel row; confirmed on site.",
    "customer_expectation": "A working screen this week.",
    "reported_before": False,
    "evidence": "Workshop photo 2026-11-02-14; job card 7731.",
    "root_cause": "goods",
    "first_reply": "Fault confirmed; a new screen is reserved for the customer.",
    "validity": "valid",
    "established_loss_yuan": 800,
    "responsible_persons": [{"name": "Li Ming", "department": "technical"}],
}
INVALID = {**INVESTIGATION, "validity": "invalid", "established_loss_yuan": 0,
           "responsible_persons": [], "follow_up": "watch"}  # tier D: level irrational
IRRATIONAL = {**INVESTIGATION, "established_loss_yuan": 0, "unreasonable_type": "interest_driven",
              "follow_up": "watch"}
SOLUTION_ONE = {
    "answered_by": "Li Ming (technical)",
    "solution_type": "process",
    "option_1": "Replace the screen free of charge on Thursday, with a loan unit until then.",
}
SOLUTION_TWO = {
    "answered_by": "Wang Fang (technical manager)",
    "solution_type": "compensation",
    "option_1": "Full refund of the screen.",
    "option_2": "A new screen and a 300 yuan voucher.",
    "compensation_yuan": 300,
}
CHOICE = {"answered_by": "Zhao Lei (service centre)", "chosen": "option_2"}
CHOICE_ONE = {"answered_by": "Zhao Lei (service centre)", "chosen": "option_1"}
REJECT = {"answered_by": "Zhao Lei (service centre)", "chosen": "reject_all",
          "rejection_reason": "The customer wants a new unit, not a repair."}
SOLUTION_MANAGER = {**SOLUTION_ONE, "answered_by": "Wang Fang (technical manager)",
                    "decided_by": "department_manager",
                    "option_1": "A new unit delivered on Monday, the old one collected."}
SOLUTION_GM = {**SOLUTION_ONE, "answered_by": "Zheng Hua (general manager)",
               "decided_by": "general_manager",
               "option_1": "A new unit and one year of free servicing: our final offer."}
EXECUTION = {
    "answered_by": "Li Ming (technical)",
    "responsible_person": "Li Ming",
    "actions_taken": "New screen fitted and tested with the customer present.",
    "progress_note": "Your new screen has been fitted and tested.",
    "result": "done",
}
CALLBACK_OK = {"answered_by": "Zhao Lei (service centre)", "reached": "yes", "satisfied": "yes",
               "score": 5, "customer_feedback": "Happy with the fix."}
CALLBACK_NOT_OK = {"answered_by": "Zhao Lei (service centre)", "reached": "yes",
                   "satisfied": "no", "score": 2,
                   "customer_feedback": "The loan unit never arrived."}
CALLBACK_NOT_REACHED = {"answered_by": "Zhao Lei (service centre)", "reached": "no",
                        "satisfied": "not_reached"}
INTERMEDIATE = {**EXECUTION, "result": "intermediate",
                "progress_note": "The part is ordered; fitting is booked for Thursday."}
DEFER = {**EXECUTION, "result": "defer",
         "progress_note": "We are waiting for the insurer's assessment.",
         "deferral_reason": "The insurer's assessment is needed and takes three weeks."}
DEFERRAL_OK = {"answered_by": "Zhao Lei (service centre)", "approve": "yes",
               "follow_up": "monitor", "note": "Insurer confirmed the three-week timeline."}
REVIEW = {
    "answered_by": "Chen Jing (quality)",
    "root_cause_dimension": "goods",
    "method": "five_whys",
    "root_cause": "The supplier batch 24-11 was not sample-tested on arrival.",
    "corrective_actions": [{
        "what": "Parts desk tests 1 in 10 screens of each batch on arrival.",
        "owner": "Wu Hao", "due": DUE,
        "check": "Wu Hao reads the test log weekly; no failed screen fitted in a month."}],
    "preventive_actions": [{
        "what": "The supplier contract gets an incoming-quality clause.",
        "owner": "Chen Jing", "due": DUE,
        "check": "Signed contract on file; batch failure rate reported monthly."}],
    "customer_summary": "We replaced your screen free of charge and tested it with you.",
    "approved_by": "Sun Li (service director)",
    "approve_closure": "yes",
}
VAGUE_REVIEW = {**REVIEW, "corrective_actions": [
    {**REVIEW["corrective_actions"][0], "what": "加强员工培训。"}]}
