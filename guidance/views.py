"""Pages of policy consultation (政策咨询) and career guidance (职业指导): mobile first, working without
JavaScript. Policies and the FAQ are public; asking and booking need an account; the counter pages are for
county staff (questions) and a market's counter (appointments)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import apply_domain_error
from core.masking import mask_name, mask_phone
from core.scope import scope_of
from jobs.views.counter import acting_worker
from markets.models import Market

from . import selectors, services
from .choices import QuestionChannel, QuestionStatus
from .forms import (
    AnswerForm,
    BookingForm,
    BookingRecordForm,
    CounterQuestionForm,
    FaqForm,
    PolicySearchForm,
    QuestionForm,
    SlotForm,
)
from .models import GuidanceBooking, GuidanceSlot, PolicyArticle, PolicyAttachment, Question
from .permissions import can_answer, can_record_questions, can_serve_market


def index(request):
    """Policies, searchable by keyword and category (a plain GET form), with the ways to ask."""
    form = PolicySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    articles = selectors.article_list_public(q=data.get("q", ""), category=data.get("category", ""))
    return render(
        request,
        "guidance/index.html",
        {
            "form": form,
            "articles": articles[:50],
            "searched": bool(data.get("q") or data.get("category")),
            "faq": selectors.faq_list()[:5],
            "is_counter": can_record_questions(request.user),
        },
    )


def policy_detail(request, pk: int):
    article = PolicyArticle.objects.public().select_related("scope_unit").filter(pk=pk).first()
    if article is None:
        raise Http404
    return render(
        request, "guidance/policy_detail.html", {"article": article, "attachments": article.attachments.all()}
    )


def attachment_download(request, pk: int):
    """A policy's document, only while its article is public."""
    attachment = PolicyAttachment.objects.filter(pk=pk, article__in=PolicyArticle.objects.public()).first()
    if attachment is None or not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = attachment.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


def faq(request):
    form = PolicySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    items = selectors.faq_list(q=data.get("q", ""), category=data.get("category", ""))
    return render(request, "guidance/faq.html", {"form": form, "items": items[:100]})


@login_required
@require_http_methods(["GET", "POST"])
def ask(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_ask(
                actor=request.user,
                channel=QuestionChannel.ONLINE,
                request=request,
                **form.cleaned_data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已提交。工作人员将在 %(due)s 前答复，答复后会通知您。")
                % {"due": f"{question.due_on:%Y-%m-%d}"},
            )
            return redirect("guidance:question_detail", pk=question.pk)
    return render(request, "guidance/ask.html", {"form": form})


@login_required
def my_questions(request):
    questions = Question.objects.filter(asker=request.user).order_by("-asked_at")
    return render(
        request,
        "guidance/my_questions.html",
        {"questions": questions, "bookings": selectors.bookings_of(request.user)},
    )


@login_required
def question_detail(request, pk: int):
    question = Question.objects.filter(asker=request.user, pk=pk).first()
    if question is None:
        raise Http404
    return render(request, "guidance/question_detail.html", {"question": question})


def appointments(request):
    """Career-guidance times at the markets' counters; a counter serving a worker books for them."""
    market = None
    if request.GET.get("market", "").isdigit():
        market = Market.objects.public().filter(pk=int(request.GET["market"])).first()
    worker, assisted = acting_worker(request)
    return render(
        request,
        "guidance/appointments.html",
        {
            "slots": selectors.slots_open(market=market),
            "market": market,
            "form": BookingForm(),
            "acting_label": f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}" if assisted else "",
        },
    )


