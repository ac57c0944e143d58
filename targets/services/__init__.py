"""Writes: every change to a figure, a split or a membership goes through these functions.

Each validates, checks the access policy, saves inside a transaction and writes its audit
record in the same transaction. Views, forms, admin actions, commands, tasks and Excel imports
all call these; none writes the models directly.
"""

from .accounts import (
    ROLE_GROUP_NAMES,
    membership_assign,
    role_groups_sync,
    user_ensure,
)
from .base import (
    MAX_VALUE,
    Conflict,
    PlanNotOpen,
    check_month,
    check_plan_active,
    check_value,
    plan_refusal,
    require_open_plan,
)
from .definitions import (
    definition_delete,
    definition_save,
    milestone_update,
)
from .entry import (
    CellInput,
    EntryRefused,
    month_save,
)
from .evidence import (
    evidence_attach,
    evidence_detach,
    evidence_store,
    plan_evidence_bytes,
)
from .notices import (
    NOTICE_TEXT_MAX,
    notice_answer,
    notice_close,
    notice_raise,
)
from .plan_definition import (
    load_plan_definition,
    load_plan_file,
    plan_clone,
)
from .plans import (
    TARGET_REASON_MAX,
    goal_share_problem,
    indicator_target_set,
    plan_activate,
    plan_close,
    plan_problems,
    region_target_mark_demo,
    region_target_set,
    region_targets_total,
)
from .rates import (
    RateExcess,
    rate_excesses,
)
from .registers import (
    kind_of,
    rectification_add,
    rectification_close,
    rectification_progress,
    register_approve,
    register_reopen,
    register_return,
    register_save,
    register_submit,
)
from .submissions import (
    REVIEW_COMMENT_MAX,
    check_review_comment,
    month_withdraw,
    review_comment_problem,
    state_token,
    submission_approve,
    submission_correct,
    submission_return,
    submission_save,
    submission_submit,
    submission_withdraw,
    submissions_review,
)
from .work import (
    REPORT_TEXT_MAX,
    step_report_approve,
    step_report_correct,
    step_report_delete,
    step_report_return,
    step_report_save,
    step_report_submit,
    work_step_set,
    work_units_set,
)

__all__ = [
    "MAX_VALUE",
    "NOTICE_TEXT_MAX",
    "REPORT_TEXT_MAX",
    "REVIEW_COMMENT_MAX",
    "ROLE_GROUP_NAMES",
    "TARGET_REASON_MAX",
    "CellInput",
    "Conflict",
    "EntryRefused",
    "PlanNotOpen",
    "RateExcess",
    "check_month",
    "check_plan_active",
    "check_review_comment",
    "check_value",
    "definition_delete",
    "definition_save",
    "evidence_attach",
    "evidence_detach",
    "evidence_store",
    "goal_share_problem",
    "indicator_target_set",
    "kind_of",
    "load_plan_definition",
    "load_plan_file",
    "membership_assign",
    "milestone_update",
    "month_save",
    "month_withdraw",
    "notice_answer",
    "notice_close",
    "notice_raise",
    "plan_activate",
    "plan_clone",
    "plan_close",
    "plan_evidence_bytes",
    "plan_problems",
    "plan_refusal",
    "rate_excesses",
    "rectification_add",
    "rectification_close",
    "rectification_progress",
    "region_target_mark_demo",
    "region_target_set",
    "region_targets_total",
    "register_approve",
    "register_reopen",
    "register_return",
    "register_save",
    "register_submit",
    "require_open_plan",
    "review_comment_problem",
    "role_groups_sync",
    "state_token",
    "step_report_approve",
    "step_report_correct",
    "step_report_delete",
    "step_report_return",
    "step_report_save",
    "step_report_submit",
    "submission_approve",
    "submission_correct",
    "submission_return",
    "submission_save",
    "submission_submit",
    "submission_withdraw",
    "submissions_review",
    "user_ensure",
    "work_step_set",
    "work_units_set",
]
