"""Message templates are data (ADR 0017): seeded by a data migration, edited by city staff in the admin
(audited), county staff cannot; only approved rows are sent (tests/core/test_sms_providers.py)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from core.choices import AuditAction, MessageProvider
from core.models import AuditLog, MessageTemplate

pytestmark = pytest.mark.django_db


def test_the_data_migration_seeds_every_code_for_every_provider_unapproved():
    rows = {(t.code, t.provider): t for t in MessageTemplate.objects.all()}
    for provider in ("tencent", "aliyun", "gateway"):
        assert not rows[("login_code", provider)].approved
        assert rows[("login_code", provider)].param_names == ["code", "minutes"]
        assert rows[("notice", provider)].param_names == ["content"]
    assert rows[("login_code", MessageProvider.CONSOLE)].approved
    wechat = rows[("notice", MessageProvider.WECHAT)]
    assert wechat.param_names == ["content", "time"] and wechat.provider_keys == ["thing1", "time2"]


def test_city_staff_approve_a_template_in_the_admin_and_it_is_audited(city_staff, client_as):
    template = MessageTemplate.objects.get(code="login_code", provider="tencent")
    response = client_as(city_staff).post(
        f"/admin/core/messagetemplate/{template.pk}/change/",
        {
            "code": "login_code",
            "provider": "tencent",
            "template_id": "1893456",
            "sign_name": "潍坊人社",
            "param_names": '["code", "minutes"]',
            "provider_keys": "[]",
            "approved": "on",
            "active": "on",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content[:800]
    template.refresh_from_db()
    assert (template.template_id, template.sign_name, template.approved) == ("1893456", "潍坊人社", True)
    audit = AuditLog.objects.get(
        action=AuditAction.UPDATE,
        content_type=ContentType.objects.get_for_model(MessageTemplate),
        object_id=str(template.pk),
    )
    assert audit.actor_id == city_staff.pk and audit.after["template_id"] == "1893456"


def test_mismatched_provider_keys_are_a_field_error(city_staff, client_as):
    template = MessageTemplate.objects.get(code="notice", provider="wechat")
    response = client_as(city_staff).post(
        f"/admin/core/messagetemplate/{template.pk}/change/",
        {
            "code": "notice",
            "provider": "wechat",
            "template_id": "X",
            "sign_name": "",
            "param_names": '["content", "time"]',
            "provider_keys": '["thing1"]',
            "active": "on",
            "note": "",
        },
    )
    assert response.status_code == 200 and "服务商参数名须与参数逐一对应。" in response.content.decode()
    template.refresh_from_db()
    assert template.template_id == "NOTICE_TEMPLATE_ID"


def test_county_staff_cannot_edit_templates(officer, client_as):
    template = MessageTemplate.objects.first()
    assert client_as(officer).get(f"/admin/core/messagetemplate/{template.pk}/change/").status_code in (
        302,
        403,
    )
