from __future__ import annotations

from django.urls import path

from . import bulletin_views, dashboard_views
from .views import api as views
from .views import exports as export_views

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard_home, name="dashboard"),
    path("dashboard/quota/<slug:code>/", dashboard_views.dashboard_quota, name="dashboard-quota"),
    path("dashboard/county/<str:code>/", dashboard_views.dashboard_county, name="dashboard-county"),
    path(
        "dashboard/department/<slug:code>/",
        dashboard_views.dashboard_department,
        name="dashboard-department",
    ),
    path("api/progress/<int:year>/", views.progress_api, name="progress-api"),
    path("review/reports/", views.report_status, name="report-status"),
    path("bulletins/", bulletin_views.bulletin_list, name="bulletins"),
    path("bulletins/<int:year>/<int:month>/", bulletin_views.bulletin_page, name="bulletin"),
    path(
        "bulletins/<int:year>/<int:month>.docx",
        bulletin_views.bulletin_docx,
        name="bulletin-docx",
    ),
    path(
        "bulletins/<int:year>/<int:month>/publish/",
        bulletin_views.bulletin_publish,
        name="bulletin-publish",
    ),
    path("exports/", export_views.exports_page, name="exports"),
    path(
        "exports/<int:year>/summary.xlsx",
        export_views.summary_download,
        name="export-summary",
    ),
    path("exports/<int:year>/jobs/", export_views.export_job_create, name="export-job-create"),
    path("exports/jobs/<int:job_id>/", export_views.export_job_page, name="export-job"),
    path(
        "exports/jobs/<int:job_id>/status.json",
        export_views.export_job_status,
        name="export-job-status",
    ),
    path(
        "exports/jobs/<int:job_id>/download/",
        export_views.export_job_download,
        name="export-job-download",
    ),
]
