from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("targets.urls")),
    path("", include("reporting.urls")),
]

# Error pages with the site's header, navigation and language switcher.
handler403 = "targets.views.permission_denied"
handler404 = "targets.views.page_not_found"
