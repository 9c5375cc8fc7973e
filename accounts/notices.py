"""The privacy notices' texts marked for translation, so that a person reading the pages in another
language can read the notice too. The Chinese text of each version (PrivacyNotice.body, seeded by
accounts/migrations/0003 for v1.0) is what people consent to; a translation is for reading."""

from django.utils.translation import gettext_noop

V1_TITLE = gettext_noop("个人信息保护告知书")
V1_PARAGRAPHS = (
    gettext_noop(
        "零工市场服务平台（以下简称“本平台”）由市人力资源和社会保障局主办，依据《中华人民共和国个人信息保护法》处理您的个人信息。"
    ),
    gettext_noop(
        "一、我们收集的信息：手机号码（登录和接收验证码）、姓名和身份证号码（实名核验，防止冒用）、所在县（市、区）（就近提供服务）；用工单位的名称和统一社会信用代码。"
    ),
    gettext_noop("二、使用目的：提供求职招聘、职业介绍、培训报名、权益维护和补贴申领等公共就业服务。"),
    gettext_noop(
        "三、保护措施：身份证号码、手机号码等在所有页面、导出和接口中默认脱敏；工作人员查看完整信息须说明事由，并留痕备查。"
    ),
    gettext_noop("四、保存期限：实现服务目的所必需的期限；法律法规要求保存的记录依法保存。"),
    gettext_noop(
        "五、您的权利：您可以查阅、导出本人信息，也可以申请注销账号；注销后本平台删除可识别您身份的信息，仅保留依法必须保存的记录和不能识别个人的统计数据。"
    ),
    gettext_noop("六、未满16周岁的人员不能注册；未满18周岁的人员不会被推荐从事禁忌岗位。"),
    gettext_noop("如有疑问，请拨打12333咨询。"),
)
