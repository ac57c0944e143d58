from __future__ import annotations

from django.urls import path

from . import bulletin_views, views

urlpatterns = [
    path("api/progress/<int:year>/", views.progress_api, name="progress-api"),
    path("review/reports/", views.report_status, name="report-status"),
    path("bulletins/", bulletin_views.bulletin_list, name="bulletins"),
    path("bulletins/<int:year>/<int:month>/", bulletin_views.bulletin_page, name="bulletin"),
    path(
        "bulletins/<int:year>/<int:month>/publish/",
        bulletin_views.bulletin_publish,
        name="bulletin-publish",
    ),
]
