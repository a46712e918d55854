"""Cultivation pages: the tier ladder, programme and roster lists, cohorts, the watchlist, the rules,
and each enterprise's 培育画像 (portrait). Lists are staff-only; an enterprise's own members
see its portrait. Every list exports the same rows to Excel with ``?format=xlsx``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innobridge.core.choices import TechField
from innobridge.core.errors import ApplicationError, NotFound
from innobridge.core.excel import table_workbook
from innobridge.core.excel_views import _download
from innobridge.core.forms import call_service, changed_data
from innobridge.core.listing import paginate
from innobridge.core.roles import is_staff_role
from innobridge.cultivation import selectors, services
from innobridge.cultivation.forms import ProfileForm, YearRecordForm
from innobridge.cultivation.models import Certificate, CohortMember, EnterpriseYearRecord
from innobridge.cultivation.tiers.describe import fmt, reason
from innobridge.cultivation.tiers.metrics import METRICS, YEAR_FIELDS
from innobridge.orgs.models import Organization


def _year(request: HttpRequest) -> int:
    year = selectors.pick_year(request.GET.get("year"))
    selectors.ensure_current(year)
    return year


def _program_labels(year: int) -> dict[str, str]:
    rules = selectors.rules_for(year)
    return {key: selectors.label(program) for key, program in rules.programs.items()}


def _tier_labels(year: int) -> dict[str, str]:
    rules = selectors.rules_for(year)
    return {tier.key: selectors.label(tier) for tier in rules.tiers}


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _member_rows(found: list[Any], year: int, score_key: str | None = None) -> list[list[Any]]:
    programs = _program_labels(year)
    tiers = _tier_labels(year)
    rows = []
    for evaluation in found:
        org = evaluation.organization
        row = [
            org.name, org.uscc, org.get_district_display(), org.get_field_display(),
            tiers.get(evaluation.tier, "") if evaluation.tier else "",
            "、".join(programs.get(k, k) for k in evaluation.programs),
        ]  # fmt: skip
        if score_key:
            row.append(evaluation.scores.get(score_key))
        rows.append(row)
    return rows


def _member_headers(score: bool) -> list[str]:
    headers = [_("企业"), _("统一社会信用代码"), _("所在区"), _("产业领域"), _("梯度"), _("符合的培育计划")]  # fmt: skip
    return headers + ([_("评分")] if score else [])


def _members_page(
    request: HttpRequest,
    year: int,
    found: list[Any],
    title: str,
    extra: dict[str, Any],
    score_key: str | None = None,  # fmt: skip
) -> HttpResponse:
    if _wants_xlsx(request):
        rows = _member_rows(found, year, score_key)
        return _download(table_workbook(title, _member_headers(bool(score_key)), rows), f"{title}.xlsx")  # fmt: skip
    page = paginate(found, request.GET.get("page"), per_page=50)  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": title, "year": year, "years": selectors.years_available(), "page": page,
        "querystring": query.urlencode(), "q": request.GET.get("q", ""),
        "program_labels": _program_labels(year), "tier_labels": _tier_labels(year),
        "score_key": score_key, "export_url": f"?{query.urlencode()}&format=xlsx",
        "english": selectors.english(), **extra,
    }  # fmt: skip
    return render(request, "cultivation/members.html", context)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    year = _year(request)
    years = selectors.years_available()
    rules = selectors.rules_for(year)
    counts = selectors.ladder(years)
    qualifying, unknown, rosters = selectors.program_counts(year)
    ladder = [
        {"tier": tier, "key": tier.key, "label": selectors.label(tier),
         "description": tier.description_en if selectors.english() else tier.description,
         "cells": [{"year": y, "n": counts.get(tier.key, {}).get(y, 0)} for y in years]}
        for tier in rules.tiers
    ]  # fmt: skip
    ladder.append(
        {"tier": None, "key": "-", "label": _("未进入梯度"), "description": "",
         "cells": [{"year": y, "n": counts.get("", {}).get(y, 0)} for y in years]}
    )  # fmt: skip
    programs = [
        {
            "key": key,
            "label": selectors.label(p),
            "pending": p.pending,
            "count": qualifying[key],
            "unknown": unknown[key],
        }  # fmt: skip
        for key, p in rules.programs.items()
    ]
    roster_rows = [
        {"key": r.key, "label": selectors.label(r), "pending": r.pending, "count": rosters[r.key],
         "cohort": len(selectors.cohort(r.key, year)) if r.support else None}
        for r in rules.rosters
    ]  # fmt: skip
    near = _labelled(selectors.watchlist(year)[:8], year)
    return render(
        request,
        "cultivation/overview.html",
        {"year": year, "years": years, "rules": rules, "ladder": ladder, "programs": programs,
         "rosters": roster_rows, "near": near, "program_labels": _program_labels(year),
         "tier_labels": _tier_labels(year)},
    )  # fmt: skip


@login_required
def tier_list(request: HttpRequest, tier: str) -> HttpResponse:
    selectors.require_staff(request.user)
    year = _year(request)
    labels = _tier_labels(year)
    if tier != "-" and tier not in labels:
        raise NotFound(_("没有这个梯度。"))
    key = "" if tier == "-" else tier
    found = selectors.members(year, tier=key, q=request.GET.get("q", "").strip())
    title = _("%(year)d年 %(tier)s 企业") % {"year": year, "tier": labels.get(key, _("未进入梯度"))}
    return _members_page(request, year, found, title, {"tier": tier})


@login_required
def program_list(request: HttpRequest, key: str) -> HttpResponse:
    selectors.require_staff(request.user)
    year = _year(request)
    rules = selectors.rules_for(year)
    program = rules.programs.get(key)
    if program is None:
        raise NotFound(_("没有这个培育计划。"))
    found = selectors.members(year, program=key, q=request.GET.get("q", "").strip())
    title = _("%(year)d年 符合“%(program)s”条件的企业") % {"year": year, "program": selectors.label(program)}  # fmt: skip
    score_key = key if program.score else None
    return _members_page(request, year, found, title, {"program": program, "program_key": key}, score_key)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def roster_list(request: HttpRequest, key: str) -> HttpResponse:
    selectors.require_staff(request.user)
    year = _year(request)
    rules = selectors.rules_for(year)
    roster = next((r for r in rules.rosters if r.key == key), None)
    if roster is None:
        raise NotFound(_("没有这个名录。"))
    if request.method == "POST" and roster.support:
        return _cohort_change(request, roster, year)
    found = selectors.members(year, roster=key, q=request.GET.get("q", "").strip())
    extra: dict[str, Any] = {"roster": roster, "roster_label": selectors.label(roster)}
    if roster.support:
        members = selectors.cohort(key, year)
        member_ids = {m.organization_id for m in members}
        capacity = roster.support[0].firms
        extra |= {
            "cohort": members, "member_ids": member_ids, "capacity": capacity,
            "support": [{"year": s.year, "calendar": year + s.year - 1, "firms": s.firms,
                         "amount": s.amount, "total": s.firms * s.amount} for s in roster.support],
            "cohort_total": sum(s.amount for s in roster.support),
        }  # fmt: skip
    title = _("%(year)d年 %(roster)s") % {"year": year, "roster": selectors.label(roster)}
    return _members_page(request, year, found, title, extra)


def _cohort_change(request: HttpRequest, roster: Any, year: int) -> HttpResponse:
    target = reverse("cultivation:roster", kwargs={"key": roster.key}) + f"?year={year}"
    try:
        if "remove" in request.POST:
            member = get_object_or_404(CohortMember, pk=request.POST.get("remove"), roster=roster.key)  # fmt: skip
            services.cohort_remove(actor=request.user, member=member, reason=request.POST.get("reason", ""))  # fmt: skip
            messages.success(
                request, _("已将 %(name)s 移出。") % {"name": member.organization.name}
            )
        else:
            ids = [int(v) for v in request.POST.getlist("organization") if v.isdigit()]
            if not ids:
                raise ApplicationError(_("请先勾选要入选的企业。"))
            organizations = Organization.objects.filter(pk__in=ids)
            added = services.cohort_add(
                actor=request.user, roster=roster.key, year=year, organizations=organizations,
                capacity=roster.support[0].firms,
            )  # fmt: skip
            messages.success(request, _("已入选 %(n)d 家企业。") % {"n": added})
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(target)


def _labelled(rows: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    programs, tiers = _program_labels(year), _tier_labels(year)
    english = selectors.english()
    for row in rows:
        row["target_label"] = (tiers if row["kind"] == "tier" else programs).get(row["key"], row["key"])  # fmt: skip
        row["gap_pct"] = fmt(row["gap"], "ratio")
        row["reasons"] = [reason(c, english) for c in row["lacking"]]
    return rows


@login_required
def watchlist(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    year = _year(request)
    target = request.GET.get("target", "")
    order = "-gap" if request.GET.get("order") == "-gap" else "gap"
    rows = _labelled(selectors.watchlist(year, target=target, order=order), year)
    title = _("%(year)d年 培育观察名单") % {"year": year}
    if _wants_xlsx(request):
        headers = [_("企业"), _("目标"), _("差距"), _("尚欠条件")]
        data = [[r["evaluation"].organization.name, r["target_label"], r["gap_pct"], "；".join(r["reasons"])] for r in rows]  # fmt: skip
        return _download(table_workbook(title, headers, data), f"{title}.xlsx")
    rules = selectors.rules_for(year)
    targets = [(f"tier:{t.key}", selectors.label(t)) for t in rules.tiers] + [
        (f"program:{k}", selectors.label(p)) for k, p in rules.programs.items()
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cultivation/watchlist.html",
        {"title": title, "year": year, "years": selectors.years_available(),
         "page": paginate(rows, request.GET.get("page"), per_page=50),  # type: ignore[arg-type]
         "targets": targets, "target": target, "order": order, "margin": fmt(rules.watch.margin, "ratio"),
         "querystring": query.urlencode(), "export_url": f"?{query.urlencode()}&format=xlsx"},
    )  # fmt: skip


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    year = selectors.pick_year(request.GET.get("year"))
    from innobridge.cultivation.rules_files import rules_file_for

    rules = selectors.rules_for(year)
    english = selectors.english()
    programs = [
        {"key": key, "label": selectors.label(p), "spec": p, "conditions": _rule_tree(p.conditions, english),
         "parts": [_part_text(part, english) for part in p.score or ()]}
        for key, p in rules.programs.items()
    ]  # fmt: skip
    tiers = [{"label": selectors.label(t), "spec": t, "conditions": _rule_tree(t.when, english)} for t in rules.tiers]  # fmt: skip
    rosters = [{"label": selectors.label(r), "spec": r, "conditions": _rule_tree(r.when, english)} for r in rules.rosters]  # fmt: skip
    return render(
        request,
        "cultivation/rules.html",
        {"year": year, "years": selectors.years_available(), "rules": rules, "programs": programs,
         "tiers": tiers, "rosters": rosters, "path": rules_file_for(year), "english": english},
    )  # fmt: skip


_OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}


def _rule_tree(nodes: list[Any], english: bool) -> list[dict[str, Any]]:
    """The rules file's conditions as nested, readable items for the rules page."""
    from innobridge.cultivation.tiers.describe import metric_label
    from innobridge.cultivation.tiers.rules import Group, ProgramRef

    items = []
    for node in nodes:
        name = node.name_en if english else node.name
        item: dict[str, Any] = {
            "name": name,
            "pending": node.pending,
            "note": node.note,
            "children": [],
        }
        if isinstance(node, Group):
            item["mode"] = "all" if node.all is not None else "any"
            item["children"] = _rule_tree(node.all or node.any or [], english)
        elif isinstance(node, ProgramRef):
            item["rule"] = ""
        else:
            unit = METRICS[node.metric].unit if node.metric in METRICS else "points"
            label = metric_label(node.metric, english)
            if node.threshold_by is not None:
                bands = [
                    f"{fmt(b.threshold, unit, english)} ({b.label_en})" if english else f"{fmt(b.threshold, unit)}（{b.label}）"
                    for b in node.threshold_by.bands
                ]  # fmt: skip
                item["rule"] = f"{label} {_OPS.get(node.op, node.op)} " + " / ".join(bands)
            elif node.op in ("contains", "not_contains", "in", "not_in"):
                item["rule"] = ""
            else:
                item["rule"] = (
                    f"{label} {_OPS.get(node.op, node.op)} {fmt(node.value, unit, english)}"
                )
        items.append(item)
    return items


