from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.review.models import (
    DeclaredConflict,
    ExpertProfile,
    ReviewAssignment,
    ReviewItem,
    ReviewRound,
)


@admin.register(ReviewRound)
class ReviewRoundAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "reviewers_per_item", "max_load", "deadline"]
    list_filter = ["status"]


@admin.register(ReviewItem)
class ReviewItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "round", "decision", "decided"]
    list_filter = ["decision"]
    raw_id_fields = ["round", "submission", "application", "decided_by"]


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["item", "expert", "affinity", "status", "locked", "total"]
    list_filter = ["status", "locked"]
    raw_id_fields = ["item", "expert"]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(SimpleHistoryAdmin):
    list_display = ["person"]
    raw_id_fields = ["person"]


@admin.register(DeclaredConflict)
class DeclaredConflictAdmin(admin.ModelAdmin):
    list_display = ["expert", "organization", "item", "reason", "created"]
    raw_id_fields = ["expert", "organization", "item", "declared_by"]
