from __future__ import annotations

from decimal import Decimal

import factory

from innobridge.capital.models import InvestorProfile
from innobridge.orgs.models import Organization
from tests.orgs.factories import OrganizationFactory


class InvestorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvestorProfile

    organization = factory.SubFactory(
        OrganizationFactory, kind=Organization.Kind.INVESTOR, field=""
    )
    kind = InvestorProfile.Kind.VC
    preferred_fields = factory.LazyFunction(lambda: ["laser", "ic"])
    preferred_stages = factory.LazyFunction(lambda: ["a", "b"])
    ticket_min = Decimal("500")
    ticket_max = Decimal("5000")
