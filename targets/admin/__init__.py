"""The Django admin: administrators set plans, departments, counties and accounts up here.

One module a room: ``plans`` (plans, their tools and milestones), ``indicators`` (targets and
county splits), ``people`` (departments, counties, memberships), ``figures`` (monthly figures
and their trails, read-only), ``work`` (work steps and reports, evidence, registers, projects,
read-only), ``rosters`` (reveals of personal data and roster removals, read-only);
``mixins`` holds what they share. Every write goes through
``targets.services``, so the admin keeps the same rules as every other way in.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import figures, indicators, people, plans, rosters, work

__all__ = ["figures", "indicators", "people", "plans", "rosters", "work"]

admin.site.site_header = _("鹤壁市全民技能振兴工程目标管理系统")
admin.site.site_title = _("鹤壁市全民技能振兴工程")
admin.site.index_title = _("系统管理")
