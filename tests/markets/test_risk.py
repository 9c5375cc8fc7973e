"""The risk rules of markets.risk, one by one, and the checklist the migration seeds."""

from __future__ import annotations

import pytest

from markets.choices import FindingResult, RiskGrade
from markets.models import InspectionItem
from markets.risk import HIGH_MAJOR_COUNT, MEDIUM_MINOR_COUNT, RULES, grade

PASS, MINOR, MAJOR = FindingResult.PASS, FindingResult.MINOR, FindingResult.MAJOR


def test_no_findings_is_low():
    assert grade([]) == RiskGrade.LOW
    assert grade([(PASS, True), (PASS, False)]) == RiskGrade.LOW


def test_a_major_finding_on_a_critical_item_is_high():
    assert grade([(MAJOR, True)]) == RiskGrade.HIGH
    assert grade([(PASS, False), (MAJOR, True), (PASS, True)]) == RiskGrade.HIGH


def test_major_findings_on_enough_ordinary_items_are_high():
    assert HIGH_MAJOR_COUNT == 3
    assert grade([(MAJOR, False)] * HIGH_MAJOR_COUNT) == RiskGrade.HIGH
    assert grade([(MAJOR, False)] * (HIGH_MAJOR_COUNT - 1)) == RiskGrade.MEDIUM


def test_a_major_finding_on_an_ordinary_item_is_medium():
    assert grade([(MAJOR, False), (PASS, True)]) == RiskGrade.MEDIUM


def test_minor_findings_are_medium_from_the_threshold():
    assert MEDIUM_MINOR_COUNT == 3
    assert grade([(MINOR, False)] * MEDIUM_MINOR_COUNT) == RiskGrade.MEDIUM
    assert grade([(MINOR, True)] * MEDIUM_MINOR_COUNT) == RiskGrade.MEDIUM
    assert grade([(MINOR, False)] * (MEDIUM_MINOR_COUNT - 1)) == RiskGrade.LOW


def test_a_minor_finding_on_a_critical_item_is_not_high():
    assert grade([(MINOR, True)]) == RiskGrade.LOW


def test_written_hazards_are_at_least_medium():
    assert grade([], hazards="信息屏电源线裸露") == RiskGrade.MEDIUM
    assert grade([], hazards="  \n ") == RiskGrade.LOW
    assert grade([(MAJOR, True)], hazards="电线裸露") == RiskGrade.HIGH


def test_rules_are_written_for_staff_in_grade_order():
    assert [g for g, _text in RULES] == [RiskGrade.HIGH, RiskGrade.MEDIUM, RiskGrade.LOW]
    assert all(str(text) for _g, text in RULES)


@pytest.mark.django_db
def test_migration_seeds_the_checklist_with_critical_items():
    critical = set(InspectionItem.objects.filter(critical=True).values_list("code", flat=True))
    assert {"crowd", "traffic", "fire", "electric", "structure"} <= critical
    assert InspectionItem.objects.filter(critical=False).exists()