@login_required
@require_POST
def book(request, pk: int):
    slot = selectors.slots_open().filter(pk=pk).first()
    if slot is None:
        raise Http404
    form = BookingForm(request.POST)
    person, assisted = acting_worker(request)
    if form.is_valid():
        try:
            services.booking_create(
                slot=slot, person=person, actor=request.user, need=form.cleaned_data["need"], request=request
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("guidance:appointments")
        messages.success(request, _("预约成功，请按时到市场服务台。"))
    if assisted:
        return redirect("guidance:counter_appointments")
    return redirect("guidance:my_questions")


@login_required
@require_POST
def booking_cancel(request, pk: int):
    booking = GuidanceBooking.objects.filter(pk=pk, person=request.user).first()
    if booking is None:
        raise Http404
    try:
        services.booking_cancel(booking=booking, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已取消预约。"))
    return redirect("guidance:my_questions")


# --- counter -----------------------------------------------------------------------------------------------


def _require_answerer(request):
    if not request.user.is_authenticated:
        raise Http404
    if not can_record_questions(request.user):
        raise Http404


@login_required
def counter_questions(request):
    """County staff's queue: open questions of their scope, the nearest deadline first."""
    _require_answerer(request)
    status = request.GET.get("status", "")
    status = status if status in QuestionStatus.values else ""
    return render(
        request,
        "guidance/counter_questions.html",
        {
            "questions": selectors.question_queue(user=request.user, status=status)[:200],
            "status": status,
            "statuses": QuestionStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def counter_question_new(request):
    """Record a question asked at the counter or on the hotline, for an answer within the deadline."""
    _require_answerer(request)
    form = CounterQuestionForm(request.POST or None)
    scope = scope_of(request.user)
    if not scope.all:
        form.fields["scope_unit"].queryset = form.fields["scope_unit"].queryset.filter(pk__in=scope.unit_ids)
    form.fields["scope_unit"].empty_label = _("本单位")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        worker, assisted = acting_worker(request)
        try:
            question = services.question_ask(
                actor=request.user, asker=worker if assisted else None, request=request, **data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("已登记，答复期限 %(due)s。") % {"due": f"{question.due_on:%Y-%m-%d}"}
            )
            return redirect("guidance:counter_question", pk=question.pk)
    return render(request, "guidance/counter_question_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def counter_question(request, pk: int):
    """Answer a question of one's county (404 for another county's), then publish it as FAQ if useful."""
    _require_answerer(request)
    question = (
        Question.objects.visible_to(request.user)
        .select_related("scope_unit", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if question is None or not can_answer(request.user, question):
        raise Http404
    answer_form = AnswerForm(request.POST if request.POST.get("action") == "answer" else None)
    faq_form = FaqForm(
        request.POST if request.POST.get("action") == "faq" else None,
        initial={
            "faq_question": question.faq_question or question.title,
            "faq_answer": question.faq_answer or question.answer,
        },
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer" and answer_form.is_valid():
                services.question_answer(
                    question=question,
                    actor=request.user,
                    answer=answer_form.cleaned_data["answer"],
                    request=request,
                )
                messages.success(request, _("已答复，已通知咨询人。"))
                return redirect("guidance:counter_question", pk=pk)
            if action == "faq" and faq_form.is_valid():
                services.question_publish_faq(
                    question=question, actor=request.user, request=request, **faq_form.cleaned_data
                )
                messages.success(request, _("已公开为常见问题。"))
                return redirect("guidance:counter_question", pk=pk)
            if action == "close":
                services.question_close(question=question, actor=request.user, request=request)
                messages.success(request, _("已关闭。"))
                return redirect("guidance:counter_questions")
        except DomainError as exc:
            apply_domain_error(answer_form if action == "answer" else faq_form, exc)
    return render(
        request,
        "guidance/counter_question.html",
        {
            "question": question,
            "asker_label": mask_name(question.asker.real_name)
            if question.asker_id
            else mask_name(question.asker_name),
            "answer_form": answer_form,
            "faq_form": faq_form,
        },
    )


def _markets_served(user):
    scope = scope_of(user)
    staff = (
        Market.objects.visible_to(user)
        if user.has_perm("guidance.change_guidancebooking")
        else Market.objects.none()
    )
    operated = Market.objects.filter(operator_links__user=user)
    if scope.is_empty:
        return operated
    return (staff | operated).distinct()


@login_required
@require_http_methods(["GET", "POST"])
def counter_appointments(request):
    """A market's counter: its appointment times, who booked, and a form to open new times."""
    markets = list(_markets_served(request.user).order_by("name"))
    if not markets:
        raise Http404
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        market = next((m for m in markets if str(m.pk) == request.POST.get("market")), None)
        if market is None:
            form.add_error(None, _("请选择市场。"))
        else:
            try:
                services.slot_create(
                    market=market, actor=request.user, data=form.cleaned_data, request=request
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已开放预约时段。"))
                return redirect("guidance:counter_appointments")
    slots = (
        GuidanceSlot.objects.filter(market__in=markets).select_related("market").order_by("-starts_at")[:50]
    )
    return render(
        request,
        "guidance/counter_appointments.html",
        {
            "markets": markets,
            "form": form,
            "slots": slots,
            "bookings": selectors.bookings_to_serve(markets)[:200],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def counter_booking(request, pk: int):
    """Record attendance and the guidance given for one booking at a market this counter serves."""
    booking = GuidanceBooking.objects.select_related("slot__market", "person").filter(pk=pk).first()
    if booking is None or not can_serve_market(request.user, booking.slot.market):
        raise Http404
    form = BookingRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_record(booking=booking, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已记录。"))
            return redirect("guidance:counter_appointments")
    return render(
        request,
        "guidance/counter_booking.html",
        {
            "booking": booking,
            "person_label": f"{mask_name(booking.person.real_name)} {mask_phone(booking.person.phone)}",
            "form": form,
        },
    )
