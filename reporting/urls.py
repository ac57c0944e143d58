from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("api/progress/<int:year>/", views.progress_api, name="progress-api"),
    path("review/reports/", views.report_status, name="report-status"),
]
