"""Complaints made through the service (the code under test) with sensible defaults."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disputes import services
from disputes.choices import Channel, ClaimType, RelationshipType


def complaint(actor, *, channel=Channel.ONLINE, claims=None, uploads=(), signature_scan=None, **data):
    data.setdefault("relationship_type", RelationshipType.LABOUR)
    data.setdefault("facts", "在工地干了 12 天，约定每天 260 元，一直没给。")
    if "respondent" not in data:
        data.setdefault("respondent_name", "潍坊某建筑劳务公司")
    return services.case_receive(
        actor=actor,
        channel=channel,
        data=data,
        claims=claims or [{"claim_type": ClaimType.WAGES, "amount": Decimal("3120")}],
        uploads=uploads,
        signature_scan=signature_scan,
    )


def jpeg(name="photo.jpg", size=(40, 30), exif: bytes | None = None) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(body: bytes = b"") -> SimpleUploadedFile:
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog " + body + b" >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile("doc.pdf", data, content_type="application/pdf")
