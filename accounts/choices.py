from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WORKER = "worker", _("零工")
    EMPLOYER = "employer", _("用工方")
    MARKET_OPERATOR = "market_operator", _("市场运营方")
    TRAINING_INSTITUTION = "training_institution", _("培训机构")
    COUNTY_STAFF = "county_staff", _("县级工作人员")
    CITY_STAFF = "city_staff", _("市级工作人员")
    AUDITOR = "auditor", _("审计员")


STAFF_ROLES = frozenset({Role.COUNTY_STAFF, Role.CITY_STAFF, Role.AUDITOR})


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AccountType(models.TextChoices):
    """What a person registers as on the public pages (staff roles are granted by city staff)."""

    WORKER = "worker", _("我要找活（零工）")
    EMPLOYER_PERSON = "employer_person", _("我要招人（个人或家庭）")
    EMPLOYER_ORG = "employer_org", _("我要招人（企业或单位）")


class CodePurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    RESET_PASSWORD = "reset_password", _("找回密码")
    LOGIN = "login", _("验证码登录")
    UPGRADE = "upgrade", _("绑定本人手机号")


class ReviewFlag(models.TextChoices):
    NONE = "", _("无")
    UNKNOWN_AREA = "unknown_area", _("地区码无法识别，待人工核验")
