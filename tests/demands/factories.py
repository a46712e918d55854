from __future__ import annotations

from decimal import Decimal

import factory

from innobridge.core.choices import Visibility
from innobridge.demands.models import ScenarioDemand
from tests.orgs.factories import OrganizationFactory


class ScenarioDemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScenarioDemand

    title = factory.Sequence(lambda n: f"新能源汽车电池托盘激光焊接质量提升需求{n}")
    description = "电池托盘铝合金焊接气孔率偏高，需要稳定的激光焊接工艺与在线检测方案。"
    field = "laser"
    required_trl = 6
    budget = Decimal("300")
    owner = factory.SubFactory(OrganizationFactory)
    contact_name = "周联系"
    contact_phone = "13800000000"
    status = ScenarioDemand.Status.PUBLISHED
    visibility = Visibility.PUBLIC
