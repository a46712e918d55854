from __future__ import annotations

import factory

from innobridge.core.uscc import make_uscc
from innobridge.orgs.models import Membership, Organization, Person


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"武汉测试光电科技有限公司{n:04d}")
    kind = Organization.Kind.ENTERPRISE
    uscc = factory.Sequence(lambda n: make_uscc("9", "1", "420100", f"{n + 10000000:08d}"))
    district = "east_lake"
    field = "laser"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "研发经理"
