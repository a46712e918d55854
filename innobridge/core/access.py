"""Who may see and change what: every object-level rule of the platform, in one place.

| record        | sees                                                         | changes                |
| ------------- | ------------------------------------------------------------ | ---------------------- |
| organization  | every signed-in user                                         | staff; its own members |
| person        | staff; people of the user's own organizations; oneself      | staff                  |
| joint lab     | everyone, also without login                                 | staff                  |
| tech project  | staff: all; manager: internal + public + assigned;           | staff; the assigned    |
|               | member/investor: public + own organization's;                | manager; own org while |
|               | expert: own organization's + assigned, conflict-free reviews | still a draft          |
| call          | staff: all; signed-in users: calls past preparation          | staff (projects/calls) |
| submission    | staff; the applicant's and co-applicants' members; an expert | applicant, until the   |
|               | its statement and files on their own conflict-free task page | deadline               |
| review task,  | staff: all; an expert: their own tasks only, never who else  | staff; the expert      |
| scores        | reviews the item; applicants: the decision and its reason    | (their own scores)     |
| demand        | as projects, and the public (no login) sees public demands   | as projects            |
| demand contact| staff, the assigned manager, the owner organization          | —                      |
| demand list   | staff: all; everyone else, also without login: published ones| staff (demands/lists.py)|
| investor      | every signed-in user                                         | staff; its own members |
| enterprise    | staff: all; members: their own organization's (figures,      | staff                  |
| cultivation   | tiers, programmes); nobody else (finances are confidential)  |                        |
| ladder, watch-| staff only                                                   | staff (cohorts)        |
| list, rosters |                                                              |                        |

Lists use the ``*_visible_q`` filters; single objects use the same filters through the
``rules`` predicates registered below, so a page, the API and an export can never disagree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q
from rules.permissions import set_perm
from rules.predicates import predicate as rules_predicate

from innobridge.core.choices import Visibility
from innobridge.core.roles import Role, is_staff_role, org_ids_of, roles_of

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


def owned_record_visible_q(user: Any, *, public_for_anonymous: bool) -> Q:
    """Projects and demands: owner organization, visibility and assigned manager decide."""
    if is_staff_role(user):
        return EVERYTHING
    if user is None or not user.is_authenticated:
        return Q(visibility=Visibility.PUBLIC) if public_for_anonymous else NOTHING
    roles = roles_of(user)
    q = Q(owner_id__in=org_ids_of(user)) | Q(manager=user)
    if roles & {Role.MANAGER, Role.MEMBER, Role.INVESTOR} or public_for_anonymous:
        q |= Q(visibility=Visibility.PUBLIC)
    if Role.MANAGER in roles:
        q |= Q(visibility=Visibility.INTERNAL)
    return q


def owned_record_editable_q(user: Any) -> Q:
    """Projects and demands a user may change: staff all; a manager those assigned to them; a
    member their organization's drafts. ``owned_record_editable`` is the same rule for one
    record already read."""
    if is_staff_role(user):
        return EVERYTHING
    if user is None or not user.is_authenticated:
        return NOTHING
    q = Q(manager=user) if Role.MANAGER in roles_of(user) else NOTHING
    if Role.MEMBER in roles_of(user):
        q |= Q(owner_id__in=org_ids_of(user), visibility=Visibility.DRAFT)
    return q


def owned_record_editable(user: Any, record: Any) -> bool:
    """``owned_record_editable_q`` for a record the page has just read, without asking the
    database again: whether its page offers 修改. Saving still checks with the database
    (``*_can_edit``), so a stale record can never let a change through."""
    if is_staff_role(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    roles = roles_of(user)
    if Role.MANAGER in roles and record.manager_id == user.pk:
        return True
    return (
        Role.MEMBER in roles
        and record.owner_id in org_ids_of(user)
        and record.visibility == Visibility.DRAFT
    )


def project_visible_q(user: Any) -> Q:
    q = owned_record_visible_q(user, public_for_anonymous=False)
    if Role.EXPERT in roles_of(user) and not is_staff_role(user):
        from innobridge.review.selectors import reviewable_project_ids

        q |= Q(pk__in=reviewable_project_ids(user))
    return q


def demand_visible_q(user: Any) -> Q:
    return owned_record_visible_q(user, public_for_anonymous=True)


def demand_contact_visible(user: Any, demand: Any) -> bool:
    if is_staff_role(user):
        return True
    if not user.is_authenticated:
        return False
    return demand.manager_id == user.pk or demand.owner_id in org_ids_of(user)


def organization_visible_q(user: Any) -> Q:
    return EVERYTHING if user is not None and user.is_authenticated else NOTHING


def organization_editable_q(user: Any) -> Q:
    """Staff change every organization, members their own (``organization_editable`` for one)."""
    if is_staff_role(user):
        return EVERYTHING
    if user is None or not user.is_authenticated:
        return NOTHING
    return Q(pk__in=org_ids_of(user))


def organization_editable(user: Any, organization: Any) -> bool:
    """``organization_editable_q`` for an organization the page has just read."""
    if is_staff_role(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return bool(organization.pk in org_ids_of(user))


def person_visible_q(user: Any) -> Q:
    if is_staff_role(user):
        return EVERYTHING
    if user is None or not user.is_authenticated:
        return NOTHING
    return Q(memberships__organization_id__in=org_ids_of(user)) | Q(user=user)


def investor_visible_q(user: Any) -> Q:
    return organization_visible_q(user)


def investor_editable_q(user: Any) -> Q:
    if is_staff_role(user):
        return EVERYTHING
    if user is None or not user.is_authenticated:
        return NOTHING
    return Q(organization_id__in=org_ids_of(user))


def joint_lab_visible_q(user: Any) -> Q:
    return EVERYTHING


def cultivation_visible_q(user: Any, field: str = "organization_id") -> Q:
    """Enterprise yearly figures and evaluations: staff see all, members their own."""
    if is_staff_role(user):
        return EVERYTHING
    if user is None or not user.is_authenticated or Role.MEMBER not in roles_of(user):
        return NOTHING
    return Q(**{f"{field}__in": org_ids_of(user)})


def cultivation_visible(user: Any, organization_id: int) -> bool:
    if is_staff_role(user):
        return True
    return (
        user is not None
        and user.is_authenticated
        and Role.MEMBER in roles_of(user)
        and organization_id in org_ids_of(user)
    )


def staff_only_q(user: Any) -> Q:
    return EVERYTHING if is_staff_role(user) else NOTHING


# --- who may create, and for which owner -------------------------------------------------


def can_create_owned_record(user: Any) -> bool:
    return bool(roles_of(user) & {Role.STAFF, Role.MANAGER, Role.MEMBER})


def may_own(user: Any, organization_id: int | None) -> bool:
    """May this user file a project or demand in the name of that organization?"""
    if organization_id is None:
        return False
    roles = roles_of(user)
    if roles & {Role.STAFF, Role.MANAGER}:
        return True
    return Role.MEMBER in roles and organization_id in org_ids_of(user)


# --- rules predicates: the same filters, applied to one object -----------------------------


def _matches(q_for: Any) -> Any:
    def predicate(user: Any, obj: Model | None = None) -> bool:
        if obj is None:
            return False
        return type(obj)._default_manager.filter(q_for(user), pk=obj.pk).exists()

    return rules_predicate(predicate, name=getattr(q_for, "__name__", "matches"))  # type: ignore[no-untyped-call]


_PERMS = {
    "orgs.view_organization": _matches(organization_visible_q),
    "orgs.change_organization": _matches(organization_editable_q),
    "orgs.view_person": _matches(person_visible_q),
    "orgs.change_person": _matches(staff_only_q),
    "orgs.view_jointlab": _matches(joint_lab_visible_q),
    "orgs.change_jointlab": _matches(staff_only_q),
    "projects.view_techproject": _matches(project_visible_q),
    "projects.change_techproject": _matches(owned_record_editable_q),
    "demands.view_scenariodemand": _matches(demand_visible_q),
    "demands.change_scenariodemand": _matches(owned_record_editable_q),
    "capital.view_investorprofile": _matches(investor_visible_q),
    "capital.change_investorprofile": _matches(investor_editable_q),
    "cultivation.view_enterpriseyearrecord": _matches(cultivation_visible_q),
    "cultivation.change_enterpriseyearrecord": _matches(staff_only_q),
}
for _name, _predicate in _PERMS.items():
    set_perm(_name, _predicate)  # type: ignore[no-untyped-call]
