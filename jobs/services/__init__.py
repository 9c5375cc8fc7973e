"""The only writers of the labour market's state, split by entity and re-exported here:
``grep -rn "def posting_" jobs/`` lists the posting workflow, ``def application_`` the applications'."""

from .applications import (
    application_accept,
    application_apply,
    application_reject,
    application_withdraw,
    posting_invite,
)
from .fairs import (
    fair_book_booth,
    fair_create,
    fair_mark_attended,
    fair_record_outcome,
    fair_register_worker,
)
from .postings import (
    REVIEW_CHECKLIST,
    PostingResult,
    posting_approve,
    posting_close,
    posting_create,
    posting_expire_due,
    posting_move,
    posting_notify_matches,
    posting_reject,
    posting_report,
    posting_report_dismiss,
    posting_report_handle,
    posting_submit,
    posting_update,
)
from .registration import (
    certificate_record_verified,
    certificate_verify,
    employer_register,
    employer_review,
    person_category_record,
    worker_profile_save,
    worker_seeking_set,
)
from .windows import posting_window_sync, seeker_spells_sync

__all__ = [
    "REVIEW_CHECKLIST",
    "PostingResult",
    "application_accept",
    "application_apply",
    "application_reject",
    "application_withdraw",
    "certificate_record_verified",
    "certificate_verify",
    "employer_register",
    "employer_review",
    "person_category_record",
    "fair_book_booth",
    "fair_create",
    "fair_mark_attended",
    "fair_record_outcome",
    "fair_register_worker",
    "posting_approve",
    "posting_close",
    "posting_invite",
    "posting_create",
    "posting_expire_due",
    "posting_move",
    "posting_notify_matches",
    "posting_reject",
    "posting_report",
    "posting_report_dismiss",
    "posting_report_handle",
    "posting_submit",
    "posting_update",
    "worker_profile_save",
    "worker_seeking_set",
    "posting_window_sync",
    "seeker_spells_sync",
]
