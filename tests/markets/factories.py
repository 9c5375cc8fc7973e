"""Factories for the markets app. Workflow fields (status) are set directly here to arrange a test; the
code under test changes them only through services."""

from __future__ import annotations

import datetime as dt

import factory

from accounts.choices import Role
from markets.choices import MarketKind, MarketStatus, OperatingModel, PlatformKind, PlatformStatus
from markets.models import (
    Inspection,
    InspectionFinding,
    InspectionItem,
    Market,
    MarketOperator,
    OnlinePlatform,
    WebhookSubscriber,
)

from ..accounts.factories import UserFactory, unit


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试零工市场{n:03d}")
    kind = MarketKind.COMPREHENSIVE
    status = MarketStatus.OPERATING
    scope_unit = factory.LazyFunction(lambda: unit("370702"))
    address = factory.Sequence(lambda n: f"潍坊市潍城区胜利西街{n + 1}号")
    lat = factory.Sequence(lambda n: 36.70 + (n % 50) * 0.001)
    lng = factory.Sequence(lambda n: 119.10 + (n % 50) * 0.001)
    operating_model = OperatingModel.BUREAU
    operator_name = "潍城区公共就业和人才服务中心"
    opens_at = dt.time(5, 0)
    closes_at = dt.time(11, 0)
    capacity = 200
    hotline = factory.Sequence(lambda n: f"0536-8{n:06d}")
    complaint_channel = "12333"

    @factory.post_generation
    def facilities(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilities.set(extracted)


def operator_user(**kwargs):
    """A market operator's counter account (a role, no staff scope)."""
    return UserFactory(roles=[Role.MARKET_OPERATOR], **kwargs)


class MarketOperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketOperator

    market = factory.SubFactory(MarketFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.MARKET_OPERATOR])


class OnlinePlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnlinePlatform

    scope_unit = factory.LazyFunction(lambda: unit("370702"))
    name = factory.Sequence(lambda n: f"线上零工平台{n}")
    kind = PlatformKind.MINI_PROGRAM
    operator_name = "潍坊鸢都人力资源有限公司"
    status = PlatformStatus.APPROVED


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    market = factory.SubFactory(MarketFactory)
    inspector_names = "县人社局 王敏"

    @factory.post_generation
    def results(self, create, extracted, **kwargs):
        """``results={"traffic": "major"}``: one finding per active checklist item, pass unless named."""
        if not create or extracted is None:
            return
        for item in InspectionItem.objects.filter(is_active=True):
            InspectionFinding.objects.create(
                inspection=self, item=item, result=extracted.get(item.code, "pass")
            )


class WebhookSubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscriber

    name = factory.Sequence(lambda n: f"订阅方{n}")
    url = "http://127.0.0.1:9/hook"
    secret = factory.Sequence(lambda n: f"secret-{n}-0123456789abcdef")
