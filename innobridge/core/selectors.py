"""Reads shared by every area: the home page's live counts and a user's API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from innobridge.core.cache import cached_count
from innobridge.core.choices import Visibility
from innobridge.core.models import ApiToken


def platform_stats(*, user: Any) -> list[dict[str, Any]]:
    """Live counts for the home page: platform-wide totals of non-draft records (aggregates
    reveal no record), then what this user can open."""
    from innobridge.capital.models import InvestorProfile
    from innobridge.capital.selectors import investor_list_for
    from innobridge.demands.models import ScenarioDemand
    from innobridge.demands.selectors import demand_list_for
    from innobridge.orgs.models import JointLab, Organization
    from innobridge.orgs.selectors import organization_list_for
    from innobridge.projects.models import TechProject
    from innobridge.projects.selectors import project_list_for

    signed_in = bool(user and user.is_authenticated)
    count = cached_count  # COUNT(*)s over the whole tables: kept until a record changes
    rows = [
        (_("入驻单位"), count(Organization.objects.all()), "orgs:list",
         count(organization_list_for(user=user)) if signed_in else None),
        (_("技术项目与成果"),
         count(TechProject.objects.exclude(visibility=Visibility.DRAFT)), "projects:list",
         count(project_list_for(user=user)) if signed_in else None),
        (_("公开场景需求"),
         count(ScenarioDemand.objects.filter(visibility=Visibility.PUBLIC)), "demands:list",
         count(demand_list_for(user=user)) if signed_in else None),
        (_("投资与金融机构"), count(InvestorProfile.objects.all()), "capital:list",
         count(investor_list_for(user=user)) if signed_in else None),
        (_("产业创新联合实验室"), count(JointLab.objects.all()), "orgs:lab_list", None),
    ]  # fmt: skip
    return [
        {"label": label, "total": total, "url_name": url_name, "mine": mine}
        for label, total, url_name, mine in rows
    ]


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created")
