"""Demo policies, an answered question published as FAQ, an open one, and career-guidance times at the
first county's market (called by `manage.py seed_demo`), built through the services. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from markets.models import Market

from . import services
from .choices import PolicyCategory, QuestionChannel
from .models import GuidanceSlot, PolicyArticle

POLICIES = [
    {
        "title": "灵活就业人员社会保险补贴申领指南",
        "category": PolicyCategory.SOCIAL_INSURANCE,
        "doc_number": "鲁人社规〔2023〕4号",
        "issuer": "山东省人力资源和社会保障厅",
        "summary": "就业困难人员和离校2年内未就业高校毕业生灵活就业并缴纳社会保险费的，可按规定申请社会保险补贴。",
        "body": "一、补贴对象\n就业困难人员、离校2年内未就业高校毕业生以灵活就业方式就业并缴纳社会保险费的。\n\n"
        "二、补贴标准\n按实际缴费的一定比例给予补贴，具体标准以当地公布为准。\n\n三、申领方式\n到户籍或居住地公共就业服务机构申请。",
    },
    {
        "title": "零工职业技能培训补贴政策问答",
        "category": PolicyCategory.TRAINING,
        "doc_number": "鲁人社字〔2025〕37号",
        "issuer": "山东省人力资源和社会保障厅",
        "summary": "零工参加备案培训机构开展的目录内培训并取得证书的，可按规定申领职业技能培训补贴，网约配送员、网约车驾驶员、直播带货员等新就业形态纳入补贴范围。",
        "body": "参加培训前请在零工市场服务台或网上报名，培训结束取得证书后12个月内申领。",
    },
    {
        "title": "零工劳务费被拖欠怎么办",
        "category": PolicyCategory.RIGHTS,
        "doc_number": "",
        "issuer": "潍坊市人力资源和社会保障局",
        "summary": "保留考勤、聊天记录和转账凭证，拨打12333或到市场服务台投诉。",
        "body": "零工与用工方发生劳务费纠纷的，可以向劳动保障监察机构投诉，或申请劳动人事争议调解仲裁。",
    },
]


def seed(stdout=None) -> None:
    if PolicyArticle.objects.exists():
        return
    admin = User.objects.get(phone="13800000000")
    today = timezone.localdate()
    for data in POLICIES:
        article = PolicyArticle.objects.create(effective_from=today - dt.timedelta(days=60), **data)
        services.article_publish(article=article, actor=admin)
    worker = (
        User.objects.filter(role_grants__role=Role.WORKER, scope_unit__isnull=False).order_by("pk").first()
    )
    staff = (
        User.objects.filter(
            role_grants__role=Role.COUNTY_STAFF, scope_unit=getattr(worker, "scope_unit", None)
        )
        .order_by("pk")
        .first()
    )
    if worker is not None and staff is not None:
        answered = services.question_ask(
            actor=worker,
            category=PolicyCategory.TRAINING,
            title="考了电工证还能领培训补贴吗",
            body="我今年在驿站报名的低压电工培训已经拿到证，想问补贴怎么领。",
        )
        services.question_answer(
            question=answered, actor=staff, answer="取得证书后12个月内，持证书到市场服务台或网上申领。"
        )
        services.question_publish_faq(
            question=answered,
            actor=staff,
            faq_question="取得职业技能证书后，怎样申领培训补贴？",
            faq_answer="取得证书后12个月内，持证书到零工市场服务台或在网上申领，同一职业同一等级只补贴一次。",
        )
        services.question_ask(
            actor=worker,
            category=PolicyCategory.SOCIAL_INSURANCE,
            title="打零工能自己交社保吗",
            body="我没有单位，想以灵活就业身份交养老保险。",
            channel=QuestionChannel.ONLINE,
        )
    market = Market.objects.public().order_by("scope_unit__code", "pk").first()
    if market is not None and not GuidanceSlot.objects.exists():
        start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
        for i in range(2):
            GuidanceSlot.objects.create(
                market=market,
                starts_at=start + dt.timedelta(days=i),
                ends_at=start + dt.timedelta(days=i, hours=2),
                capacity=4,
                counsellor="张老师",
                topic="求职指导与新就业形态",
            )
    if stdout:
        stdout.write(
            f"  guidance: {PolicyArticle.objects.count()} policies, {GuidanceSlot.objects.count()} slots"
        )
