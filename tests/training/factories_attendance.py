"""Helpers of the attendance and results tests (the shared factories stay in factories.py)."""

from __future__ import annotations

import datetime as dt
import io
import math

from PIL import Image

from training.models import ClassSession

PERIOD = 30  # LINGONG_TRAINING_QR_SECONDS in base settings
DEVICE_A = "device-aaaaaaaaaaaaaaaaaaaa"
DEVICE_B = "device-bbbbbbbbbbbbbbbbbbbb"
# one degree of latitude on the project's sphere (R = 6371.0088 km): π·R/180 km
M_PER_DEG_LAT = math.pi * 6371.0088 / 180 * 1000


def first_session(training_class) -> ClassSession:
    return training_class.sessions.order_by("starts_at").first()


def at(session: ClassSession, minutes: float) -> dt.datetime:
    """``minutes`` after the session starts, at the start of a QR period (so a test knows its step)."""
    moment = session.starts_at + dt.timedelta(minutes=minutes)
    aligned = math.floor(moment.timestamp() / PERIOD) * PERIOD
    return dt.datetime.fromtimestamp(aligned, tz=dt.UTC)


def png_bytes(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()
