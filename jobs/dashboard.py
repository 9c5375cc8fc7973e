from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel

from .choices import PostingStatus, ReportStatus, VerificationStatus
from .models import EmployerProfile, Posting, PostingReport


@register_panel
def postings_to_review(user):
    if not user.has_perm("jobs.change_posting"):
        return None
    qs = (
        Posting.objects.visible_to(user)
        .filter(status=PostingStatus.PENDING_REVIEW)
        .select_related("scope_unit")[:50]
    )
    rows = [
        {
            "text": f"{p.title}（{p.scope_unit.name}）",
            "url": reverse("admin:jobs_posting_review", args=[p.pk]),
            "note": ("⚠ " + "、".join(f["label"] for f in p.screen_flags)) if p.screen_flags else _("待审核"),
        }
        for p in qs
    ]
    return Panel(
        title=_("待审核的招聘信息"),
        rows=rows,
        empty=_("没有待审核的招聘信息。"),
        level="warning" if rows else "info",
    )


@register_panel
def open_reports(user):
    if not user.has_perm("jobs.view_postingreport"):
        return None
    qs = (
        PostingReport.objects.visible_to(user).filter(status=ReportStatus.OPEN).select_related("posting")[:50]
    )
    rows = [
        {
            "text": r.posting.title,
            "url": reverse("admin:jobs_postingreport_change", args=[r.pk]),
            "note": r.get_reason_display(),
        }
        for r in qs
    ]
    return Panel(
        title=_("待处理的举报"), rows=rows, empty=_("没有待处理的举报。"), level="warning" if rows else "info"
    )


@register_panel
def employers_to_review(user):
    if not user.has_perm("jobs.change_employerprofile"):
        return None
    qs = EmployerProfile.objects.visible_to(user).filter(status=VerificationStatus.PENDING)[:50]
    rows = [
        {
            "text": e.display_name,
            "url": reverse("admin:jobs_employerprofile_change", args=[e.pk]),
            "note": e.get_kind_display(),
        }
        for e in qs
    ]
    return Panel(title=_("待审核的用工登记"), rows=rows, empty=_("没有待审核的用工登记。"))
