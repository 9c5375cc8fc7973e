"""Seeds the message templates (ADR 0017): our codes with a placeholder row per provider. The template ids
are each deployment's own (approved in its provider console): staff put the real id in the admin and tick
"approved"; until then the provider sends nothing for that template (the delivery fails, recorded). The
console rows are approved: development logs them."""

from django.db import migrations

TEMPLATES = [
    # code, params (our names, in the provider template's order), provider keys per provider, note
    ("login_code", ["code", "minutes"], {}, "您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。"),
    ("notice", ["content"], {}, "{content}"),
]
WECHAT = [("notice", ["content", "time"], ["thing1", "time2"], "通知内容 {{thing1}}，时间 {{time2}}")]
SMS_PROVIDERS = ["tencent", "aliyun", "gateway", "console"]


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("core", "MessageTemplate")
    for code, params, _keys, note in TEMPLATES:
        for provider in SMS_PROVIDERS:
            MessageTemplate.objects.get_or_create(
                code=code,
                provider=provider,
                defaults={
                    "template_id": f"{code.upper()}_TEMPLATE_ID" if provider != "console" else code,
                    "sign_name": "零工市场",
                    "param_names": params,
                    "approved": provider == "console",
                    "note": note,
                },
            )
    for code, params, keys, note in WECHAT:
        MessageTemplate.objects.get_or_create(
            code=code,
            provider="wechat",
            defaults={
                "template_id": "NOTICE_TEMPLATE_ID",
                "param_names": params,
                "provider_keys": keys,
                "approved": False,
                "note": note,
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("core", "MessageTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0009_message_templates_and_provider_receipts")]
    operations = [migrations.RunPython(forwards, backwards)]
