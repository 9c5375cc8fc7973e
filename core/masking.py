"""Masking of personal data (PIPL). Every list, page, export and API response shows masked values; the
person sees their own, and staff reveal one value at a time through ``core.services.personal_data_reveal``.
"""

from __future__ import annotations

ID_NUMBER = "id_number"
PHONE = "phone"
BANK_ACCOUNT = "bank_account"
NAME = "name"


def mask_id_number(value: str | None) -> str:
    """370702199001011234 -> 370702********1234 (area code and last four kept)."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 -> 138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str | None) -> str:
    """6222020200112233445 -> ***************3445."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_name(value: str | None) -> str:
    """张三丰 -> 张**: names are shown in full only where a task needs them."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


MASKERS = {
    ID_NUMBER: mask_id_number,
    PHONE: mask_phone,
    BANK_ACCOUNT: mask_bank_account,
    NAME: mask_name,
}


def mask(kind: str, value: str | None) -> str:
    return MASKERS[kind](value)


def personal_fields(model) -> dict[str, str]:
    """{field name: kind} that a model declares as personal data."""
    return getattr(model, "personal_fields", {}) or {}


def mask_dict(model, data: dict) -> dict:
    """A copy of ``data`` (field -> value) with the model's personal fields masked (for audit rows)."""
    kinds = personal_fields(model)
    return {k: (mask(kinds[k], v) if k in kinds and isinstance(v, str) else v) for k, v in data.items()}
