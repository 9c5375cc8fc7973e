"""The keyword screen that flags suspicious posting text for the reviewer (it never rejects by itself):
fees or deposits charged to workers, discrimination beyond what the law allows, and known scam patterns.
Staff read the flags beside the review checklist."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

RULES: list[tuple[str, str, re.Pattern]] = [
    (
        "fee",
        _("向劳动者收费或押金"),
        re.compile(
            r"押金|保证金|报名费|服装费|工服费|培训费|体检费|介绍费|中介费|入职费|资料费|先交|预交|垫付"
        ),
    ),
    (
        "discrimination",
        _("性别、年龄、地域或民族限制"),
        re.compile(
            r"限男|限女|只要男|只要女|男性优先|女性优先|仅限男|仅限女|限本地|只要本地|外地人勿|本地人优先|限汉族|不要少数民族|"
            r"未婚|已育|\d{2}\s*岁以(?:下|内)|\d{2}\s*[-至到]\s*\d{2}\s*岁"
        ),
    ),
    (
        "scam",
        _("疑似诈骗"),
        re.compile(
            r"刷单|刷信誉|点赞返|日赚|日入过千|轻松月入|兼职打字|代收款|出借银行卡|借用身份证|网络赌|博彩|高额返利"
        ),
    ),
]


def screen(*texts: str) -> list[dict]:
    """[{"category", "label", "match"}] for every rule that matches the text (first match each)."""
    text = "\n".join(t for t in texts if t)
    flags = []
    for category, label, pattern in RULES:
        match = pattern.search(text)
        if match:
            flags.append({"category": category, "label": str(label), "match": match.group(0)})
    return flags
