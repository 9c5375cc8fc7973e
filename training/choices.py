"""Choices and transition tables of the training app (DESIGN.md's workflow table)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionStatus(models.TextChoices):
    APPLIED = "applied", _("待审核")
    RETURNED = "returned", _("退回修改")
    FILED = "filed", _("已备案")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已撤销")


INSTITUTION_TRANSITIONS = {
    InstitutionStatus.APPLIED: {InstitutionStatus.FILED, InstitutionStatus.RETURNED},
    InstitutionStatus.RETURNED: {InstitutionStatus.APPLIED},
    InstitutionStatus.FILED: {InstitutionStatus.SUSPENDED, InstitutionStatus.REVOKED},
    InstitutionStatus.SUSPENDED: {InstitutionStatus.FILED, InstitutionStatus.REVOKED},
    InstitutionStatus.REVOKED: set(),
}


class InstitutionGrade(models.TextChoices):
    NONE = "", _("未评级")
    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级")


class SpotCheckResult(models.TextChoices):
    PASS = "pass", _("合格")
    RECTIFY = "rectify", _("限期整改")
    FAIL = "fail", _("不合格")


class CertificateType(models.TextChoices):
    QUALIFICATION = "qualification", _("职业资格证书")
    SKILL_LEVEL = "skill_level", _("职业技能等级证书")
    SPECIAL_ABILITY = "special_ability", _("专项职业能力证书")
    TRAINING = "training", _("培训合格证书")
    SPECIAL_OPERATION = "special_operation", _("特种作业操作证")
    ENTREPRENEURSHIP = "entrepreneurship", _("创业培训合格证书")


class SkillLevel(models.TextChoices):
    """Levels in order (a higher rank blocks a lower-level claim in the same occupation)."""

    NONE = "none", _("不分等级")
    LEVEL5 = "5", _("五级/初级工")
    LEVEL4 = "4", _("四级/中级工")
    LEVEL3 = "3", _("三级/高级工")
    LEVEL2 = "2", _("二级/技师")
    LEVEL1 = "1", _("一级/高级技师")


LEVEL_RANK = {
    SkillLevel.NONE: 0,
    SkillLevel.LEVEL5: 1,
    SkillLevel.LEVEL4: 2,
    SkillLevel.LEVEL3: 3,
    SkillLevel.LEVEL2: 4,
    SkillLevel.LEVEL1: 5,
}


class NewFormOfWork(models.TextChoices):
    NONE = "", _("否")
    RIDER = "rider", _("网约配送员")
    DRIVER = "driver", _("网约车驾驶员")
    STREAMER = "streamer", _("直播带货员")


class ClassStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("退回修改")
    RUNNING = "running", _("开班中")
    COMPLETED = "completed", _("已结业")
    CANCELLED = "cancelled", _("已取消")


CLASS_TRANSITIONS = {
    ClassStatus.DRAFT: {ClassStatus.SUBMITTED},
    ClassStatus.SUBMITTED: {ClassStatus.APPROVED, ClassStatus.RETURNED},
    ClassStatus.RETURNED: {ClassStatus.SUBMITTED},
    ClassStatus.APPROVED: {ClassStatus.RUNNING, ClassStatus.CANCELLED},
    ClassStatus.RUNNING: {ClassStatus.COMPLETED, ClassStatus.CANCELLED},
    ClassStatus.COMPLETED: set(),
    ClassStatus.CANCELLED: set(),
}

# the states in which a class is shown to the public and takes enrollments
OPEN_CLASS_STATUSES = (ClassStatus.APPROVED, ClassStatus.RUNNING)


class ClassMode(models.TextChoices):
    OFFLINE = "offline", _("线下面授")
    ONLINE = "online", _("线上培训")


class VenueKind(models.TextChoices):
    MARKET_CLASSROOM = "market_classroom", _("零工市场内教室")
    MARKET_SIGNUP = "market_signup", _("零工市场内报名点")
    INSTITUTION = "institution", _("机构自有场地")
    OTHER = "other", _("其他场地")


MARKET_VENUES = (VenueKind.MARKET_CLASSROOM, VenueKind.MARKET_SIGNUP)


class SignUpPointKind(models.TextChoices):
    SIGNUP = "signup", _("报名点")
    CLASSROOM = "classroom", _("教室")


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    WITHDRAWN = "withdrawn", _("已退出")
    COMPLETED = "completed", _("已结业")
    NOT_COMPLETED = "not_completed", _("未结业")


ENROLLMENT_TRANSITIONS = {
    EnrollmentStatus.WAITLISTED: {EnrollmentStatus.ENROLLED, EnrollmentStatus.WITHDRAWN},
    EnrollmentStatus.ENROLLED: {
        EnrollmentStatus.WITHDRAWN,
        EnrollmentStatus.COMPLETED,
        EnrollmentStatus.NOT_COMPLETED,
    },
    EnrollmentStatus.WITHDRAWN: set(),
    EnrollmentStatus.COMPLETED: set(),
    EnrollmentStatus.NOT_COMPLETED: set(),
}

# the enrollments that hold a seat or a place in the queue (one per worker and class)
ACTIVE_ENROLLMENT_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)


class EnrollmentChannel(models.TextChoices):
    ONLINE = "online", _("网上报名")
    COUNTER = "counter", _("窗口代报")
    SIGNUP_POINT = "signup_point", _("市场报名点")


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    TEACHER = "teacher", _("教师登记")
    COUNTER = "counter", _("窗口代签")


class ClaimStatus(models.TextChoices):
    """The training app's side of a claim: its review and payment are the subsidies app's."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    WITHDRAWN = "withdrawn", _("已撤回")


CLAIM_TRANSITIONS = {
    ClaimStatus.DRAFT: {ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN},
    ClaimStatus.SUBMITTED: {ClaimStatus.WITHDRAWN},
    ClaimStatus.WITHDRAWN: set(),
}


class ClaimantKind(models.TextChoices):
    PERSON = "person", _("本人申领")
    INSTITUTION = "institution", _("培训机构代为申领")
    EMPLOYER = "employer", _("用人单位申领")
