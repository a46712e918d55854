from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.targets.models import ManualFigure, Report


@admin.register(ManualFigure)
class ManualFigureAdmin(SimpleHistoryAdmin):
    list_display = ["year", "key", "value", "source", "as_of", "updated_by"]
    list_filter = ["year"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "created", "finished"]
    list_filter = ["kind", "status"]
