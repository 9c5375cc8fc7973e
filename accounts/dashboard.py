"""Staff dashboard panel of accounts: resident IDs that the checksum accepted but whose area code is unknown
(``ReviewFlag.UNKNOWN_AREA``) wait for a person to check them against the ID card."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Panel, register_panel
from core.masking import mask_id_number, mask_name

from .choices import ReviewFlag
from .models import User


@register_panel
def ids_to_check(user):
    if not user.has_perm("accounts.change_user"):
        return None
    qs = (
        User.objects.visible_to(user)
        .exclude(id_review_flag=ReviewFlag.NONE)
        .filter(anonymized_at__isnull=True)
        .order_by("date_joined")[:50]
    )
    rows = [
        {
            "text": f"{mask_name(u.real_name)} {mask_id_number(u.id_number)}",
            "url": reverse("admin:accounts_user_change", args=[u.pk]),
            "note": u.get_id_review_flag_display(),
        }
        for u in qs
    ]
    return Panel(
        title=_("待人工核验的身份证号"),
        rows=rows,
        empty=_("没有待人工核验的身份证号。"),
        level="warning" if rows else "info",
    )
