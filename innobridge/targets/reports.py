"""月报/年报: the target table, the monthly trend and the funnels, to Excel (native charts) and
PDF (charts drawn server-side with reportlab's graphics), generated in the background.

``request_report`` records the request and hands it to ``core.tasks.enqueue`` (Celery when
REDIS_URL is set, else a background thread); the page polls the report's progress.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from innobridge.core.errors import ApplicationError
from innobridge.targets import services
from innobridge.targets.definitions import years
from innobridge.targets.models import Report


@transaction.atomic
def request_report(*, actor: Any, kind: str, year: int, month: int | None) -> Report:
    from innobridge.core.tasks import enqueue
    from innobridge.targets.tasks import generate_report

    services.check_staff(actor)
    if kind not in Report.Kind.values:
        raise ApplicationError(_("请选择报告类型。"))
    if year not in years():
        raise ApplicationError(_("没有 %(year)s 年的目标数据。") % {"year": year})
    if kind == Report.Kind.MONTHLY and not (month and 1 <= month <= 12):
        raise ApplicationError(_("月报请选择月份。"))
    report = Report.objects.create(kind=kind, year=year, month=month if kind == Report.Kind.MONTHLY else None, requested_by=actor)  # fmt: skip
    language = translation.get_language() or "zh-hans"
    transaction.on_commit(lambda: enqueue(generate_report, report.pk, language))
    return report


def build(report: Report, progress: Any = None) -> None:
    """Compute everything, write both files, mark the report done (idempotent)."""
    step = progress or (lambda n: None)
    rows = services.values(report.year)
    step(30)
    trends = {row.target.key: services.monthly(report.year, row.target) for row in rows if row.target.metric}  # fmt: skip
    funnels = services.funnels(report.year)
    step(60)
    title = str(report)
    report.xlsx.save(f"{title}.xlsx", ContentFile(_workbook(title, rows, trends, funnels, report)), save=False)  # fmt: skip
    step(80)
    report.pdf.save(f"{title}.pdf", ContentFile(_pdf(title, rows, funnels, report)), save=False)
    report.status = Report.Status.DONE
    report.progress = 100
    report.finished = timezone.now()
    report.save()


def _headers() -> list[str]:
    return [_("指标"), _("目标值"), _("单位"), _("完成值"), _("完成进度（%）"), _("按时序应达（%）"), _("数据来源"), _("截至日期")]  # fmt: skip


def _table(rows: list[services.TargetValue]) -> list[list[Any]]:
    return [
        [
            r.name,
            float(r.target.number),
            r.target.unit,
            float(r.value),
            r.progress,
            r.expected,
            r.source,
            r.as_of.isoformat() if r.as_of else "",
        ]  # fmt: skip
        for r in rows
    ]


def _workbook(title: str, rows: list[services.TargetValue], trends: dict[str, list[int] | None], funnels: list[dict[str, Any]], report: Report) -> bytes:  # fmt: skip
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("目标完成情况")[:31]
    sheet.append([title])
    sheet.append([_("生成时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}])
    sheet.append(_headers())
    for line in _table(rows):
        sheet.append(line)
    for column, width in zip("ABCDEFGH", (28, 10, 6, 10, 14, 16, 26, 12), strict=True):
        sheet.column_dimensions[column].width = width
    chart = BarChart()
    chart.title = _("完成进度（%）")
    chart.add_data(
        Reference(sheet, min_col=5, min_row=3, max_row=3 + len(rows)), titles_from_data=True
    )
    chart.add_data(
        Reference(sheet, min_col=6, min_row=3, max_row=3 + len(rows)), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=4, max_row=3 + len(rows)))
    chart.width, chart.height = 24, 10
    sheet.add_chart(chart, "J3")
    trend = workbook.create_sheet(_("月度趋势")[:31])
    keys = [k for k, v in trends.items() if v is not None]
    names = {r.target.key: r.name for r in rows}
    trend.append([_("月份"), *[names[k] for k in keys]])
    last = report.month if report.kind == Report.Kind.MONTHLY and report.month else 12
    for month in range(1, last + 1):
        trend.append([_("%(m)d月") % {"m": month}, *[trends[k][month - 1] for k in keys]])  # type: ignore[index]
    if keys:
        line = LineChart()
        line.title = _("累计完成")
        line.add_data(Reference(trend, min_col=2, max_col=1 + len(keys), min_row=1, max_row=1 + last), titles_from_data=True)  # fmt: skip
        line.set_categories(Reference(trend, min_col=1, min_row=2, max_row=1 + last))
        line.width, line.height = 24, 10
        trend.add_chart(line, "A" + str(last + 4))
    flow = workbook.create_sheet(_("对接漏斗")[:31])
    for funnel in funnels:
        flow.append([funnel["title"]])
        for step in funnel["steps"]:
            flow.append([step["label"], step["count"]])
        flow.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf(title: str, rows: list[services.TargetValue], funnels: list[dict[str, Any]], report: Report) -> bytes:  # fmt: skip
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from innobridge.core.pdf import CELL, FONT, HEAD, NOTE, TITLE, _escape

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm, title=title)  # fmt: skip
    story: list[Any] = [Paragraph(_escape(title), TITLE), Paragraph(_escape(_("生成时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}), NOTE), Spacer(1, 4 * mm)]  # fmt: skip
    # progress chart: one bar per target, capped at 150% so one runaway target keeps the others readable
    drawing = Drawing(760, 22 * len(rows) + 40)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 190, 20, 540, 22 * len(rows)
    chart.data = [
        [min(r.progress, 150.0) for r in reversed(rows)],
        [r.expected for r in reversed(rows)],
    ]
    chart.categoryAxis.categoryNames = [r.name for r in reversed(rows)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 150, 25
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#2F6FAE")
    chart.bars[1].fillColor = colors.HexColor("#F2B84B")
    drawing.add(chart)
    drawing.add(
        String(190, 4, _("蓝：完成进度（%）；黄：按时序应达（%）"), fontName=FONT, fontSize=8)
    )
    story += [drawing, Spacer(1, 4 * mm)]
    data = [[Paragraph(_escape(h), HEAD) for h in _headers()]]
    data += [[Paragraph(_escape(c), CELL) for c in line] for line in _table(rows)]
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F4E79")), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#C8D1DB")), ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
    story += [table, Spacer(1, 6 * mm)]
    for funnel in funnels:
        line = " → ".join(f"{s['label']} {s['count']}" for s in funnel["steps"])
        story.append(Paragraph(_escape(f"{funnel['title']}：{line}"), CELL))
    document.build(story)
    return buffer.getvalue()
