"""Conflicts of interest (利益冲突回避), one rule set for assignment, manual picks and checks.

An expert may not review an item when they
- work, or worked within the last ``LOOKBACK_YEARS`` years, at the applicant or a co-applicant
  organization (``orgs.Membership`` with its dates),
- are on the project's own team, or
- declared a conflict with the applicant organization or with the item.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.orgs.models import Membership, Organization, Person

LOOKBACK_YEARS = 3


def item_organizations(item: Any) -> set[int]:
    """The applicant and the co-applicants of an item."""
    if item.submission_id:
        submission = item.submission
        return {submission.project.owner_id, *submission.co_applicants.values_list("pk", flat=True)}
    return {item.application.organization_id}


def conflicts(items: Sequence[Any], experts: Sequence[Person]) -> dict[tuple[int, int], str]:
    """(item, expert) → the reason they may not be paired, for every conflicting pair."""
    from innobridge.review.models import DeclaredConflict

    if not items or not experts:
        return {}
    expert_ids = [e.pk for e in experts]
    orgs_of_item = {item.pk: item_organizations(item) for item in items}
    all_orgs = set().union(*orgs_of_item.values())
    names = dict(Organization.objects.filter(pk__in=all_orgs).values_list("pk", "name"))
    today = timezone.localdate()
    since = today - datetime.timedelta(days=365 * LOOKBACK_YEARS + 1)
    worked: dict[int, dict[int, bool]] = defaultdict(dict)  # expert → org → still there
    memberships = Membership.objects.filter(person_id__in=expert_ids, organization_id__in=all_orgs)
    for m in memberships.filter(Q(end__isnull=True) | Q(end__gte=since)):
        current = m.end is None or m.end >= today
        worked[m.person_id][m.organization_id] = worked[m.person_id].get(m.organization_id, False) or current  # fmt: skip
    declared_orgs: dict[int, set[int]] = defaultdict(set)
    declared_items: dict[int, set[int]] = defaultdict(set)
    for d in DeclaredConflict.objects.filter(expert_id__in=expert_ids).filter(Q(organization_id__in=all_orgs) | Q(item__in=[i.pk for i in items])):  # fmt: skip
        if d.organization_id:
            declared_orgs[d.expert_id].add(d.organization_id)
        if d.item_id:
            declared_items[d.expert_id].add(d.item_id)
    team: dict[int, set[int]] = defaultdict(set)  # project → team member persons
    projects = [item.submission.project_id for item in items if item.submission_id]
    for project_id, person_id in Person.projects.through.objects.filter(techproject_id__in=projects, person_id__in=expert_ids).values_list("techproject_id", "person_id"):  # fmt: skip
        team[project_id].add(person_id)
    found: dict[tuple[int, int], str] = {}
    for item in items:
        organizations = orgs_of_item[item.pk]
        members = team.get(item.submission.project_id, set()) if item.submission_id else set()
        for expert in experts:
            reason = ""
            for org in organizations & set(worked.get(expert.pk, {})):
                reason = (
                    _("现任职于申报单位“%(org)s”") if worked[expert.pk][org] else _("近三年曾任职于申报单位“%(org)s”")
                ) % {"org": names.get(org, org)}  # fmt: skip
                break
            if not reason and expert.pk in members:
                reason = _("是该项目团队成员")
            if not reason and organizations & declared_orgs.get(expert.pk, set()):
                reason = _("已声明与申报单位存在利益冲突")
            if not reason and item.pk in declared_items.get(expert.pk, set()):
                reason = _("已声明与该项目存在利益冲突")
            if reason:
                found[(item.pk, expert.pk)] = reason
    return found


def current_organizations(experts: Sequence[Person]) -> dict[int, int | str]:
    """Expert → their current organization (the latest current membership), for diversity."""
    today = timezone.localdate()
    result: dict[int, int | str] = {e.pk: f"person:{e.pk}" for e in experts}
    rows = (
        Membership.objects.filter(person_id__in=[e.pk for e in experts])
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .order_by("person_id", "start")
        .values_list("person_id", "organization_id")
    )
    for person_id, organization_id in rows:
        result[person_id] = organization_id  # the latest start wins
    return result
