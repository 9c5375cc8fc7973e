"""Checking uploaded evidence by its content (never by the name or the browser's content type).

Images (JPEG, PNG) are decoded and written again as a fresh JPEG — orientation applied, metadata such as a
phone's GPS position dropped, trailing bytes and polyglots gone (the pattern of ``accounts.scans``, ADR 0019).
PDFs must start with the PDF magic bytes, end with ``%%EOF`` and carry no active content (JavaScript, launch
actions, embedded files); they are kept as uploaded. Everything is limited to ``LINGONG_EVIDENCE_MAX_BYTES``."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

from .choices import EvidenceKind

IMAGE_FORMATS = frozenset({"JPEG", "PNG"})
MAX_SIDE = 3000
MAX_PIXELS = 40_000_000
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|OpenAction|AA)\b")


def _refuse(field: str, message: str, code: str) -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def _image(data: bytes) -> ContentFile | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in IMAGE_FORMATS or probe.width * probe.height > MAX_PIXELS:
                return None
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _pdf(data: bytes) -> ContentFile | None:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return None
    if PDF_ACTIVE.search(data):
        return None
    return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")


def checked_upload(upload, *, field: str = "file", images_only: bool = False) -> tuple[str, ContentFile, str]:
    """``(kind, file to store, sha256 of the stored bytes)`` or DomainError on ``field`` (Chinese)."""
    limit = settings.LINGONG_EVIDENCE_MAX_BYTES
    if upload is None or not getattr(upload, "size", 0):
        raise _refuse(field, _("请选择要上传的文件。"), "file_required")
    if upload.size > limit:
        raise _refuse(
            field, _("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)}, "file_too_large"
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            field, _("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)}, "file_too_large"
        )
    stored = _image(data)
    kind = EvidenceKind.IMAGE
    if stored is None and not images_only:
        stored, kind = _pdf(data), EvidenceKind.PDF
    if stored is None:
        message = (
            _("只能上传 JPEG 或 PNG 图片。")
            if images_only
            else _("只能上传 JPEG、PNG 图片或不含脚本的 PDF 文件。")
        )
        raise _refuse(field, message, "file_type")
    content = stored.read()
    stored.seek(0)
    return kind, stored, hashlib.sha256(content).hexdigest()
