from django.db import models
from django.utils.translation import gettext_lazy as _


class WageUnit(models.TextChoices):
    HOUR = "hour", _("元/小时")
    DAY = "day", _("元/天")
    PIECE = "piece", _("元/件")
    JOB = "job", _("元/单（整活）")


class Settlement(models.TextChoices):
    DAILY = "daily", _("日结")
    ON_COMPLETION = "on_completion", _("完工结")
    WEEKLY = "weekly", _("周结")


class SkillLevel(models.TextChoices):
    BEGINNER = "beginner", _("学徒/初级")
    SKILLED = "skilled", _("熟练")
    EXPERT = "expert", _("高级/技师")


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("可以打电话")
    SMS = "sms", _("只发短信")
    PLATFORM = "platform", _("只在平台内联系")


class EmployerKind(models.TextChoices):
    PERSON = "person", _("个人或家庭")
    ORGANIZATION = "organization", _("企业或单位")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("未通过")


# Employer review (用工登记审核): a rejected registration may be approved on a second look (the employer brought
# the missing papers to the counter); an approved one is not reviewed again.
EMPLOYER_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationStatus.PENDING: frozenset({VerificationStatus.APPROVED, VerificationStatus.REJECTED}),
    VerificationStatus.REJECTED: frozenset({VerificationStatus.APPROVED}),
    VerificationStatus.APPROVED: frozenset(),
}


class CertificateStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("待核验")
    VERIFIED = "verified", _("已核验")
    REJECTED = "rejected", _("核验未通过")


# A certificate is checked by staff (county or market counter) against the document the worker shows; only a
# verified one opens licensed (特种作业) work. A later look may reverse either outcome.
CERTIFICATE_TRANSITIONS: dict[str, frozenset[str]] = {
    CertificateStatus.UNVERIFIED: frozenset({CertificateStatus.VERIFIED, CertificateStatus.REJECTED}),
    CertificateStatus.VERIFIED: frozenset({CertificateStatus.REJECTED}),
    CertificateStatus.REJECTED: frozenset({CertificateStatus.VERIFIED}),
}


class PostingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING_REVIEW = "pending_review", _("待审核")
    PUBLISHED = "published", _("招聘中")
    FILLED = "filled", _("已招满")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


POSTING_TRANSITIONS: dict[str, frozenset[str]] = {
    PostingStatus.DRAFT: frozenset({PostingStatus.PENDING_REVIEW}),
    PostingStatus.PENDING_REVIEW: frozenset({PostingStatus.PUBLISHED, PostingStatus.DRAFT}),
    PostingStatus.PUBLISHED: frozenset({PostingStatus.FILLED, PostingStatus.CLOSED, PostingStatus.EXPIRED}),
    PostingStatus.FILLED: frozenset({PostingStatus.PUBLISHED, PostingStatus.CLOSED, PostingStatus.EXPIRED}),
    PostingStatus.CLOSED: frozenset(),
    PostingStatus.EXPIRED: frozenset(),
}


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已报名")
    ACCEPTED = "accepted", _("已录用")
    REJECTED = "rejected", _("未录用")
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.APPLIED: frozenset(
        {ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.ACCEPTED: frozenset({ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


class ApplicationSource(models.TextChoices):
    SELF = "self", _("本人报名")
    REFERRAL = "referral", _("职业介绍")
    COUNTER = "counter", _("服务台代办")


class ReportReason(models.TextChoices):
    FEE = "fee", _("收费或押金")
    DISCRIMINATION = "discrimination", _("就业歧视")
    SCAM = "scam", _("疑似诈骗")
    FALSE = "false", _("信息不实")
    OTHER = "other", _("其他")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    HANDLED = "handled", _("已处理")
    DISMISSED = "dismissed", _("不予处理")


REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.OPEN: frozenset({ReportStatus.HANDLED, ReportStatus.DISMISSED}),
    ReportStatus.HANDLED: frozenset(),
    ReportStatus.DISMISSED: frozenset(),
}


class FairKind(models.TextChoices):
    DAY = "day", _("集市")
    NIGHT = "night", _("夜市")


WEEKDAYS = [
    ("1", _("周一")),
    ("2", _("周二")),
    ("3", _("周三")),
    ("4", _("周四")),
    ("5", _("周五")),
    ("6", _("周六")),
    ("7", _("周日")),
]


class PersonCategoryKind(models.TextChoices):
    """The person's category for employment services and subsidies (recorded with evidence, effective-dated)."""

    REGISTERED_UNEMPLOYED = "registered_unemployed", _("登记失业人员")
    RURAL_MIGRANT = "rural_migrant", _("农村转移劳动力")
    FLEXIBLE = "flexible", _("灵活就业人员")
    NEW_FORM = "new_form", _("新就业形态劳动者")
    HARD_TO_EMPLOY = "hard_to_employ", _("就业困难人员")
    GRADUATE = "graduate", _("高校毕业生")
    OTHER = "other", _("其他")


class NewFormKind(models.TextChoices):
    NONE = "", _("不适用")
    RIDER = "rider", _("网约配送员")
    DRIVER = "driver", _("网约车驾驶员")
    STREAMER = "streamer", _("直播带货员")


class PersonCategorySource(models.TextChoices):
    SELF_DECLARED = "self_declared", _("本人申报")
    STAFF_VERIFIED = "staff_verified", _("工作人员核实")
    DERIVED_FROM_WORK = "derived_from_work", _("由用工记录推定")
