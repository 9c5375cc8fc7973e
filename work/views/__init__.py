"""Pages of work and pay, split by whose pages they are and re-exported for ``work.urls``: the worker's
(work orders, check-in/out, receipt, ratings), the employer's (timesheet, pay, ratings, 付款) and a
worker's earnings. Server-rendered and mobile first; every page works without JavaScript. Reads come from
the scoped selectors (404 outside scope); writes go through the services."""

from .earnings import bureau_name, earnings, earnings_statement
from .employer import (
    employer_appeal,
    employer_order,
    employer_rate,
    pay,
    pay_refund,
    pay_sync,
    payments,
    qr_page,
    timesheet,
    timesheet_step,
)
from .worker import (
    appeal,
    confirm_receipt,
    rate,
    report_not_received,
    work_detail,
    work_list,
    work_scan,
    work_step,
)

__all__ = [
    "appeal",
    "bureau_name",
    "confirm_receipt",
    "earnings",
    "earnings_statement",
    "employer_appeal",
    "employer_order",
    "employer_rate",
    "pay",
    "pay_refund",
    "pay_sync",
    "payments",
    "qr_page",
    "rate",
    "report_not_received",
    "timesheet",
    "timesheet_step",
    "work_detail",
    "work_list",
    "work_scan",
    "work_step",
]
