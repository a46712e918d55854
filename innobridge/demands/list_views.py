"""Pages of the numbered demand lists: public reading (no login) and staff editing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innobridge.core.choices import District, TechField
from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.excel import table_workbook
from innobridge.core.excel_views import _download
from innobridge.core.forms import call_service
from innobridge.core.listing import paginate
from innobridge.core.pdf import table_pdf
from innobridge.core.roles import is_staff_role
from innobridge.demands import lists
from innobridge.demands.models import DemandList, ScenarioDemand


class DemandListForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DemandList
        fields = ["title", "kind", "year", "batch", "theme", "description"]


def list_index(request: HttpRequest) -> HttpResponse:
    rows = [
        {"list": item, "progress": lists.list_progress(item)}
        for item in lists.lists_for(request.user)
    ]
    return render(
        request,
        "demands/lists.html",
        {"rows": rows, "is_staff": is_staff_role(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_create(request: HttpRequest) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以编制和发布需求清单。"))
    form = DemandListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        created = call_service(form, lambda: lists.list_create(actor=request.user, **data))
        if created is not None:
            return redirect("demand_lists:detail", pk=created.pk)
    return render(request, "core/form.html", {"form": form, "title": _("新建需求清单")})


def _filters() -> list[tuple[str, str, Any]]:
    return [
        ("field", _("技术领域"), TechField.choices),
        ("type", _("需求类型"), ScenarioDemand.Type.choices),
        ("district", _("所在区"), District.choices),
    ]


def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand_list = lists.list_get_for(user=request.user, pk=pk)
    items = lists.list_items(demand_list, request.GET)
    if request.GET.get("format") == "pdf":
        return _pdf(demand_list, items)
    if request.GET.get("format") == "xlsx":
        headers = [_("序号"), _("需求名称"), _("需求单位"), _("技术领域"), _("需求类型"), _("所在区"), _("预算（万元）"), _("截止日期"), _("需求描述")]  # fmt: skip
        rows = [
            [i.number, i.demand.title, i.demand.owner.name, i.demand.get_field_display(),
             i.demand.get_demand_type_display(), i.demand.get_district_display(),
             float(i.demand.budget) if i.demand.budget is not None else None,
             i.demand.deadline.isoformat() if i.demand.deadline else "", i.demand.description]
            for i in items
        ]  # fmt: skip
        return _download(table_workbook(demand_list.title, headers, rows), f"{demand_list.title}.xlsx")  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "demands/list_detail.html",
        {"demand_list": demand_list, "page": paginate(items, request.GET.get("page"), per_page=50),
         "filters": [(key, label, choices, request.GET.get(key, "")) for key, label, choices in _filters()],
         "q": request.GET.get("q", ""), "querystring": query.urlencode(),
         "export_url": f"?{query.urlencode()}&format=xlsx", "pdf_url": f"?{query.urlencode()}&format=pdf",
         "is_staff": is_staff_role(request.user),
         "progress": lists.list_progress(demand_list) if is_staff_role(request.user) else None,
         "by_month": lists.list_landing_by_month(demand_list) if is_staff_role(request.user) else []},
    )  # fmt: skip


def _pdf(demand_list: DemandList, items: Any) -> HttpResponse:
    headers = [_("序号"), _("需求名称"), _("需求单位"), _("技术领域"), _("所在区"), _("预算（万元）"), _("截止日期"), _("需求描述")]  # fmt: skip
    rows = [
        [i.number, i.demand.title, i.demand.owner.name, i.demand.get_field_display(),
         i.demand.get_district_display(), "" if i.demand.budget is None else f"{i.demand.budget:,.0f}",
         i.demand.deadline.isoformat() if i.demand.deadline else "", i.demand.description]
        for i in items
    ]  # fmt: skip
    notes = [demand_list.description] if demand_list.description else []
    if demand_list.published_at:
        notes.append(
            _("发布日期：%(date)s") % {"date": demand_list.published_at.date().isoformat()}
        )
    content = table_pdf(demand_list.title, notes, headers, rows, [5, 24, 18, 10, 8, 8, 9, 40])
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(demand_list.title)}.pdf"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def list_add(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以编制和发布需求清单。"))
    demand_list = lists.list_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("demand") if v.isdigit()]
        try:
            added = lists.list_add(
                actor=request.user, demand_list=demand_list,
                demands=ScenarioDemand.objects.filter(pk__in=ids).order_by("field", "pk"),
            )  # fmt: skip
            messages.success(request, _("已加入 %(n)d 项需求。") % {"n": added})
            return redirect("demand_lists:detail", pk=pk)
        except ApplicationError as error:
            messages.error(request, error.message)
    candidates = lists.eligible_demands(demand_list, request.GET)
    return render(
        request,
        "demands/list_add.html",
        {"demand_list": demand_list, "page": paginate(candidates, request.GET.get("page"), per_page=100),
         "fields": TechField.choices, "field": request.GET.get("field", "")},
    )  # fmt: skip


@login_required
@require_POST
def list_publish(request: HttpRequest, pk: int) -> HttpResponse:
    demand_list = lists.list_get_for(user=request.user, pk=pk)
    publish = request.POST.get("publish") == "1"
    try:
        lists.list_publish(actor=request.user, demand_list=demand_list, published=publish)
        messages.success(request, _("清单已发布。") if publish else _("清单已撤回发布。"))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("demand_lists:detail", pk=pk)
