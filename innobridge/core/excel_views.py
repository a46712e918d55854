"""Pages for Excel: template download, export of what the user sees, upload → preview → confirm."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from innobridge.core import imports
from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.excel import export_workbook, spec_for, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_URLS = {
    "orgs": "orgs:list",
    "projects": "projects:list",
    "demands": "demands:list",
    "investors": "capital:list",
    "enterprise_years": "cultivation:overview",
    "enterprise_profiles": "cultivation:overview",
    "experts": "review:experts",
}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx，不超过 20 MB）"))


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_GET
def template_download(request: HttpRequest, entity: str) -> HttpResponse:
    spec = spec_for(entity)
    return _download(template_workbook(spec), _("%(title)s导入模板.xlsx") % {"title": spec.title})


@login_required
@require_GET
def export_download(request: HttpRequest, entity: str) -> HttpResponse:
    spec = spec_for(entity)
    params = {key: value for key, value in request.GET.items() if key != "page"}
    content = export_workbook(spec, user=request.user, params=params)
    from innobridge.core.audit import record

    record(
        "export",
        actor=request.user,
        target=str(spec.title),
        detail=str(params)[:400],
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _download(content, f"{spec.title}-{stamp}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, entity: str) -> HttpResponse:
    spec = spec_for(entity)
    if not spec.can_import(request.user):
        raise AccessDenied(_("您的角色不能导入%(title)s。") % {"title": spec.title})
    form = UploadForm(request.POST or None, request.FILES or None)
    report = token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, report = imports.stage_upload(
                entity=entity, upload=form.cleaned_data["file"], user=request.user
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
    return render(
        request,
        "core/import.html",
        {
            "form": form,
            "spec": spec,
            "entity": entity,
            "report": report,
            "token": token if report is not None and report.ok else None,
            "list_url": LIST_URLS[entity],
        },
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, entity: str) -> HttpResponse:
    token = request.POST.get("token", "")
    if request.POST.get("action") == "cancel":
        imports.discard(token)
        messages.info(request, _("已取消导入，没有写入任何数据。"))
        return redirect("import_upload", entity=entity)
    try:
        report = imports.confirm_upload(token=token, entity=entity, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("import_upload", entity=entity)
    if not report.committed:
        messages.error(request, _("数据在确认前发生了变化，有行未通过校验，没有写入任何数据。"))
        return render(
            request,
            "core/import.html",
            {"form": UploadForm(), "spec": spec_for(entity), "entity": entity,
             "report": report, "token": None, "list_url": LIST_URLS[entity]},
        )  # fmt: skip
    messages.success(request, _("导入成功：共写入 %(n)d 条记录。") % {"n": report.created})
    return redirect(LIST_URLS[entity])
