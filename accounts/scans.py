"""Checking and re-encoding an uploaded scan of a signed paper form (ADR 0019).

The type is decided by the content (Pillow opens and verifies it), never by the name or the browser's
content type; only JPEG and PNG images are taken, up to ``LINGONG_CONSENT_SCAN_MAX_BYTES``; the image is
decoded and written again as a fresh JPEG (orientation applied, at most ``MAX_SIDE`` pixels a side), so
nothing of the uploaded file but its pixels is kept: no metadata (a phone's GPS position), no trailing
bytes, no polyglot."""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG"})
MAX_SIDE = 3000
MAX_PIXELS = 40_000_000  # well above an A4 page at 600 dpi; a decompression bomb is refused


def reencode_scan(upload) -> ContentFile:
    """A new JPEG of the uploaded image, or ValidationError (Chinese, for the field)."""
    limit = settings.LINGONG_CONSENT_SCAN_MAX_BYTES
    if upload is None or not getattr(upload, "size", 0):
        raise ValidationError(_("请上传签字告知书的扫描件或照片。"), code="scan_required")
    if upload.size > limit:
        raise ValidationError(
            _("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)}, code="scan_too_large"
        )
    bad = ValidationError(_("只能上传 JPEG 或 PNG 图片（扫描件或照片）。"), code="scan_type")
    data = upload.read(limit + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise bad
            if probe.width * probe.height > MAX_PIXELS:
                raise bad
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise bad from exc
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
