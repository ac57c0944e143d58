"""Training classes and their rosters (实名制): the list, a new class, a class's page with its
masked roster and its figure beside it, the roster grid, the Excel template and its upload, and
an auditor's reveal of one row.

A class the user may not read does not exist for them (404). No page shows an ID number or
phone in clear except the reveal's answer, which is never cached; no URL holds one (rows are
named by their database id). Pages that may hold what a clerk typed (the grid sent back with
its refused rows) are not cached either, and the views that take personal data keep it out of
error reports (``sensitive_post_parameters``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skills_plan.views import allowed_by

from .. import policy, policy_rosters
from ..models import FindingNote, PersonalDataReveal, Trainee, TrainingClass
from ..roster_findings import Rule, roster_findings
from ..roster_forms import (
    ClassForm,
    RevealForm,
    UploadForm,
    class_indicators,
    grid_size,
    typed_rows,
)
from ..roster_rows import TYPED_FIELDS
from ..roster_selectors import roster_check
from ..selectors import active_plan
from ..services.rosters import (
    RosterRefused,
    finding_explain,
    finding_review,
    personal_data_reveal,
    roster_replace,
    training_class_create,
)
from ..workbooks.registers import xlsx_response
from ..workbooks.rosters import read_roster_upload, roster_export, roster_template
from ..workbooks.upload import UploadRefused

PAGE_SIZE = 20
ROSTER_PAGE_SIZE = 50


def _classes(request: HttpRequest) -> Any:
    queryset = TrainingClass.objects.select_related("indicator", "region", "indicator__plan")
    return policy_rosters.readable_classes(request.user, queryset)


def _class(request: HttpRequest, pk: int) -> TrainingClass:
    return get_object_or_404(_classes(request), pk=pk)


def _editable(request: HttpRequest, pk: int) -> TrainingClass:
    training_class = _class(request, pk)
    if not policy_rosters.may_edit_roster(request.user, training_class):
        raise PermissionDenied
    return training_class


@login_required
@allowed_by(policy_rosters.may_read_rosters)
@require_GET
def roster_index(request: HttpRequest) -> HttpResponse:
    classes = _classes(request).annotate(people=Count("trainees"))
    plan = active_plan()
    if plan is not None:
        classes = classes.filter(indicator__plan=plan)
    month = request.GET.get("month", "")
    if month.isdigit() and 1 <= int(month) <= 12:
        classes = classes.filter(month=int(month))
    else:
        month = ""
    page = Paginator(classes.order_by("-month", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "targets/rosters.html",
        {
            "plan": plan,
            "page": page,
            "month": month,
            "months": range(1, 13),
            "query": f"month={month}&" if month else "",
            "may_create": policy.may_enter(request.user) and plan is not None,
        },
    )


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def class_new(request: HttpRequest) -> HttpResponse:
    plan = active_plan()
    if plan is None:
        raise Http404(_("没有进行中的年度方案。"))
    indicators = class_indicators(plan, policy.enterable_indicators(request.user, plan.pk))
    regions = policy.enterable_regions(request.user, plan)
    form = ClassForm(request.POST or None, indicators=indicators, regions=regions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items()}
            try:
                created = training_class_create(actor=request.user, **values)
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(request, _("培训班已登记；请填写或上传花名册。"))
                return redirect("roster-class", created.pk)
        status = 400
    return render(request, "targets/roster_class_new.html", {"form": form}, status=status)


def _class_page(request: HttpRequest, training_class: TrainingClass, **extra: Any) -> HttpResponse:
    trainees = training_class.trainees.order_by("row", "pk")
    page = Paginator(trainees, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "training_class": training_class,
        "page": page,
        "people": page.paginator.count,
        # The figure beside the rosters of this class's item, county and month.
        "check": roster_check(
            training_class.indicator, training_class.region, training_class.month
        ),
        "may_edit": policy_rosters.may_edit_roster(request.user, training_class),
        "may_reveal": policy_rosters.may_reveal_personal_data(request.user, training_class),
        "upload_form": extra.pop("upload_form", None) or UploadForm(),
        **extra,
    }
    status = 400 if extra.get("problems") else 200
    return render(request, "targets/roster_class.html", context, status=status)


@login_required
@allowed_by(policy_rosters.may_read_rosters)
@require_GET
def roster_class(request: HttpRequest, pk: int) -> HttpResponse:
    return _class_page(request, _class(request, pk))


@login_required
@allowed_by(policy_rosters.may_read_rosters)
@require_GET
def roster_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The class's roster as Excel, masked (whoever reads the class)."""
    training_class = _class(request, pk)
    name = _("花名册-%(pk)s.xlsx") % {"pk": training_class.pk}
    return xlsx_response(roster_export(training_class), name)


