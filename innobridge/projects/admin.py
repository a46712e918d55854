from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.projects.models import TechProject


@admin.register(TechProject)
class TechProjectAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "field", "kind", "trl", "stage", "visibility"]
    list_filter = ["field", "kind", "stage", "visibility", "trl"]
    search_fields = ["title", "summary", "keywords", "owner__name"]
    autocomplete_fields = ["owner"]
    raw_id_fields = ["manager"]
    filter_horizontal = ["team"]
