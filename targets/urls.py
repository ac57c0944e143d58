from __future__ import annotations

from django.urls import path

from . import views
from .review_views import cell_history, review, review_month

urlpatterns = [
    path("", views.home, name="home"),
    path("entry/", views.entry, name="entry"),
    path("review/", review, name="review"),
    path("review/<int:department_id>/<int:month>/", review_month, name="review-month"),
    path("review/cell/<int:submission_id>/history/", cell_history, name="cell-history"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("exports/", views.exports, name="exports"),
    path("no-role/", views.no_role, name="no-role"),
]