def _part_text(part: Any, english: bool) -> dict[str, Any]:
    from innobridge.cultivation.tiers.describe import metric_label

    tables = [(part.metric, part.bands)] if part.bands is not None else [(t.metric, t.bands) for t in part.best_of or ()]  # fmt: skip
    lines = []
    for metric, bands in tables:
        cells = []
        for band in bands:
            m = band.metric or metric
            unit = METRICS[m].unit
            cells.append(f"{metric_label(m, english) if band.metric else ''}{_OPS.get(band.op, band.op)}{fmt(band.value, unit, english)} → {band.points:g}")  # fmt: skip
        lines.append(
            f"{metric_label(metric, english)}: " + "; ".join(cells)
            if english
            else f"{metric_label(metric)}：" + "；".join(cells)
        )
    if part.direct:
        lines.append(metric_label(part.metric, english))
    return {
        "label": part.label_en if english else part.label,
        "max": part.max,
        "pending": part.pending,
        "lines": lines,
    }


# -- one enterprise ---------------------------------------------------------------------------
def _chart(records: list[EnterpriseYearRecord]) -> dict[str, Any] | None:
    """An inline SVG: revenue bars and the R&D share line per year."""
    points = [r for r in records if r.revenue is not None]
    if not points:
        return None
    top = float(max(r.revenue or 0 for r in points)) or 1.0
    width, height, left, bottom = 560, 200, 40, 170
    step = (width - left - 20) / len(points)
    bars, line = [], []
    for index, record in enumerate(points):
        revenue = float(record.revenue or 0)
        x = left + index * step + step * 0.2
        h = revenue / top * 140
        share = float(record.rd_expense or 0) / revenue if revenue else 0.0
        y_share = bottom - min(share, 0.5) / 0.5 * 140
        bars.append({"x": round(x, 1), "y": round(bottom - h, 1), "w": round(step * 0.6, 1), "h": round(h, 1),
                     "year": record.year, "label": fmt(revenue, "wan", selectors.english()),
                     "cx": round(x + step * 0.3, 1), "share": fmt(share, "ratio"), "sy": round(y_share, 1)})  # fmt: skip
        line.append(f"{x + step * 0.3:.1f},{y_share:.1f}")
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "line": " ".join(line),
        "bottom": bottom,
    }