@login_required
@allowed_by(policy.may_enter)
@require_GET
def roster_template_download(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = _editable(request, pk)
    name = _("花名册模板-%(pk)s.xlsx") % {"pk": training_class.pk}
    return xlsx_response(roster_template(training_class), name)


@sensitive_post_parameters()
@never_cache
@login_required
@allowed_by(policy.may_enter)
@require_POST
def roster_upload(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = _editable(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _class_page(request, training_class, upload_form=form, problems=[])
    try:
        rows = read_roster_upload(form.cleaned_data["file"], training_class)
        saved = roster_replace(actor=request.user, training_class=training_class, rows=rows)
    except UploadRefused as refused:
        return _class_page(request, training_class, problems=refused.messages)
    except RosterRefused as refused:
        return _class_page(request, training_class, problems=refused.messages)
    except ValidationError as error:
        return _class_page(request, training_class, problems=error.messages)
    messages.success(request, _("花名册已导入，共%(count)d人。") % {"count": len(saved)})
    return redirect("roster-class", training_class.pk)


@sensitive_post_parameters()
@never_cache
@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def roster_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster as a grid: the rows on it (masked, each may be removed), then blank rows;
    saving replaces the roster with the kept rows and what was typed, all checked first."""
    training_class = _editable(request, pk)
    current = list(training_class.trainees.order_by("row", "pk"))
    count = grid_size(request.POST.get("rows") or request.GET.get("rows"))
    problems: list[str] = []
    removed = {int(v) for v in request.POST.getlist("remove") if v.isdigit()}
    if request.method == "POST":
        keep = [trainee.pk for trainee in current if trainee.pk not in removed]
        rows = typed_rows(request.POST, count, first_line=len(current) + 1)
        try:
            saved = roster_replace(
                actor=request.user, training_class=training_class, rows=rows, keep=keep
            )
        except RosterRefused as refused:
            problems = refused.messages
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("花名册已保存，共%(count)d人。") % {"count": len(saved)})
            return redirect("roster-class", training_class.pk)
    blank = [
        {
            "index": index,
            "line": len(current) + 1 + index,
            "values": {name: request.POST.get(f"r{index}-{name}", "") for name in TYPED_FIELDS},
        }
        for index in range(count)
    ]
    return render(
        request,
        "targets/roster_grid.html",
        {
            "training_class": training_class,
            "current": current,
            "removed": removed,
            "blank": blank,
            "rows": count,
            "more": min(count + 20, 200),
            "categories": Trainee.Category.labels,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


@sensitive_post_parameters()
@never_cache
@login_required
@allowed_by(policy_rosters.may_read_rosters)
@require_http_methods(["GET", "POST"])
def trainee_reveal(request: HttpRequest, pk: int, trainee_id: int) -> HttpResponse:
    """An auditor asks for one row's ID number (or phone) with a reason; the answer is shown
    once, in this response, and the reveal is recorded before it is."""
    training_class = _class(request, pk)
    if not policy_rosters.may_reveal_personal_data(request.user, training_class):
        raise PermissionDenied
    trainee = get_object_or_404(training_class.trainees, pk=trainee_id)
    shown = request.GET.get("shown") or request.POST.get("shown") or "id_number"
    if shown not in PersonalDataReveal.Field.values:
        raise Http404
    form = RevealForm(request.POST or None)
    revealed = None
    if request.method == "POST" and form.is_valid():
        try:
            revealed = personal_data_reveal(
                actor=request.user,
                trainee=trainee,
                shown=shown,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error("reason", error)
    return render(
        request,
        "targets/roster_reveal.html",
        {
            "training_class": training_class,
            "trainee": trainee,
            "shown": shown,
            "shown_label": PersonalDataReveal.Field(shown).label,
            "form": form,
            "revealed": revealed,
        },
        status=400 if request.method == "POST" and revealed is None else 200,
    )


FINDING_ACTIONS = ("explain", "accept", "return")


@login_required
@allowed_by(policy_rosters.may_read_rosters)
@require_http_methods(["GET", "POST"])
def roster_findings_page(request: HttpRequest) -> HttpResponse:
    """The findings (疑点) of the active plan's rosters this user reads, each with the classes
    behind it, its explanation and what this user may do: the responsible clerk explains, a
    reviewer accepts or returns. A finding is named in a form by its key, never by a number."""
    plan = active_plan()
    if plan is None:
        raise Http404(_("没有进行中的年度方案。"))
    findings = roster_findings(plan)
    ids = {pk for finding in findings for pk in finding.classes}
    classes = _classes(request).filter(pk__in=ids).in_bulk()
    shown = [f for f in findings if any(pk in classes for pk in f.classes)]
    rule = request.GET.get("rule", "")
    if rule in Rule.LABELS:
        shown = [f for f in shown if f.rule == rule]
    else:
        rule = ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        key, action = request.POST.get("key", ""), request.POST.get("action", "")
        finding = next((f for f in shown if f.key == key), None)
        if finding is None or action not in FINDING_ACTIONS:
            raise Http404
        try:
            _act_on_finding(request, plan, finding, action)
        except ValidationError as error:
            errors[key] = " ".join(error.messages)
        else:
            return redirect(request.get_full_path())
    notes = {
        n.key: n for n in FindingNote.objects.filter(plan=plan, key__in=[f.key for f in shown])
    }
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    rows = []
    for finding in page:
        own = [classes[pk] for pk in finding.classes if pk in classes]
        all_own = len(own) == len(finding.classes)
        rows.append(
            {
                "finding": finding,
                "classes": own,
                "others": len(finding.classes) - len(own),
                "note": notes.get(finding.key),
                "may_explain": policy_rosters.may_explain_finding(user, own),
                "may_review": all_own and policy_rosters.may_review_finding(user, own),
                "error": errors.get(finding.key, ""),
                "text": request.POST.get("text", "") if finding.key in errors else "",
            }
        )
    return render(
        request,
        "targets/roster_findings.html",
        {
            "plan": plan,
            "page": page,
            "rows": rows,
            "rule": rule,
            "rules": [(value, label) for value, label in Rule.LABELS.items()],
            "query": f"rule={rule}&" if rule else "",
        },
        status=400 if errors else 200,
    )


def _act_on_finding(request: HttpRequest, plan: Any, finding: Any, action: str) -> None:
    if action == "explain":
        finding_explain(
            actor=request.user, plan=plan, finding=finding, text=request.POST.get("text", "")
        )
        messages.success(request, _("说明已提交，等待审核。"))
        return
    note = FindingNote.objects.filter(plan=plan, key=finding.key).first()
    if note is None:
        raise ValidationError(_("这一疑点还没有说明。"))
    finding_review(
        actor=request.user,
        note=note,
        finding=finding,
        accept=action == "accept",
        comment=request.POST.get("comment", ""),
    )
    messages.success(request, _("已认可该说明。") if action == "accept" else _("已退回该说明。"))
