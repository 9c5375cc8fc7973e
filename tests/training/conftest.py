import pytest


@pytest.fixture(autouse=True)
def training_reference_data(db):
    """Transactional tests elsewhere flush the tables: restore what migration training 0002 seeds."""
    from django.apps import apps

    from training.reference import seed_reference

    seed_reference(apps.get_model)
