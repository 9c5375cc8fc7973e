"""The labour market's pages, split by whose pages they are and re-exported for ``jobs.urls``.

Server-rendered, every page works without JavaScript; reads come from the selectors (404 outside scope),
writes go through the services."""

from .board import market_board
from .counter import counter, referral_create, referral_slip
from .employer import (
    application_accept,
    application_reject,
    employer_dashboard,
    employer_register,
    posting_close,
    posting_edit,
    posting_invite,
    posting_new,
    posting_submit,
    posting_workers,
)
from .fairs import fair_book, fair_detail, fair_list, fair_outcome, fair_register
from .search import posting_apply, posting_detail, posting_report, posting_search
from .worker import (
    application_withdraw,
    certificate_verify,
    person_category_record,
    worker_home,
    worker_profile,
    worker_seeking,
)

__all__ = [
    "application_accept",
    "application_reject",
    "application_withdraw",
    "certificate_verify",
    "person_category_record",
    "counter",
    "employer_dashboard",
    "employer_register",
    "fair_book",
    "fair_detail",
    "fair_list",
    "fair_outcome",
    "fair_register",
    "market_board",
    "posting_apply",
    "posting_close",
    "posting_detail",
    "posting_edit",
    "posting_invite",
    "posting_new",
    "posting_report",
    "posting_search",
    "posting_submit",
    "posting_workers",
    "referral_create",
    "referral_slip",
    "worker_home",
    "worker_profile",
    "worker_seeking",
]
