from __future__ import annotations

import factory

from innobridge.core.choices import Visibility
from innobridge.projects.models import TechProject
from tests.orgs.factories import OrganizationFactory


class TechProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechProject

    title = factory.Sequence(lambda n: f"万瓦级光纤激光厚板高速切割技术{n}")
    summary = "针对中厚板切割断面粗糙、挂渣严重的问题，研制万瓦级光纤激光切割工艺包。"
    field = "laser"
    trl = 6
    owner = factory.SubFactory(OrganizationFactory)
    keywords = "光纤激光器，厚板切割"
    visibility = Visibility.PUBLIC
