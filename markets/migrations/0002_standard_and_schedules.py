"""The facilities standard and the inspection checklist (staff can edit both), and the periodic tasks
that publish the map (debounced) and retry webhooks. Created once; staff edits survive."""

from django.db import migrations

FACILITIES = [
    ("rain_shelter", "避雨棚", "候工区有遮挡雨雪的顶棚"),
    ("sun_shade", "遮阳设施", "夏季遮阳、防暑降温"),
    ("parking", "临时停车位", "用工方短时停车接人"),
    ("info_board", "信息发布屏（栏）", "电子屏或公告栏，发布岗位和政策"),
    ("drinking_water", "饮用水", "免费饮用水"),
    ("toilet", "卫生间", ""),
    ("rest_area", "休息区", "座椅、休息室"),
    ("training_point", "培训报名点", "技能培训报名"),
    ("rights_desk", "维权服务台", "投诉受理、劳动保障监察和仲裁绿色通道"),
    ("livestream_room", "直播带岗间", "直播招聘"),
]

ITEMS = [
    ("crowd", "人员聚集与疏散", "高峰时段人员密度、疏散通道是否畅通", True),
    ("traffic", "交通安全", "是否占用机动车道，上下客是否安全", True),
    ("fire", "消防设施", "灭火器、消防通道、用火用电", True),
    ("electric", "用电安全", "电线、插座、电子屏", True),
    ("structure", "顶棚与设施牢固", "雨棚、遮阳棚、信息屏的牢固程度", True),
    ("hygiene", "环境卫生", "垃圾清运、卫生间", False),
    ("info", "信息公示", "服务电话、投诉渠道、岗位信息公示", False),
    ("order", "秩序管理", "是否有管理人员，是否存在收费、欺诈招工", False),
]

SCHEDULES = [
    ("地图发布（防抖）", "markets.tasks.map_publish_task", 10),
    ("地图更新推送重试", "markets.tasks.webhook_retry_task", 60),
]


def forwards(apps, schema_editor):
    Facility = apps.get_model("markets", "Facility")
    InspectionItem = apps.get_model("markets", "InspectionItem")
    for i, (code, name, desc) in enumerate(FACILITIES):
        Facility.objects.get_or_create(code=code, defaults={"name": name, "description": desc, "sort": i})
    for i, (code, name, desc, critical) in enumerate(ITEMS):
        InspectionItem.objects.get_or_create(code=code, defaults={"name": name, "description": desc, "critical": critical, "sort": i})
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, seconds in SCHEDULES:
        every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": every})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("markets", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forwards, backwards)]
