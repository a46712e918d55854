from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.cultivation.models import (
    CohortMember,
    EnterpriseProfile,
    EnterpriseYearRecord,
    TierEvaluation,
)


@admin.register(EnterpriseYearRecord)
class EnterpriseYearRecordAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "year", "revenue", "rd_expense", "employees", "st_staff"]
    list_filter = ["year"]
    search_fields = ["organization__name", "organization__uscc"]
    autocomplete_fields = ["organization"]


@admin.register(EnterpriseProfile)
class EnterpriseProfileAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "registered_in_wuhan", "listed", "innovation_expert_score"]
    list_filter = ["registered_in_wuhan", "listed", "dishonest", "abnormal"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(TierEvaluation)
class TierEvaluationAdmin(admin.ModelAdmin):
    """Derived data: recomputed from the figures and the rules file, never edited by hand."""

    list_display = ["organization", "year", "tier", "rules_year", "evaluated"]
    list_filter = ["year", "tier"]
    search_fields = ["organization__name"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CohortMember)
class CohortMemberAdmin(SimpleHistoryAdmin):
    list_display = ["roster", "cohort_year", "organization", "added"]
    list_filter = ["roster", "cohort_year"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]
