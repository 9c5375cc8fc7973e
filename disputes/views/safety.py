"""Market safety reports on the pages (ADR 0027): report a hazard (anyone, no account needed, reached from
every market's page and board and from the rights page), my reports with their outcome, the photo through a
permission-checked view, and the "维权与求助" panel every market's page and board show (markets.extensions)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from markets.extensions import MarketPanel
from markets.models import Market

from ..forms import SafetyReportForm
from ..models import RightsContact, SafetyReport
from ..permissions import can_complain, sees_safety_reporter
from ..services import safety as safety_services
from .cases import _apply

DONE_KEY = "disputes:safety_report_number"


def _reportable():
    return Market.objects.filter(status__in=safety_services.REPORTABLE_STATUSES).order_by(
        "scope_unit__code", "name"
    )


@require_http_methods(["GET", "POST"])
def safety_new(request):
    """Report a hazard at a market: anyone, signed in or not (anonymous reports are rate-limited)."""
    markets = _reportable()
    initial = {}
    chosen = request.GET.get("market", "")
    if chosen.isdigit():
        initial["market"] = markets.filter(pk=int(chosen)).first()
    form = SafetyReportForm(request.POST or None, request.FILES or None, markets=markets, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = safety_services.safety_report_receive(
                    actor=request.user,
                    photo=form.cleaned_data.pop("photo", None),
                    request=request,
                    **form.service_data(),
                )
            except DomainError as exc:
                _apply(form, exc)
                status = exc.status if exc.status in (400, 429) else 400
            else:
                request.session[DONE_KEY] = report.number
                return redirect("disputes:safety_done")
        else:
            status = 400
    return render(
        request,
        "disputes/safety_new.html",
        {"form": form, "market": initial.get("market")},
        status=status,
    )


def safety_done(request):
    number = request.session.get(DONE_KEY)
    if not number:
        return redirect("disputes:safety_new")
    return render(request, "disputes/safety_done.html", {"number": number})


@login_required
def safety_mine(request):
    reports = (
        SafetyReport.objects.filter(reporter=request.user)
        .select_related("market")
        .order_by("-received_at", "-id")[:100]
    )
    return render(request, "disputes/safety_mine.html", {"reports": reports})


@login_required
def safety_photo(request, pk: int):
    """A report's photo, to the reporter and staff in scope (never the market's operator); staff views are
    audited."""
    report = SafetyReport.objects.visible_to(request.user).filter(pk=pk).first()
    if report is None or not report.photo or not sees_safety_reporter(request.user, report):
        raise Http404
    safety_services.photo_seen(report=report, actor=request.user, request=request)
    response = FileResponse(report.photo.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="hazard-{report.pk}.jpg"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def complain_door(request):
    """The panel's "complain online" link: to the complaint form for whoever may complain there (anyone not
    signed in signs in first), to the rights page, with its other channels, for everyone else (staff, operators),
    who would be refused by the form."""
    user = request.user
    if not user.is_authenticated or can_complain(user):
        return redirect("disputes:complain")
    messages.info(request, _("网上投诉请以劳动者或用工方身份登录；也可以拨打 12333 或到市场服务台登记。"))
    return redirect("disputes:my_complaints")


def _tel(number: str) -> str:
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


def market_panel(market, *, board: bool = False) -> MarketPanel | None:
    """维权与求助 on every market's page and board: the market's own line, the county's rights hotline (12333
    unless the county set its own), 12345, the county's inspection team and arbitration commission when the
    county recorded them, and the links to complain and to report a hazard here. The board gets the compact
    form that fits its one screen: the hotlines, and the two addresses to type on a phone (the board prints
    them as text: its screen is not clicked, and its QR codes are the postings')."""
    contact = RightsContact.objects.filter(scope_unit_id=market.scope_unit_id).first()
    hotline = (contact.rights_hotline if contact else "") or settings.LINGONG_RIGHTS_HOTLINE
    complain = reverse("disputes:complain_door")
    hazard = f"{reverse('disputes:safety_new')}?market={market.pk}"
    if board:
        return _board_panel(hotline=hotline, complain=complain, hazard=hazard)
    rows = []
    if market.hotline:
        rows.append({"text": _("本市场服务电话 %(n)s") % {"n": market.hotline}, "url": _tel(market.hotline)})
    rows.append(
        {
            "text": _("劳动保障维权热线 %(n)s") % {"n": hotline},
            "note": _("欠薪、押金、工伤等问题"),
            "url": _tel(hotline),
        }
    )
    rows.append(
        {
            "text": _("政务服务便民热线 %(n)s") % {"n": settings.LINGONG_CITIZEN_HOTLINE},
            "url": _tel(settings.LINGONG_CITIZEN_HOTLINE),
        }
    )
    if contact and contact.inspection_name:
        rows.append(
            {
                "text": " ".join(x for x in (contact.inspection_name, contact.inspection_phone) if x),
                "note": contact.inspection_address,
                "url": _tel(contact.inspection_phone) if contact.inspection_phone else "",
            }
        )
    if contact and contact.arbitration_name:
        rows.append(
            {
                "text": " ".join(x for x in (contact.arbitration_name, contact.arbitration_phone) if x),
                "note": contact.arbitration_address,
                "url": _tel(contact.arbitration_phone) if contact.arbitration_phone else "",
            }
        )
    rows.append({"text": _("网上投诉"), "url": complain})
    rows.append({"text": _("报告本市场安全隐患"), "note": _("不用登录，可以匿名"), "url": hazard})
    if contact and contact.note:
        rows.append({"text": contact.note})
    return MarketPanel(title=_("维权与求助"), rows=rows)


def _board_panel(*, hotline: str, complain: str, hazard: str) -> MarketPanel:
    """The board's one strip: the county's rights hotline, 12333 when the county has its own line, 12345, and
    the complaint and hazard addresses as text (``print_url``: the board prints its own host before them).
    The market's own line is already in the board's header."""
    national = settings.LINGONG_RIGHTS_HOTLINE
    rows = [{"text": _("维权热线 %(n)s") % {"n": hotline}, "strong": True}]
    if hotline != national:
        rows.append({"text": national, "strong": True})
    rows.append({"text": _("政务热线 %(n)s") % {"n": settings.LINGONG_CITIZEN_HOTLINE}})
    rows.append({"text": _("网上投诉"), "url": complain, "print_url": True})
    rows.append({"text": _("报告安全隐患"), "url": hazard, "print_url": True})
    return MarketPanel(title=_("维权与求助"), rows=rows)


urlpatterns = [
    path("safety/new/", safety_new, name="safety_new"),
    path("safety/done/", safety_done, name="safety_done"),
    path("safety/mine/", safety_mine, name="safety_mine"),
    path("safety/<int:pk>/photo/", safety_photo, name="safety_photo"),
    path("complain/", complain_door, name="complain_door"),
]
