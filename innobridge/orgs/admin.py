from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from innobridge.orgs.models import JointLab, JointLabMember, Membership, Organization, Person


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "uscc", "district", "field", "size"]
    list_filter = ["kind", "district", "field", "size"]
    search_fields = ["name", "short_name", "uscc"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "field", "is_expert", "user"]
    list_filter = ["is_expert", "field"]
    search_fields = ["name", "keywords"]
    inlines = [MembershipInline]
    raw_id_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "organization", "role", "start", "end"]
    search_fields = ["person__name", "organization__name"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["person"]


class JointLabMemberInline(admin.TabularInline):
    model = JointLabMember
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(JointLab)
class JointLabAdmin(SimpleHistoryAdmin):
    list_display = ["name", "lead", "field", "founded", "batch"]
    list_filter = ["field", "batch"]
    search_fields = ["name", "lead__name"]
    autocomplete_fields = ["lead"]
    inlines = [JointLabMemberInline]
