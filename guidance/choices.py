from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyCategory(models.TextChoices):
    EMPLOYMENT = "employment", _("就业创业")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    TRAINING = "training", _("职业技能培训")
    SUBSIDY = "subsidy", _("补贴申领")
    RIGHTS = "rights", _("劳动权益")
    MARKET = "market", _("零工市场")
    OTHER = "other", _("其他")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


ARTICLE_TRANSITIONS = {
    ArticleStatus.DRAFT: {ArticleStatus.PUBLISHED},
    ArticleStatus.PUBLISHED: {ArticleStatus.WITHDRAWN},
    ArticleStatus.WITHDRAWN: {ArticleStatus.PUBLISHED},
}


class QuestionChannel(models.TextChoices):
    ONLINE = "online", _("网上咨询")
    COUNTER = "counter", _("窗口咨询")
    HOTLINE = "hotline", _("电话咨询")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已关闭")


QUESTION_TRANSITIONS = {
    QuestionStatus.OPEN: {QuestionStatus.ANSWERED, QuestionStatus.CLOSED},
    QuestionStatus.ANSWERED: {QuestionStatus.CLOSED},
    QuestionStatus.CLOSED: set(),
}


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已到场")
    NO_SHOW = "no_show", _("未到场")


BOOKING_TRANSITIONS = {
    BookingStatus.BOOKED: {BookingStatus.CANCELLED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW},
    BookingStatus.CANCELLED: set(),
    BookingStatus.ATTENDED: set(),
    BookingStatus.NO_SHOW: set(),
}
