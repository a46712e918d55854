"""Background work of the targets area: report generation."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import translation

logger = logging.getLogger(__name__)


@shared_task(name="innobridge.generate_report", acks_late=True)  # type: ignore[untyped-decorator]
def generate_report(report_id: int, language: str = "zh-hans") -> None:
    """Build one report; progress is saved as it goes, a failure is recorded with its reason."""
    from innobridge.targets.models import Report
    from innobridge.targets.reports import build

    report = Report.objects.filter(pk=report_id).first()
    if report is None or report.status == Report.Status.DONE:
        return
    Report.objects.filter(pk=report_id).update(status=Report.Status.RUNNING, progress=10)

    def progress(percent: int) -> None:
        Report.objects.filter(pk=report_id).update(progress=percent)

    try:
        with translation.override(language):
            build(report, progress)
    except Exception as error:  # the page shows why instead of spinning forever
        logger.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED, error=str(error)[:500]
        )
