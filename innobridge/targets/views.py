"""The targets dashboard, its drill-down lists, manual figures and the reports page (staff)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innobridge.core.cache import COUNT_TTL, data_version, remembered
from innobridge.core.errors import NotFound
from innobridge.core.views import parse_amount, parse_date, run_action
from innobridge.targets import reports, services
from innobridge.targets.definitions import target_for, targets_for, years
from innobridge.targets.models import Report


def _year(request: HttpRequest) -> int:
    available = years()
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    if year in available:
        return year
    current = timezone.localdate().year
    return max([y for y in available if y <= current] or available or [current])


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    services.check_staff(request.user)
    year = _year(request)
    # the same for every staff member: gathered once per year, chosen target, language and data
    # version (~25 counts and a month-by-month read of the records)
    wanted = request.GET.get("target")
    if wanted not in {target.key for target in targets_for(year)}:
        wanted = None
    figures = remembered("targets", (year, wanted), lambda: _figures(year, wanted))
    return render(
        request,
        "targets/dashboard.html",
        {
            "year": year,
            "years": years(),
            **figures,
            # the table and charts are rendered once per the same (~4 ms of ~125 translated
            # strings and numbers); the manual items' forms below carry each user's CSRF token
            "figures_key": _figures_key(year, wanted),
            "figures_ttl": COUNT_TTL,
        },  # fmt: skip
    )


def _figures_key(year: int, wanted: str | None) -> str:
    """What the rendered table and charts depend on: the year, the chosen target, the years to
    choose from, the language and the data version (core.cache)."""
    text = repr((year, wanted, years(), get_language(), data_version()))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _figures(year: int, wanted: str | None) -> dict[str, Any]:
    """The dashboard's rows and chart data for a year, the chart on the ``wanted`` target."""
    rows = services.values(year)
    formula_rows = [row for row in rows if row.target.metric]
    from innobridge.targets.metrics import METRICS

    trended = [r for r in formula_rows if METRICS[r.target.metric or ""].date_field]
    default = trended[0] if trended else (formula_rows[0] if formula_rows else None)
    chosen = next((r for r in formula_rows if r.target.key == wanted), default)

    def url(key: str, **query: Any) -> str:
        found = reverse("targets:records", kwargs={"year": year, "key": key})
        return found + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    chart: dict[str, Any] = {
        "targets": [
            {"key": r.target.key, "name": r.name, "value": float(r.value), "number": float(r.target.number),
             "unit": r.target.unit, "progress": r.progress, "expected": r.expected,
             "url": url(r.target.key) if r.target.metric else ""}
            for r in rows
        ],
        "months": [_("%(m)d月") % {"m": m} for m in range(1, 13)],
        "funnels": [
            {**f, "steps": [{**s, "url": reverse("targets:funnel", kwargs={"year": year, "name": f["name"], "step": s["key"]})} for s in f["steps"]]}  # fmt: skip
            for f in services.funnels(year)
        ],
        "labels": {"progress": _("完成进度（%）"), "expected": _("按时序应达"), "cumulative": _("累计完成"), "target": _("目标值")},  # fmt: skip
    }  # fmt: skip
    if chosen is not None:
        chart["trend"] = {"name": chosen.name, "values": services.monthly(year, chosen.target), "number": float(chosen.target.number), "url": url(chosen.target.key)}  # fmt: skip
        chart["district"] = [{"label": label, "count": n, "url": url(chosen.target.key, district=code or "-")} for code, label, n in services.breakdown(year, chosen.target, "district")]  # fmt: skip
        chart["field"] = [{"label": label, "count": n, "url": url(chosen.target.key, field=code or "-")} for code, label, n in services.breakdown(year, chosen.target, "field")]  # fmt: skip
    return {"rows": rows, "chosen": chosen, "formula_rows": formula_rows, "chart": chart}


@login_required
def target_records(request: HttpRequest, year: int, key: str) -> HttpResponse:
    services.check_staff(request.user)
    target = target_for(year, key)
    if target is None or target.metric is None:
        raise NotFound(_("未找到该指标的记录清单。"))
    from innobridge.targets.metrics import METRICS

    district, field = request.GET.get("district", ""), request.GET.get("field", "")
    try:
        month = int(request.GET.get("month") or 0)
    except ValueError:
        month = 0
    queryset = services.drill_down(year, target, district=district, field=field, month=month)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    metric = METRICS[target.metric]
    value = next(v for v in services.values(year) if v.target.key == key)
    return render(
        request,
        "targets/records.html",
        {
            "year": year,
            "target": value,
            "page": page,
            "rows": [metric.row(r) for r in page],
            "filters": {"district": district, "field": field, "month": month},
            "total": page.paginator.count,
        },  # fmt: skip
    )


@login_required
def funnel_records(request: HttpRequest, year: int, name: str, step: str) -> HttpResponse:
    services.check_staff(request.user)
    titles = dict(services.FUNNELS.get(name, []))
    if step not in titles:
        raise NotFound(_("未知的漏斗。"))
    page = Paginator(services.funnel_records(name, step, year), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "targets/funnel.html",
        {
            "year": year,
            "title": f"{services.FUNNEL_TITLES[name]} · {titles[step]}",
            "page": page,
            "rows": [services.funnel_row(name, r) for r in page],
            "total": page.paginator.count,
        },  # fmt: skip
    )


@login_required
@require_POST
def manual_figure(request: HttpRequest, year: int, key: str) -> HttpResponse:
    def save() -> Any:
        return services.set_manual(
            actor=request.user, year=year, key=key, value=parse_amount(request.POST.get("value", "")),
            source=request.POST.get("source", ""), as_of=parse_date(request.POST.get("as_of", "")),
        )  # fmt: skip

    run_action(request, save, _("已更新人工填报值。"))
    return redirect(f"{reverse('targets:dashboard')}?year={year}#manual")


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    services.check_staff(request.user)
    if request.method == "POST":

        def start() -> Any:
            return reports.request_report(actor=request.user, kind=request.POST.get("kind", ""), year=int(request.POST.get("year") or 0), month=int(request.POST.get("month") or 0) or None)  # fmt: skip

        run_action(request, start, _("报告已开始生成。"))
        return redirect("targets:reports")
    items = list(Report.objects.all()[:50])
    template = (
        "targets/_report_rows.html" if request.headers.get("HX-Request") else "targets/reports.html"
    )
    today = timezone.localdate()
    return render(request, template, {"reports": items, "years": years(), "today": today, "months": range(1, 13), "busy": any(r.status in (Report.Status.QUEUED, Report.Status.RUNNING) for r in items)})  # fmt: skip


@login_required
def report_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    services.check_staff(request.user)
    report = Report.objects.filter(pk=pk, status=Report.Status.DONE).first()
    if report is None or fmt not in ("xlsx", "pdf"):
        raise NotFound(_("未找到该报告文件。"))
    file = report.xlsx if fmt == "xlsx" else report.pdf
    from innobridge.core.audit import record

    record("export", actor=request.user, target=str(report), detail=fmt, request=request)
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{report}.{fmt}")
