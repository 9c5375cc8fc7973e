"""The shared factories build what the other training tests stand on."""

import pytest
from stdnum.cn import uscc as std

from training.choices import ClassStatus
from training.models import CatalogueItem, CatalogueRate

from .factories import enroll, make_class, make_institution

pytestmark = pytest.mark.django_db


def test_reference_catalogue_is_seeded_with_rates():
    assert CatalogueItem.objects.filter(code="rider-training", new_form="rider").exists()
    rate = CatalogueRate.objects.get(item__code="electrician-special")
    assert rate.min_class_hours == 80 and rate.shortage


def test_a_class_with_sessions_and_an_enrollment():
    institution = make_institution()
    assert std.is_valid(institution.uscc)
    training_class = make_class(institution, sessions=3)
    assert training_class.status == ClassStatus.APPROVED
    assert training_class.sessions.count() == 3
    enroll(training_class)
    assert training_class.enrolled_count == 1
