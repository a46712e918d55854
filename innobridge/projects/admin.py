from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.projects.models import (
    Call,
    FundingTranche,
    Milestone,
    ProjectEvent,
    Submission,
    TechProject,
    TransformationOutcome,
)


@admin.register(TechProject)
class TechProjectAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "field", "kind", "trl", "stage", "visibility"]
    list_filter = ["field", "kind", "stage", "visibility", "trl"]
    search_fields = ["title", "summary", "keywords", "owner__name"]
    autocomplete_fields = ["owner"]
    raw_id_fields = ["manager"]
    filter_horizontal = ["team"]


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "opens", "deadline", "status", "results_published"]
    list_filter = ["status", "year"]


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["project", "call", "status", "submitted"]
    list_filter = ["call", "status"]
    raw_id_fields = ["project", "created_by"]
    filter_horizontal = ["co_applicants"]


@admin.register(ProjectEvent)
class ProjectEventAdmin(admin.ModelAdmin):
    """Read-only: the pipeline's record of who did what and why."""

    list_display = ["project", "action", "from_stage", "to_stage", "actor", "at"]
    list_filter = ["action"]
    raw_id_fields = ["project", "actor"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


for _model in (Milestone, FundingTranche, TransformationOutcome):
    admin.site.register(_model, SimpleHistoryAdmin)
