import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence and signature scans go to a private directory of the test's own."""
    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path / "private"
