from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.choices import DeliveryStatus  # noqa: F401  (one status set for every delivery log)


class MarketKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合性市场")
    INDUSTRY = "industry", _("行业性市场")
    STATION = "station", _("零工驿站/服务站点")


class OperatingModel(models.TextChoices):
    BUREAU = "bureau", _("人社部门自建自营")
    EMPLOYMENT_OFFICE = "employment_office", _("公共就业服务机构专区")
    PURCHASED = "purchased", _("政府购买服务委托运营")


class MarketStatus(models.TextChoices):
    PLANNED = "planned", _("筹建中")
    OPERATING = "operating", _("运营中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已关闭")
    BANNED = "banned", _("已取缔")


MARKET_TRANSITIONS: dict[str, frozenset[str]] = {
    MarketStatus.PLANNED: frozenset({MarketStatus.OPERATING}),
    MarketStatus.OPERATING: frozenset({MarketStatus.SUSPENDED, MarketStatus.CLOSED, MarketStatus.BANNED}),
    MarketStatus.SUSPENDED: frozenset({MarketStatus.OPERATING, MarketStatus.CLOSED, MarketStatus.BANNED}),
    MarketStatus.CLOSED: frozenset(),
    MarketStatus.BANNED: frozenset(),
}


class PlatformKind(models.TextChoices):
    WEBSITE = "website", _("网站")
    MINI_PROGRAM = "mini_program", _("微信小程序")
    APP = "app", _("手机应用")
    OFFICIAL_ACCOUNT = "official_account", _("微信公众号")


class PlatformStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已纳入")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("暂停")


PLATFORM_TRANSITIONS: dict[str, frozenset[str]] = {
    PlatformStatus.PENDING: frozenset({PlatformStatus.APPROVED, PlatformStatus.REJECTED}),
    PlatformStatus.APPROVED: frozenset({PlatformStatus.SUSPENDED}),
    PlatformStatus.SUSPENDED: frozenset({PlatformStatus.APPROVED}),
    PlatformStatus.REJECTED: frozenset({PlatformStatus.PENDING}),
}


class RiskGrade(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class FindingResult(models.TextChoices):
    PASS = "pass", _("合格")
    MINOR = "minor", _("一般问题")
    MAJOR = "major", _("严重问题")


class RiskAction(models.TextChoices):
    """What staff decided about an inspection (its disposition), and where that stands."""

    NONE = "", _("无需处置")
    RECTIFY = "rectify", _("限期整改")
    SUSPEND = "suspend", _("暂停运营")
    BAN = "ban", _("取缔")
    RECTIFIED = "rectified", _("已整改")


# The decisions staff take on a high-risk inspection (the admin's and the API's choices).
RISK_DECISIONS = (RiskAction.RECTIFY, RiskAction.SUSPEND, RiskAction.BAN)

INSPECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    RiskAction.NONE: frozenset(RISK_DECISIONS),
    RiskAction.RECTIFY: frozenset({RiskAction.RECTIFIED}),
    RiskAction.SUSPEND: frozenset(),
    RiskAction.BAN: frozenset(),
    RiskAction.RECTIFIED: frozenset(),
}


class NoticeKind(models.TextChoices):
    SUSPENSION = "suspension", _("暂停")
    BAN = "ban", _("取缔")
    CLOSURE = "closure", _("关闭")
    WEATHER = "weather", _("天气停市")
    OTHER = "other", _("其他")


class CoordinateSystem(models.TextChoices):
    WGS84 = "wgs84", _("WGS-84（天地图、GPS）")
    GCJ02 = "gcj02", _("GCJ-02（高德、腾讯地图）")
    BD09 = "bd09", _("BD-09（百度地图）")


WEEKDAYS = [
    ("1", _("周一")),
    ("2", _("周二")),
    ("3", _("周三")),
    ("4", _("周四")),
    ("5", _("周五")),
    ("6", _("周六")),
    ("7", _("周日")),
]


# The names of the facilities standard as seeded (markets/migrations/0002), marked for translation: a
# Facility shows ``gettext(name)`` (``Facility.label``).
FACILITY_NAMES = (
    gettext_noop("避雨棚"),
    gettext_noop("遮阳设施"),
    gettext_noop("临时停车位"),
    gettext_noop("信息发布屏（栏）"),
    gettext_noop("饮用水"),
    gettext_noop("卫生间"),
    gettext_noop("休息区"),
    gettext_noop("培训报名点"),
    gettext_noop("维权服务台"),
    gettext_noop("直播带岗间"),
)
