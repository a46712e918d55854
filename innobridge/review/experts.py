"""The expert pool (专家库): register or update experts, with their affiliation (Membership,
which feeds the conflict rules) and their profile (other fields, bio, works)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.roles import is_staff_role
from innobridge.core.services import save_validated
from innobridge.orgs.models import Membership, Organization, Person
from innobridge.review.models import ExpertProfile


@transaction.atomic
def expert_upsert(
    *, actor: Any, name: str, organization: Organization | None, title: str = "",
    field: str = "", keywords: str = "", email: str = "", phone: str = "",
    other_fields: Sequence[str] = (), bio: str = "", works: str = "",
    since: datetime.date | None = None,
) -> Person:  # fmt: skip
    """An expert is known by name and current organization: importing the same sheet twice
    updates them instead of creating a twin."""
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以管理专家库。"))
    name = name.strip()
    if not name:
        raise ApplicationError(_("请填写专家姓名。"), {"errors": {"name": [_("请填写专家姓名。")]}})
    if organization is None:
        raise ApplicationError(
            _("请填写专家的任职单位（用于利益冲突回避）。"),
            {"errors": {"organization": [_("请填写专家的任职单位（用于利益冲突回避）。")]}},
        )
    person = Person.objects.filter(name=name, memberships__organization=organization, memberships__end__isnull=True).first()  # fmt: skip
    if person is None:
        person = Person(name=name)
    person.is_expert = True
    for attribute, value in (("title", title), ("field", field), ("keywords", keywords), ("email", email), ("phone", phone)):  # fmt: skip
        if value:
            setattr(person, attribute, value.strip() if isinstance(value, str) else value)
    save_validated(person, actor=actor, reason=_("专家库导入"))
    if not person.memberships.filter(organization=organization, end__isnull=True).exists():
        Membership.objects.create(person=person, organization=organization, role=title[:60], start=since)  # fmt: skip
    profile, _created = ExpertProfile.objects.get_or_create(person=person)
    profile.other_fields = sorted(set(other_fields))
    if bio:
        profile.bio = bio.strip()
    if works:
        profile.works = works.strip()
    save_validated(profile, actor=actor, reason=_("专家库导入"))
    return person


def experts_for_export(user: Any, params: dict[str, Any]) -> QuerySet[Person]:
    if not is_staff_role(user):
        return Person.objects.none()
    return (
        Person.objects.filter(is_expert=True)
        .select_related("expert_profile")
        .prefetch_related("memberships__organization")
        .order_by("name", "pk")
    )