def _shown(condition: Any, value: Any, english: bool) -> str:
    """A value or threshold for the conditions table: labels instead of codes."""
    if condition.op in ("contains", "not_contains") and isinstance(value, str):
        return str(dict(Certificate.choices).get(value, value))
    if condition.op in ("in", "not_in"):
        if isinstance(value, list):
            return _("见评价规则")
        return str(dict(TechField.choices).get(value, value)) if value else "—"
    return fmt(value, condition.unit, english)


@login_required
def enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.enterprise_get_for(user=request.user, pk=pk)
    year = selectors.pick_year(request.GET.get("year"))
    evaluation = services.evaluate(organization, year)
    english = selectors.english()
    rules = selectors.rules_for(year)
    programs = []
    for key, result in evaluation.programs.items():
        spec = rules.programs[key]
        programs.append({
            "key": key, "label": selectors.label(spec), "result": result, "spec": spec,
            "conditions": [{"c": c, "name": c.full_name_en if english else c.full_name,
                            "value": _shown(c, c.value, english), "threshold": _shown(c, c.threshold, english),
                            "reason": reason(c, english)} for c in result.conditions],
            "parts": [{"p": p, "label": p.label_en if english else p.label,
                       "value": fmt(p.value, p.unit, english)} for p in result.parts],
            "max": sum(p.max for p in result.parts) if result.parts else None,
        })  # fmt: skip
    tier = next((t for t in rules.tiers if t.key == evaluation.tier), None)
    records = selectors.year_records(organization)
    history = selectors.history(organization)
    tiers = _tier_labels(year)
    profile = selectors.profile_of(organization)
    certificates = dict(Certificate.choices)
    near = [
        {"label": (tiers if n.kind == "tier" else {k: p["label"] for k, p in ((p["key"], p) for p in programs)}).get(n.key, n.key),
         "gap": n.gap, "gap_pct": fmt(n.gap, "ratio"), "reasons": [reason(c, english) for c in n.lacking]}
        for n in evaluation.near
    ]  # fmt: skip
    figure_rows = [
        {"label": getattr(EnterpriseYearRecord._meta.get_field(name), "verbose_name", name),
         "values": [getattr(r, name) for r in records]}
        for name in YEAR_FIELDS
    ]  # fmt: skip
    return render(
        request,
        "cultivation/enterprise.html",
        {"organization": organization, "year": year, "years": selectors.years_available(),
         "evaluation": evaluation, "programs": programs, "tier": tier,
         "tier_label": tiers.get(evaluation.tier or "", ""),
         "rosters": [selectors.label(r) for r in rules.rosters if evaluation.rosters.get(r.key) and evaluation.rosters[r.key].passed],
         "near": near, "records": records, "figure_rows": figure_rows, "history": history,
         "history_tiers": tiers, "chart": _chart(records), "profile": profile,
         "certificates": [certificates.get(c, c) for c in (profile.certificates if profile else [])],
         "can_edit": is_staff_role(request.user), "english": english,
         "next_year": (records[-1].year + 1) if records else year - 1,
         "margin": fmt(evaluation.margin, "ratio")},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def year_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    selectors.require_staff(request.user)
    organization = selectors.enterprise_get_for(user=request.user, pk=pk)
    record = EnterpriseYearRecord.objects.filter(organization=organization, year=year).first()
    form = YearRecordForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        figures = changed_data(form) if record else {k: v for k, v in form.cleaned_data.items() if v is not None}  # fmt: skip
        if record is not None:
            record.refresh_from_db()
        saved = call_service(
            form,
            lambda: services.year_record_save(
                actor=request.user, organization=organization, year=year, figures=figures
            ),  # fmt: skip
        )
        if saved is not None:
            messages.success(
                request, _("已保存 %(year)d 年度数据，并已重新评估。") % {"year": year}
            )
            return redirect("cultivation:enterprise", pk=pk)
    title = _("%(name)s · %(year)d 年度数据") % {"name": organization.name, "year": year}
    cancel = reverse("cultivation:enterprise", kwargs={"pk": pk})
    return render(request, "core/form.html", {"form": form, "title": title, "cancel_url": cancel})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    organization = selectors.enterprise_get_for(user=request.user, pk=pk)
    profile = selectors.profile_of(organization)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        saved = call_service(
            form,
            lambda: services.profile_save(
                actor=request.user, organization=organization, data=data
            ),  # fmt: skip
        )
        if saved is not None:
            messages.success(request, _("已保存培育档案，并已重新评估。"))
            return redirect("cultivation:enterprise", pk=pk)
    title = _("%(name)s · 培育档案") % {"name": organization.name}
    cancel = reverse("cultivation:enterprise", kwargs={"pk": pk})
    return render(request, "core/form.html", {"form": form, "title": title, "cancel_url": cancel})


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    done = services.evaluations_refresh(force=True)
    messages.success(request, _("已按当前规则重新评估 %(n)d 条记录。") % {"n": sum(done.values())})
    return redirect("cultivation:overview")
