"""How a market's risk grade follows from an inspection's findings. These rules are shown to staff on
the inspection pages, so they are written to be read.

- 高 (high): a serious finding (严重问题) on any item that concerns personal safety, or serious findings on
  HIGH_MAJOR_COUNT or more items. A high grade asks staff to act: rectify by a deadline, suspend or ban.
- 中 (medium): any serious finding, or ordinary findings (一般问题) on MEDIUM_MINOR_COUNT or more items,
  or hazards written down by the inspector.
- 低 (low): everything else.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .choices import FindingResult, RiskGrade

HIGH_MAJOR_COUNT = 3
MEDIUM_MINOR_COUNT = 3

RULES = [
    (
        RiskGrade.HIGH,
        _("任一“涉及人身安全”的检查项为严重问题，或 %(n)s 项及以上为严重问题。") % {"n": HIGH_MAJOR_COUNT},
    ),
    (
        RiskGrade.MEDIUM,
        _("有严重问题，或 %(n)s 项及以上为一般问题，或记录了安全隐患。") % {"n": MEDIUM_MINOR_COUNT},
    ),
    (RiskGrade.LOW, _("其他情况。")),
]


def grade(findings: Iterable[tuple[str, bool]], *, hazards: str = "") -> str:
    """``findings``: (result, item_is_critical) pairs. Returns a RiskGrade value."""
    majors = minors = critical_majors = 0
    for result, critical in findings:
        if result == FindingResult.MAJOR:
            majors += 1
            critical_majors += bool(critical)
        elif result == FindingResult.MINOR:
            minors += 1
    if critical_majors or majors >= HIGH_MAJOR_COUNT:
        return RiskGrade.HIGH
    if majors or minors >= MEDIUM_MINOR_COUNT or hazards.strip():
        return RiskGrade.MEDIUM
    return RiskGrade.LOW
