from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from .auth import AdminLoginForm, LoginForm
from .password_reset import LimitedPasswordResetView
from .views import home, no_role

# Both login forms refuse over-long user names before authenticating (skills_plan/auth.py).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    # Before Django's own: limited per client and per e-mail address (password_reset.py).
    path("accounts/password_reset/", LimitedPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", home, name="home"),
    path("no-role/", no_role, name="no-role"),
    path("", include("targets.urls")),
    path("", include("targets.project_urls")),
    path("", include("reporting.urls")),
]

# Error pages with the site's header, navigation and language switcher.
handler403 = "skills_plan.views.permission_denied"
handler404 = "skills_plan.views.page_not_found"
