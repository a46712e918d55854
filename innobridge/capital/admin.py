from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.capital.models import InvestorProfile


@admin.register(InvestorProfile)
class InvestorProfileAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "kind", "ticket_min", "ticket_max"]
    list_filter = ["kind"]
    search_fields = ["organization__name", "description", "products"]
    autocomplete_fields = ["organization"]
