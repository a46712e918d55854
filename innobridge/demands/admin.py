from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.demands.models import ScenarioDemand


@admin.register(ScenarioDemand)
class ScenarioDemandAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "demand_type", "field", "status", "visibility", "deadline"]
    list_filter = ["demand_type", "field", "status", "visibility", "district"]
    search_fields = ["title", "description", "keywords", "owner__name"]
    autocomplete_fields = ["owner"]
    raw_id_fields = ["manager"]
