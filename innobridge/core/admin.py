from django.contrib import admin

from innobridge.core.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created", "last_used"]
    readonly_fields = ["hint", "created", "last_used"]
    search_fields = ["name", "user__username"]
