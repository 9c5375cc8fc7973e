"""Services that write identity data. Each validates and checks access first, then writes in one
transaction with its audit row. Split by subject: ``identity`` (SMS codes, registration, profile, roles,
API clients) and ``counter`` (counter-managed accounts, ADR 0019)."""

from .counter import (
    card_access_note,
    card_holder_find,
    counter_account_create,
    counter_account_upgrade,
    login_by_code,
)
from .identity import (
    DUPLICATE_ID_ONLINE,
    PHONE_CODE_KEEP,
    api_client_issue,
    api_client_revoke,
    current_privacy_notice,
    password_reset,
    phone_code_check,
    phone_code_consume,
    phone_code_purge,
    phone_code_send,
    role_grant,
    role_revoke,
    user_anonymize,
    user_export_data,
    user_register,
    user_update_profile,
)

__all__ = [
    "DUPLICATE_ID_ONLINE",
    "PHONE_CODE_KEEP",
    "api_client_issue",
    "api_client_revoke",
    "card_access_note",
    "card_holder_find",
    "counter_account_create",
    "counter_account_upgrade",
    "current_privacy_notice",
    "login_by_code",
    "password_reset",
    "phone_code_check",
    "phone_code_consume",
    "phone_code_purge",
    "phone_code_send",
    "role_grant",
    "role_revoke",
    "user_anonymize",
    "user_export_data",
    "user_register",
    "user_update_profile",
]
