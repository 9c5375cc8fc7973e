"""The only writers of work and pay, split by entity and re-exported here: ``grep -rn "def work_order_" work/``
lists the work-order workflow, ``def payment_`` the payments', ``def rating_`` the ratings'."""

from .payments import (
    arrears_scan,
    payment_apply_outcome,
    payment_callback,
    payment_confirm_receipt,
    payment_record_offline,
    payment_report_not_received,
    payment_request,
    sandbox_deliver,
    work_order_settle,
)
from .ratings import MAX_TAGS, TAGS, rating_appeal, rating_create, rating_decide_appeal, tag_values
from .reconciliation import payment_expire_stale, payment_reconcile, payment_sync
from .records import refresh_all_worker_records, refresh_recent_worker_records, refresh_worker_records
from .refunds import payment_refund, refund_apply
from .work_orders import (
    work_order_approve,
    work_order_approve_if_due,
    work_order_auto_approve_due,
    work_order_cancel,
    work_order_cancel_for_withdrawal,
    work_order_check_in,
    work_order_check_out,
    work_order_confirm,
    work_order_correct_hours,
    work_order_create_for_hire,
    work_order_mark_no_show,
    work_order_move,
    work_order_record_end,
    work_order_remind_due,
)

__all__ = [
    "MAX_TAGS",
    "TAGS",
    "arrears_scan",
    "payment_callback",
    "payment_confirm_receipt",
    "payment_apply_outcome",
    "payment_expire_stale",
    "payment_reconcile",
    "payment_refund",
    "payment_sync",
    "payment_record_offline",
    "payment_report_not_received",
    "payment_request",
    "rating_appeal",
    "rating_create",
    "rating_decide_appeal",
    "refresh_all_worker_records",
    "refund_apply",
    "refresh_recent_worker_records",
    "refresh_worker_records",
    "sandbox_deliver",
    "tag_values",
    "work_order_approve",
    "work_order_approve_if_due",
    "work_order_auto_approve_due",
    "work_order_cancel",
    "work_order_cancel_for_withdrawal",
    "work_order_check_in",
    "work_order_check_out",
    "work_order_confirm",
    "work_order_correct_hours",
    "work_order_create_for_hire",
    "work_order_mark_no_show",
    "work_order_move",
    "work_order_record_end",
    "work_order_remind_due",
    "work_order_settle",
]
