from __future__ import annotations

from django.urls import path

from . import entry_views, excel_views, notice_views
from .review_views import cell_history, review, review_month

urlpatterns = [
    path("entry/", entry_views.entry_index, name="entry"),
    path("entry/<int:year>/<int:month>/", entry_views.entry_month, name="entry-month"),
    path(
        "entry/<int:year>/<int:month>/withdraw/",
        entry_views.entry_withdraw,
        name="entry-withdraw",
    ),
    path(
        "entry/cell/<int:submission_id>/correct/",
        entry_views.entry_correct,
        name="entry-correct",
    ),
    path(
        "entry/<int:year>/<int:month>/template.xlsx",
        excel_views.entry_template,
        name="entry-template",
    ),
    path("entry/<int:year>/<int:month>/upload/", excel_views.entry_upload, name="entry-upload"),
    path("entry/notices/", notice_views.my_notices, name="my-notices"),
    path(
        "entry/notices/<int:notice_id>/answer/",
        notice_views.notice_answer,
        name="notice-answer",
    ),
    path("review/", review, name="review"),
    path("review/<int:department_id>/<int:month>/", review_month, name="review-month"),
    path("review/cell/<int:submission_id>/history/", cell_history, name="cell-history"),
    path("review/notices/", notice_views.notices, name="notices"),
    path(
        "review/notices/<int:notice_id>/close/",
        notice_views.notice_close,
        name="notice-close",
    ),
]
