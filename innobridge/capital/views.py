"""Pages for investor profiles (signed-in users)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from innobridge.capital import selectors, services
from innobridge.capital.forms import InvestorProfileForm
from innobridge.capital.models import InvestmentStage, InvestorProfile
from innobridge.core.choices import TechField
from innobridge.core.errors import AccessDenied
from innobridge.core.forms import call_service, changed_data
from innobridge.core.listing import paginate
from innobridge.core.roles import is_staff_role
from innobridge.core.views import audit_trail, is_htmx, list_context


@login_required
def investor_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.investor_list_for(user=request.user, params=request.GET)
    page = paginate(queryset, request.GET.get("page"))
    context = list_context(
        request,
        page,
        filters=[
            ("kind", _("机构类型"), InvestorProfile.Kind.choices),
            ("field", _("关注领域"), TechField.choices),
            ("stage", _("投资阶段"), InvestmentStage.choices),
        ],
        export_entity="investors",
        can_create=is_staff_role(request.user),
    )
    template = "capital/_table.html" if is_htmx(request) else "capital/list.html"
    return render(request, template, context)


@login_required
def investor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.investor_get_for(user=request.user, pk=pk)
    can_edit = selectors.investor_can_edit(user=request.user, profile=profile)
    field_labels = dict(TechField.choices)
    stage_labels = dict(InvestmentStage.choices)
    return render(
        request,
        "capital/detail.html",
        {
            "profile": profile,
            "can_edit": can_edit,
            "fields": [field_labels.get(v, v) for v in profile.preferred_fields],
            "stages": [stage_labels.get(v, v) for v in profile.preferred_stages],
            "history": audit_trail(profile) if can_edit else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def investor_create(request: HttpRequest) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以新建投资机构。"))
    form = InvestorProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        profile = call_service(form, lambda: services.investor_create(actor=request.user, **data))
        if profile is not None:
            return redirect("capital:detail", pk=profile.pk)
    return render(request, "core/form.html", {"form": form, "title": _("新建投资机构")})


@login_required
@require_http_methods(["GET", "POST"])
def investor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.investor_get_for(user=request.user, pk=pk)
    if not selectors.investor_can_edit(user=request.user, profile=profile):
        raise AccessDenied(_("您无权修改该投资机构信息。"))
    form = InvestorProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = changed_data(form)
        profile.refresh_from_db()
        saved = call_service(
            form, lambda: services.investor_update(actor=request.user, profile=profile, data=data)
        )
        if saved is not None:
            return redirect("capital:detail", pk=profile.pk)
    cancel = reverse("capital:detail", kwargs={"pk": profile.pk})
    return render(
        request, "core/form.html", {"form": form, "title": _("修改投资机构"), "cancel_url": cancel}
    )
