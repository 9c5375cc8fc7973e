"""Storage for files that no URL serves (signed paper consent forms, ADR 0019): a directory outside
``MEDIA_ROOT`` (``LINGONG_PRIVATE_MEDIA_ROOT``), read only through views that check who asks."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateStorage(FileSystemStorage):
    """A file system storage whose files have no URL. The directory is read from the setting each time,
    so tests can point it at a temporary directory."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.LINGONG_PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no URL: serve them through a permission-checked view")


def private_storage():
    """The ``private`` storage of ``STORAGES`` (a callable, so migrations do not freeze the backend)."""
    return storages["private"]
