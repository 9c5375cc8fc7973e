"""The public job search (list and map, no login) and a posting's page with apply and report."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import NotFound as CursorNotFound
from rest_framework.exceptions import ValidationError

from core.errors import DomainError
from core.masking import mask_name, mask_phone

from .. import selectors, services
from ..api.pagination import KeysetCursorPagination
from ..choices import ApplicationSource, PostingStatus
from ..filtersets import PostingFilterSet
from ..forms import ReportForm
from ..models import Application, WorkerProfile
from ..search import match_reason
from .common import map_config, wage_text
from .counter import acting_context, acting_worker


class _SearchView:
    keyset_ordering = None


def posting_search(request):
    """Public search (no login): the shared FilterSet, keyset pages, a map of the page's postings."""
    data = request.GET.copy()
    worker, _assisted = acting_worker(request)
    profile = (
        WorkerProfile.objects.filter(user=worker).only("home_lat", "home_lng").first() if worker else None
    )
    has_home = bool(profile and profile.home_lat is not None and profile.home_lng is not None)
    if data.get("near") == "home" and has_home:
        data["lat"], data["lng"] = str(profile.home_lat), str(profile.home_lng)
    if not data.get("ordering"):
        # nearest first once a point is given, else newest (and the <select> shows which)
        data["ordering"] = "distance" if data.get("lat") and data.get("lng") else "-published"
    filterset = PostingFilterSet(data, queryset=selectors.posting_list_public(), request=request)
    postings, paginator = [], None
    valid = filterset.is_valid()
    if valid:
        view = _SearchView()
        view.keyset_ordering = filterset.ordering_fields
        paginator = KeysetCursorPagination()
        try:
            postings = paginator.paginate_queryset(filterset.qs, request, view)
        except CursorNotFound as exc:
            raise Http404 from exc
        except ValidationError as exc:  # a page size out of bounds: shown beside the filters
            for name, errors in exc.detail.items():
                filterset.form.add_error(None, f"{name}: {'；'.join(str(e) for e in errors)}")
            valid, paginator = False, None
        else:
            paginator.base_url = request.get_full_path()
    features = [
        {
            "type": "Feature",
            "id": p.pk,
            "geometry": {"type": "Point", "coordinates": [p.lng, p.lat]},
            "properties": {
                "title": p.title,
                "url": reverse("jobs:detail", args=[p.pk]),
                "address": p.address,
                "wage": wage_text(p),
                "employer": p.employer.display_name,
            },
        }
        for p in postings
    ]
    keyword = (data.get("q") or "").strip()
    for p in postings:
        p.wage_display = wage_text(p)
        p.distance = getattr(p, "distance_km", None)
        p.match_reason = match_reason(p, keyword) if keyword else None
    context = {
        "filter": filterset,
        "postings": postings,
        "next_url": paginator.get_next_link() if paginator else None,
        "previous_url": paginator.get_previous_link() if paginator else None,
        "features": {"type": "FeatureCollection", "features": features},
        "map_config": map_config(),
        "has_home": has_home,
        "near_home": data.get("near") == "home" and has_home,
        **acting_context(request),
    }
    return render(request, "jobs/posting_search.html", context, status=200 if valid else 400)


def _visible_posting(request, pk: int):
    posting = selectors.posting_for_page(user=request.user, pk=pk)
    if posting is None:
        raise Http404
    return posting


def _detail_context(request, posting, report_form=None) -> dict:
    worker, assisted = acting_worker(request)
    visible = selectors.contact_visible(posting=posting, user=request.user)
    application = None
    if worker is not None:
        application = Application.objects.filter(posting=posting, worker=worker).first()
    posting.wage_display = wage_text(posting)
    is_open = posting.is_open()
    eligibility = None
    if worker is not None and is_open and application is None and worker.pk != posting.employer.user_id:
        eligibility = selectors.eligibility_problem(
            worker=worker, occupation=posting.occupation, on=posting.work_start_date
        )
    return {
        "posting": posting,
        "is_open": is_open,
        "ended": posting.status in (PostingStatus.CLOSED, PostingStatus.EXPIRED)
        or (posting.status == PostingStatus.PUBLISHED and not is_open),
        "eligibility": eligibility,
        "contact_visible": visible,
        "contact_name": posting.contact_name if visible else mask_name(posting.contact_name),
        "contact_phone": posting.contact_phone if visible else mask_phone(posting.contact_phone),
        "application": application,
        "is_owner": getattr(request.user, "pk", None) == posting.employer.user_id,
        "report_form": report_form or ReportForm(),
        "map_config": map_config(),
        "feature": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": posting.pk,
                    "geometry": {"type": "Point", "coordinates": [posting.lng, posting.lat]},
                    "properties": {
                        "title": posting.title,
                        "url": reverse("jobs:detail", args=[posting.pk]),
                        "address": posting.address,
                        "wage": posting.wage_display,
                        "employer": posting.employer.display_name,
                    },
                }
            ],
        },
        **acting_context(request),
    }


def posting_detail(request, pk: int):
    posting = _visible_posting(request, pk)
    return render(request, "jobs/posting_detail.html", _detail_context(request, posting))


@require_POST
def posting_apply(request, pk: int):
    """The apply button: the worker themselves, or the worker a counter is serving (source: counter)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('jobs:detail', args=[pk])}")
    posting = _visible_posting(request, pk)
    worker, assisted = acting_worker(request)
    try:
        services.application_apply(
            posting=posting,
            worker=worker,
            actor=request.user,
            source=ApplicationSource.COUNTER if assisted else ApplicationSource.SELF,
            request=request,
        )
    except DomainError as exc:
        if exc.code == "worker_profile_required":
            messages.error(request, _("请先填写求职登记，再报名。"))
            return redirect("jobs:worker_profile")
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("报名成功，用工方录用后会通知您。"))
    return redirect("jobs:detail", pk=posting.pk)


@require_POST
def posting_report(request, pk: int):
    """Anyone, signed in or not, may report a posting; the report reaches the county's reviewers."""
    posting = _visible_posting(request, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render(
            request, "jobs/posting_detail.html", _detail_context(request, posting, form), status=400
        )
    services.posting_report(posting=posting, reporter=request.user, request=request, **form.cleaned_data)
    messages.success(request, _("已收到您的举报，工作人员会尽快核查。"))
    return redirect("jobs:detail", pk=posting.pk)
