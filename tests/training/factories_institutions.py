"""Helpers of the institution and class tests (the shared factories are in factories.py)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .factories import uscc

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_upload(name: str = "licence.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf_upload(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def script_as_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile("licence.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")


def application(unit, n: int = 900001, **over) -> dict:
    data = {
        "name": "潍城区新技能职业培训学校",
        "uscc": uscc(n),
        "licence_number": "教民137070270000001",
        "scope_unit": unit,
        "address": "潍坊市潍城区东风西街100号",
        "contact_name": "李老师",
        "contact_phone": "0536-8999999",
    }
    data.update(over)
    return data
