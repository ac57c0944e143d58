from __future__ import annotations

from django.urls import path

from .views import api, bulletins, dashboard, exports, province, status, summaries, workitems

urlpatterns = [
    path("dashboard/", dashboard.dashboard_home, name="dashboard"),
    path("dashboard/quota/<slug:code>/", dashboard.dashboard_quota, name="dashboard-quota"),
    path("dashboard/county/<str:code>/", dashboard.dashboard_county, name="dashboard-county"),
    path(
        "dashboard/province/<str:code>/",
        province.dashboard_province,
        name="dashboard-province",
    ),
    path(
        "dashboard/department/<slug:code>/",
        dashboard.dashboard_department,
        name="dashboard-department",
    ),
    path(
        "dashboard/workitem/<slug:code>/",
        dashboard.dashboard_workitem,
        name="dashboard-workitem",
    ),
    path("api/progress/<int:year>/", api.progress_api, name="progress-api"),
    path("api/workitems/<int:year>/", workitems.workitems_api, name="workitems-api"),
    path("api/rosters/<int:year>/summary", api.rosters_api, name="rosters-api"),
    path("review/reports/", status.report_status, name="report-status"),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/<int:year>/<int:month>/", bulletins.bulletin_page, name="bulletin"),
    path("bulletins/<int:year>/<int:month>.docx", bulletins.bulletin_docx, name="bulletin-docx"),
    path(
        "bulletins/<int:year>/<int:month>/publish/",
        bulletins.bulletin_publish,
        name="bulletin-publish",
    ),
    path("summaries/", summaries.summary_list, name="summaries"),
    path("summaries/<int:year>/<int:month>/", summaries.summary_page, name="summary"),
    path("summaries/<int:year>/<int:month>.docx", summaries.summary_docx, name="summary-docx"),
    path("exports/", exports.exports_page, name="exports"),
    path("exports/<int:year>/summary.xlsx", exports.summary_download, name="export-summary"),
    path("exports/<int:year>/jobs/", exports.export_job_create, name="export-job-create"),
    path("exports/jobs/<int:job_id>/", exports.export_job_page, name="export-job"),
    path(
        "exports/jobs/<int:job_id>/status.json",
        exports.export_job_status,
        name="export-job-status",
    ),
    path(
        "exports/jobs/<int:job_id>/download/",
        exports.export_job_download,
        name="export-job-download",
    ),
]
