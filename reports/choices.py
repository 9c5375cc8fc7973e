from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorMethod(models.TextChoices):
    COMPUTED = "computed", _("平台计算")
    SUBMITTED = "submitted", _("县级报送")


class FactSource(models.TextChoices):
    COMPUTED = "computed", _("平台计算")
    SUBMITTED = "submitted", _("县级报送")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季")
    YEAR = "year", _("年")


class IndicatorUnit(models.TextChoices):
    PERSONS = "persons", _("人")
    UNITS = "units", _("个")
    ITEMS = "items", _("件")
    PERSON_TIMES = "person_times", _("人次")
    YUAN = "yuan", _("元")
    RATIO = "ratio", _("倍")
    PERCENT = "percent", _("%")
    DAYS = "days", _("天")
    TIMES = "times", _("次")


class ApprovalStatus(models.TextChoices):
    """A month's approval for one org unit (DHIS2's approval levels): a county submits, the city accepts."""

    OPEN = "open", _("未报送")
    SUBMITTED = "submitted", _("已报送")
    ACCEPTED = "accepted", _("已审核")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
