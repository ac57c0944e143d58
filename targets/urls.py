from __future__ import annotations

from django.urls import path

from .views import entry, notices, part_targets, parts, registers, review, rosters, work

ENTRY_MONTH = "entry/<int:year>/<int:month>/"
WORK_REPORT = "work/report/<int:report_id>/"

urlpatterns = [
    path("entry/", entry.entry_index, name="entry"),
    path(ENTRY_MONTH, entry.entry_month, name="entry-month"),
    path(f"{ENTRY_MONTH}withdraw/", entry.entry_withdraw, name="entry-withdraw"),
    path(f"{ENTRY_MONTH}template.xlsx", entry.entry_template, name="entry-template"),
    path(f"{ENTRY_MONTH}upload/", entry.entry_upload, name="entry-upload"),
    path("entry/cell/<int:submission_id>/correct/", entry.entry_correct, name="entry-correct"),
    path("entry/cell/<int:submission_id>/parts/", parts.entry_parts, name="entry-parts"),
    path("entry/notices/", notices.my_notices, name="my-notices"),
    path("entry/notices/<int:notice_id>/answer/", notices.notice_answer, name="notice-answer"),
    path("review/", review.review, name="review"),
    path("review/<int:department_id>/<int:month>/", review.review_month, name="review-month"),
    path("review/cell/<int:submission_id>/history/", review.cell_history, name="cell-history"),
    path("review/parts/<str:code>/", part_targets.part_targets, name="part-targets"),
    path("review/notices/", notices.notices, name="notices"),
    path("review/notices/<int:notice_id>/close/", notices.notice_close, name="notice-close"),
    path("registers/", registers.register_index, name="registers"),
    path("registers/rectifications/", registers.rectification_list, name="rectifications"),
    path(
        "registers/rectifications/<int:pk>/<slug:action>/",
        registers.rectification_act,
        name="rectification-act",
    ),
    path("registers/<slug:kind>/", registers.register_list, name="register-list"),
    path("registers/<slug:kind>/new/", registers.register_new, name="register-new"),
    path("registers/<slug:kind>/export.xlsx", registers.register_export, name="register-export"),
    path("registers/<slug:kind>/<int:pk>/", registers.register_page, name="register"),
    # 培训班与花名册 (实名制)
    path("rosters/", rosters.roster_index, name="rosters"),
    path("rosters/new/", rosters.class_new, name="roster-class-new"),
    path("rosters/findings/", rosters.roster_findings_page, name="roster-findings"),
    path("rosters/<int:pk>/", rosters.roster_class, name="roster-class"),
    path("rosters/<int:pk>/grid/", rosters.roster_grid, name="roster-grid"),
    path(
        "rosters/<int:pk>/template.xlsx", rosters.roster_template_download, name="roster-template"
    ),
    path("rosters/<int:pk>/upload/", rosters.roster_upload, name="roster-upload"),
    path("rosters/<int:pk>/roster.xlsx", rosters.roster_export_download, name="roster-export"),
    path(
        "rosters/<int:pk>/reveal/<int:trainee_id>/",
        rosters.trainee_reveal,
        name="roster-reveal",
    ),
    # 工作台账
    path("work/", work.work_index, name="work"),
    path("work/item/<int:milestone_id>/steps/", work.work_steps, name="work-steps"),
    path("work/<int:year>/<int:month>/", work.work_month, name="work-month"),
    path(
        f"{WORK_REPORT}evidence/<int:file_id>/remove/",
        work.work_evidence_remove,
        name="work-evidence-remove",
    ),
    path(f"{WORK_REPORT}correct/", work.work_correct, name="work-correct"),
    path(f"{WORK_REPORT}history/", work.work_history, name="work-history"),
    path("review/work/", work.work_review, name="work-review"),
    path("evidence/<int:file_id>/", work.evidence_download, name="evidence-download"),
]
