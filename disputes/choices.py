from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ONLINE = "online", _("网上投诉")
    COUNTER = "counter", _("窗口登记")
    HOTLINE = "hotline", _("12333 热线")
    TRANSFER_12345 = "transfer_12345", _("12345 转办")
    ARREARS_PLATFORM = "arrears_platform", _("全国欠薪线索平台")
    ARREARS_ALERT = "arrears_alert", _("欠薪预警")


STAFF_CHANNELS = frozenset(
    {Channel.COUNTER, Channel.HOTLINE, Channel.TRANSFER_12345, Channel.ARREARS_PLATFORM}
)


class RelationshipType(models.TextChoices):
    LABOUR = "labour", _("劳动关系")
    SERVICE = "service", _("劳务关系")
    UNKNOWN = "unknown", _("不清楚")


class ClaimType(models.TextChoices):
    WAGES = "wages", _("拖欠工资")
    OVERTIME = "overtime", _("加班费")
    COMPENSATION = "compensation", _("经济补偿")
    DOUBLE_WAGE = "double_wage", _("未签劳动合同二倍工资差额")
    INJURY_MEDICAL = "injury_medical", _("工伤医疗费")
    DEPOSIT_REFUND = "deposit_refund", _("退还押金")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    OTHER = "other", _("其他")


class Queue(models.TextChoices):
    INSPECTION = "inspection", _("劳动保障监察")
    ARBITRATION = "arbitration", _("劳动人事争议仲裁")
    MEDIATION = "mediation", _("调解")
    GUIDANCE = "guidance", _("引导（人民调解、法律援助或诉讼）")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    MEDIATING = "mediating", _("调解中")
    REFERRED_INSPECTION = "referred_inspection", _("已转劳动保障监察")
    REFERRED_ARBITRATION = "referred_arbitration", _("已转劳动争议仲裁")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已归档")


CASE_TRANSITIONS = {
    CaseStatus.RECEIVED: {CaseStatus.ACCEPTED, CaseStatus.NOT_ACCEPTED},
    CaseStatus.ACCEPTED: {
        CaseStatus.MEDIATING,
        CaseStatus.REFERRED_INSPECTION,
        CaseStatus.REFERRED_ARBITRATION,
        CaseStatus.RESOLVED,
    },
    CaseStatus.MEDIATING: {
        CaseStatus.RESOLVED,
        CaseStatus.REFERRED_INSPECTION,
        CaseStatus.REFERRED_ARBITRATION,
    },
    CaseStatus.REFERRED_INSPECTION: {CaseStatus.RESOLVED},
    CaseStatus.REFERRED_ARBITRATION: {CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseStatus.CLOSED},
    CaseStatus.NOT_ACCEPTED: set(),
    CaseStatus.CLOSED: set(),
}
OPEN_STATUSES = frozenset(
    {
        CaseStatus.RECEIVED,
        CaseStatus.ACCEPTED,
        CaseStatus.MEDIATING,
        CaseStatus.REFERRED_INSPECTION,
        CaseStatus.REFERRED_ARBITRATION,
    }
)
# What a respondent may see of a complaint: once it is accepted (never while staff still triage it).
RESPONDENT_STATUSES = frozenset(CASE_TRANSITIONS) - {CaseStatus.RECEIVED, CaseStatus.NOT_ACCEPTED}


class ClockKind(models.TextChoices):
    INSPECTION_ACCEPT = "inspection_accept", _("监察受理期限")
    INSPECTION_RESOLVE = "inspection_resolve", _("监察办结期限")
    ARBITRATION_ACCEPT = "arbitration_accept", _("仲裁受理审查期限")
    ARBITRATION_AWARD = "arbitration_award", _("仲裁裁决期限")
    MEDIATION = "mediation", _("调解期限")


class DayKind(models.TextChoices):
    WORKING = "working", _("工作日")
    CALENDAR = "calendar", _("自然日")


class DeadlineState(models.TextChoices):
    ON_TIME = "on_time", _("未到期")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已超期")


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("图片")
    PDF = "pdf", _("PDF 文件")


class BlacklistBasis(models.TextChoices):
    """Why an employer is listed (《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条)."""

    PAYMENT_ORDER = "payment_order", _("责令限期支付逾期未支付，数额达到标准")
    MASS_INCIDENT = "mass_incident", _("拖欠工资引发群体性事件")


class BlacklistStatus(models.TextChoices):
    LISTED = "listed", _("惩戒期内")
    LIFTED = "lifted", _("已提前移出")
    EXPIRED = "expired", _("期满移出")


class ReferralBody(models.TextChoices):
    INSPECTION = "inspection", _("劳动保障监察机构")
    ARBITRATION = "arbitration", _("劳动人事争议仲裁委员会")


class AnswerPosition(models.TextChoices):
    ACCEPT = "accept", _("认可")
    DISPUTE = "dispute", _("不认可")
    PARTIAL = "partial", _("部分认可")


class MediationOutcome(models.TextChoices):
    CONTINUING = "continuing", _("继续调解")
    AGREEMENT = "agreement", _("达成协议")
    NO_AGREEMENT = "no_agreement", _("未达成协议")


class VisitMethod(models.TextChoices):
    PHONE = "phone", _("电话回访")
    VISIT = "visit", _("上门回访")
    SMS = "sms", _("短信回访")
    COUNTER = "counter", _("窗口回访")


# A respondent answers while the case is being handled (not before acceptance, not after resolution).
ANSWERABLE_STATUSES = frozenset(
    {
        CaseStatus.ACCEPTED,
        CaseStatus.MEDIATING,
        CaseStatus.REFERRED_INSPECTION,
        CaseStatus.REFERRED_ARBITRATION,
    }
)
RATEABLE_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


# --- market safety reports (隐患报告, ADR 0027) -----------------------------------------------------------------


class HazardKind(models.TextChoices):
    CROWDING = "crowding", _("人员拥挤或交通隐患")
    FIRE = "fire", _("消防隐患")
    STRUCTURE = "structure", _("建筑、雨棚不牢固")
    ELECTRICAL = "electrical", _("用电隐患")
    SANITATION = "sanitation", _("卫生防疫问题")
    OTHER = "other", _("其他隐患")


class SafetyReportStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    INSPECTING = "inspecting", _("已转安全检查")
    DISMISSED = "dismissed", _("不予处理")
    CONCLUDED = "concluded", _("已处置")


SAFETY_REPORT_TRANSITIONS = {
    SafetyReportStatus.RECEIVED: {SafetyReportStatus.INSPECTING, SafetyReportStatus.DISMISSED},
    SafetyReportStatus.INSPECTING: {SafetyReportStatus.CONCLUDED},
    SafetyReportStatus.DISMISSED: set(),
    SafetyReportStatus.CONCLUDED: set(),
}
