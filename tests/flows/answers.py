"""Sample stage answers, written for these tests."""

INVESTIGATION = {
    "answered_by": "Li Ming (technical)",
    "facts": "The replacement screen fitted on 2 Nov had a dead pixel row; confirmed on site.",
    "customer_expectation": "A working screen this week.",
    "reported_before": False,
    "evidence": "Workshop photo 2026-11-02-14; job card 7731.",
    "root_cause": "goods",
    "first_reply": "Fault confirmed; a new screen is reserved for the customer.",
}
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
EXECUTION = {
    "answered_by": "Li Ming (technical)",
    "responsible_person": "Li Ming",
    "actions_taken": "New screen fitted and tested with the customer present.",
    "progress_note": "Your new screen has been fitted and tested.",
    "completed": True,
}
CALLBACK_OK = {"answered_by": "Zhao Lei (service centre)", "satisfied": True,
               "customer_feedback": "Happy with the fix."}
CALLBACK_NOT_OK = {"answered_by": "Zhao Lei (service centre)", "satisfied": False,
                   "customer_feedback": "The loan unit never arrived."}
REVIEW = {
    "answered_by": "Chen Jing (quality)",
    "root_cause_dimension": "goods",
    "method": "five_whys",
    "root_cause": "The supplier batch 24-11 was not sample-tested on arrival.",
    "corrective_action": "Parts desk tests 1 in 10 screens of each batch on arrival from 1 Dec;"
                         " Wu Hao checks the log weekly.",
    "preventive_action": "Supplier contract gets an incoming-quality clause by 15 Dec (Chen Jing).",
    "approve_closure": True,
}
VAGUE_REVIEW = {**REVIEW, "corrective_action": "加强培训。"}
