import pytest


@pytest.fixture(autouse=True)
def _catalogue(django_db_setup, django_db_blocker):
    """Transactional tests flush the seeded catalogue: put it back for the next test."""
    from django.apps import apps

    from reports.catalogue import seed_indicators

    with django_db_blocker.unblock():
        seed_indicators(apps.get_model)
    yield
    with django_db_blocker.unblock():
        seed_indicators(apps.get_model)
