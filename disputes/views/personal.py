"""The complainant's personal data on staff pages (ADR 0032): the panel the case page and the printable referral
packet include (``disputes/includes/_complainant.html``: the name as staff in scope read it, the mobile and
resident ID masked, each with a link to reveal it), and the reveal page — a reason asked for, the full value
shown once, one audit row per reveal. Another county's staff get 404, anyone else who sees the case 403."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.masking import mask_name

from ..models import Case
from ..permissions import is_staff_viewer, sees_complainant
from ..services.personal import (
    COMPLAINANT_FIELDS,
    can_reveal_complainant,
    complainant_masked,
    complainant_reveal,
)
from ..services.referral import complainant_name


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("查看事由"),
        min_length=2,
        max_length=500,
        help_text=gettext_lazy("例：电话回访投诉人；核对身份后移送监察。每次查看都会记录。"),
    )


def complainant_panel(user, case: Case) -> dict | None:
    """What the reader may see of the complainant (None: nothing — a withheld identity and the respondent,
    or anybody else). Staff in scope: the name, the masked values and, with the reveal permission, the links;
    the complainant: their own account; a respondent the complainant did not withhold from: the masked name."""
    if not sees_complainant(user, case):
        return None
    own = bool(case.complainant_id and case.complainant_id == user.pk)
    staff = is_staff_viewer(user, case) and not own
    panel = {"own": own, "staff": staff, "withheld": case.withhold_identity, "rows": []}
    if own:
        return panel
    name = complainant_name(case)
    if not staff:
        panel["name"] = mask_name(name)
        return panel
    panel["name"] = name
    may_reveal = can_reveal_complainant(user, case)
    masked = complainant_masked(case)
    for field, (_kind, label) in COMPLAINANT_FIELDS.items():
        if not masked[field]:
            continue
        url = reverse("disputes:complainant_reveal", args=[case.pk, field]) if may_reveal else None
        panel["rows"].append({"field": field, "label": label, "masked": masked[field], "reveal_url": url})
    return panel


@login_required
@require_http_methods(["GET", "POST"])
def reveal(request, pk: int, field: str):
    """Ask why, then show one of the complainant's values in full (audited)."""
    case = Case.objects.visible_to(request.user).select_related("complainant").filter(pk=pk).first()
    if case is None or field not in COMPLAINANT_FIELDS:
        raise Http404
    if not can_reveal_complainant(request.user, case):
        raise PermissionDenied
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = complainant_reveal(
                case=case,
                actor=request.user,
                field=field,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            form.add_error("reason" if exc.fields else None, str(exc.message))
    context = {
        "case": case,
        "label": COMPLAINANT_FIELDS[field][1],
        "masked": complainant_masked(case)[field],
        "value": value,
        "form": form,
    }
    status = 400 if request.method == "POST" and form.errors else 200
    response = render(request, "disputes/complainant_reveal.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<int:pk>/complainant/<str:field>/reveal/", reveal, name="complainant_reveal"),
]
