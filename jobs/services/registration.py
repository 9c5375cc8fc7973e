"""Job-seeker registration (求职登记) and employer registration (用工登记) with its review."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import RoleGrant
from core.audit import audit_record, changed, snapshot
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.permissions import require_access, signed_in

from ..choices import (
    CertificateStatus,
    NewFormKind,
    PersonCategoryKind,
    PersonCategorySource,
    VerificationStatus,
)
from ..models import (
    CERTIFICATE_WORKFLOW,
    EMPLOYER_WORKFLOW,
    WORKER_PROFILE_FIELDS,
    Certificate,
    EmployerProfile,
    PersonCategory,
    WorkerProfile,
    WorkerSkill,
)
from ..notifications import notify
from ..permissions import can_serve_counter, may_act_for, require_for_worker, staff_for
from .windows import seeker_spells_sync


@transaction.atomic
def worker_profile_save(
    *, user, actor, data: dict, skills=None, preferred_units=None, certificates=None, request=None
) -> WorkerProfile:
    """Job-seeker registration (求职登记) or its update. Staff acting for a worker at a counter are
    recorded as the assisting officer. ``certificates`` (dicts of occupation, name, number, issuer,
    expires_on), when given, replace the ones on record; an unchanged certificate keeps its verification, a
    changed one is recorded anew and waits for staff to verify it (``certificate_verify``)."""
    require_for_worker(user, actor)
    profile, created = WorkerProfile.objects.select_for_update().get_or_create(user=user)
    before = None if created else snapshot(profile)
    refused = sorted(set(data) - set(WORKER_PROFILE_FIELDS))
    if refused:
        raise DomainError(fields={name: [_("不能在求职登记中修改此项。")] for name in refused})
    for name, value in data.items():
        setattr(profile, name, value)
    if actor.pk != user.pk:
        profile.assisted_by = actor
    profile.full_clean()
    profile.save()
    if preferred_units is not None:
        profile.preferred_units.set(preferred_units)
    if skills is not None:
        keep = []
        for occupation, level, years in skills:
            skill, _created = WorkerSkill.objects.update_or_create(
                profile=profile, occupation=occupation, defaults={"level": level, "years": years}
            )
            keep.append(skill.pk)
        profile.skills.exclude(pk__in=keep).delete()
    if certificates is not None:
        keep = []
        for item in certificates:
            cert = profile.certificates.filter(occupation=item["occupation"], number=item["number"]).first()
            new = (item["name"], item["issuer"], item.get("expires_on"))
            if cert is not None and (cert.name, cert.issuer, cert.expires_on) != new:
                cert.delete()  # a changed certificate is a new record, to be checked again
                cert = None
            cert = cert or Certificate(profile=profile, occupation=item["occupation"], number=item["number"])
            cert.name, cert.issuer, cert.expires_on = new
            cert.full_clean(exclude=["profile"])
            cert.save()
            keep.append(cert.pk)
        profile.certificates.exclude(pk__in=keep).delete()
    seeker_spells_sync(profile)  # the seeking window follows availability and skills (ADR 0041)
    b, a = changed(before, snapshot(profile))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=profile,
        before=b,
        after=a,
        request=request,
        on_behalf_of=user if actor.pk != user.pk else None,
    )
    if not user.has_role(Role.WORKER):
        RoleGrant.objects.get_or_create(user=user, role=Role.WORKER)
    return profile


@transaction.atomic
def worker_seeking_set(*, user, actor, seeking: bool, request=None) -> WorkerProfile:
    """Pause (``seeking=False``: found work, away) or resume a job-seeker registration: closes or reopens its
    seeking spells (ADR 0041), so later months stop or start counting the worker as a seeker. Repeating the
    same call changes nothing and writes no audit row."""
    require_for_worker(user, actor)
    try:
        profile = WorkerProfile.objects.select_for_update().select_related("user").get(user=user)
    except WorkerProfile.DoesNotExist:
        raise DomainError(fields={"seeking": [_("尚未进行求职登记。")]}) from None
    if profile.seeking != seeking:
        profile.seeking = seeking
        profile.save(update_fields=["seeking", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=profile,
            before={"seeking": not seeking},
            after={"seeking": seeking},
            request=request,
            on_behalf_of=user if actor.pk != user.pk else None,
        )
    seeker_spells_sync(profile)
    return profile


@transaction.atomic
def employer_register(
    *, user, actor, kind: str, display_name: str, scope_unit, organization=None, request=None
) -> EmployerProfile:
    """Employer registration (用工登记): waits for staff approval before its first posting goes live."""
    require_access(allowed=actor.pk == user.pk or staff_for(actor, scope_unit.pk), visible=False)
    if organization is not None and organization.owner_id != user.pk:
        raise NotPermitted()
    if kind == "person" and not user.id_number:
        raise DomainError(_("个人用工须先完成实名核验。"), fields={"kind": [_("个人用工须先完成实名核验。")]})
    profile, created = EmployerProfile.objects.get_or_create(
        user=user,
        defaults={
            "kind": kind,
            "display_name": display_name,
            "scope_unit": scope_unit,
            "organization": organization,
        },
    )
    if not created:
        raise DomainError(_("已完成用工登记。"), code="duplicate")
    EMPLOYER_WORKFLOW.record(
        profile,
        to_status=profile.status,
        actor=actor,
        on_behalf_of=user if actor.pk != user.pk else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=profile,
        after=snapshot(profile),
        request=request,
        on_behalf_of=user if actor.pk != user.pk else None,
    )
    RoleGrant.objects.get_or_create(user=user, role=Role.EMPLOYER)
    return profile


@transaction.atomic
def employer_review(
    *, employer: EmployerProfile, actor, approve: bool, note: str = "", request=None
) -> EmployerProfile:
    """County staff in scope approve a registration (its postings may then go live) or turn it down with a
    note; a turned-down one may be approved later, an approved one is not reviewed again."""
    employer = EMPLOYER_WORKFLOW.lock(employer, queryset=EmployerProfile.objects.visible_to(actor))
    staff = staff_for(actor, employer.scope_unit_id)
    require_access(allowed=staff and actor.has_perm("jobs.change_employerprofile"), visible=staff)
    note = (note or "").strip()
    employer.reviewed_by, employer.reviewed_at, employer.review_note = actor, timezone.now(), note[:300]
    return EMPLOYER_WORKFLOW.move(
        employer,
        VerificationStatus.APPROVED if approve else VerificationStatus.REJECTED,
        actor=actor,
        reason=note,
        fields=("reviewed_by", "reviewed_at", "review_note"),
        request=request,
    )


@transaction.atomic
def certificate_verify(
    *, certificate: Certificate, actor, verified: bool, note: str = "", request=None
) -> Certificate:
    """Staff (county staff in the worker's scope, or a market's counter staff) check a certificate against
    the document the worker shows at the counter: verified, or rejected with a note. One event row and one
    audit row per verification; only verified certificates open licensed work."""
    certificate = CERTIFICATE_WORKFLOW.lock(certificate, select_related=("profile__user",))
    worker = certificate.profile.user
    serves = can_serve_counter(actor) and actor.pk != worker.pk
    require_access(
        allowed=serves and may_act_for(worker, actor),
        visible=actor.pk == worker.pk or staff_for(actor, worker.scope_unit_id),
        message=_("证书由工作人员在服务台核验。"),
    )
    note = (note or "").strip()
    if not verified and len(note) < 2:
        raise DomainError(_("请写明未通过核验的原因。"), fields={"note": [_("请写明未通过核验的原因。")]})
    target = CertificateStatus.VERIFIED if verified else CertificateStatus.REJECTED
    certificate.verified_by, certificate.verified_at = actor, timezone.now()
    CERTIFICATE_WORKFLOW.move(
        certificate,
        target,
        actor=actor,
        reason=note or _("核对证书原件无误"),
        on_behalf_of=worker,
        fields=("verified_by", "verified_at"),
        request=request,
    )
    notify(
        worker.pk,
        _("您的证书“%(name)s”已核验通过。") % {"name": certificate.name}
        if verified
        else _("您的证书“%(name)s”未通过核验：%(note)s") % {"name": certificate.name, "note": note},
    )
    return certificate


@transaction.atomic
def certificate_record_verified(
    *,
    profile_user,
    occupation,
    name: str,
    number: str,
    issuer: str,
    issued_on=None,
    expires_on=None,
    actor,
    source_note: str,
    request=None,
) -> Certificate:
    """Write a certificate that an accountable source issued (a filed training institution's completed
    class) to the worker's job-seeker registration as verified, so it opens licensed work at once. The
    caller has checked that ``actor`` may vouch for it (``training.services.results``); the worker must have
    registered (求职登记) first: nobody else creates their registration. Idempotent on (registration,
    number): the same certificate again returns the row on record (verifying it if it was waiting)."""
    if not signed_in(actor):
        raise NotPermitted()
    profile = WorkerProfile.objects.select_for_update().filter(user=profile_user).first()
    if profile is None:
        raise DomainError(
            _("该劳动者还没有求职登记，请先完成求职登记（本人在网上或到服务台办理）后再登记证书。"),
            code="worker_profile_required",
        )
    number = (number or "").strip()
    note = (source_note or "").strip()[:200]
    reason = note if issued_on is None else f"{note} {issued_on:%Y-%m-%d}"
    existing = Certificate.objects.filter(profile=profile, number=number).first()
    if existing is not None:
        if existing.occupation_id != occupation.pk:
            raise DomainError(
                _("证书编号已登记为其他工种的证书。"), code="duplicate", fields={"number": [_("编号重复。")]}
            )
        if existing.is_verified:
            return existing
        existing = CERTIFICATE_WORKFLOW.lock(existing)
        existing.verified_by, existing.verified_at = actor, timezone.now()
        return CERTIFICATE_WORKFLOW.move(
            existing,
            CertificateStatus.VERIFIED,
            actor=actor,
            reason=reason,
            on_behalf_of=profile_user,
            fields=("verified_by", "verified_at"),
            request=request,
        )
    certificate = Certificate(
        profile=profile,
        occupation=occupation,
        name=(name or "")[:100],
        number=number,
        issuer=(issuer or "")[:100],
        expires_on=expires_on,
        status=CertificateStatus.VERIFIED,
        verified_by=actor,
        verified_at=timezone.now(),
    )
    certificate.full_clean(exclude=["profile", "verified_by"])
    certificate.save()
    CERTIFICATE_WORKFLOW.record(
        certificate,
        to_status=CertificateStatus.VERIFIED,
        actor=actor,
        reason=reason,
        on_behalf_of=profile_user,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=certificate,
        after={**snapshot(certificate), "source": note},
        reason=reason,
        request=request,
        on_behalf_of=profile_user,
    )
    return certificate


@transaction.atomic
def person_category_record(
    *,
    person,
    actor,
    category: str,
    valid_from,
    valid_to=None,
    new_form_kind: str = "",
    evidence: str = "",
    request=None,
) -> PersonCategory:
    """Staff (county staff in the person's scope, a market's counter) record a person's category from a date
    with the evidence they saw (登记失业证, 就业困难人员认定 …): ``staff_verified``. The person's open row of
    the same category that began earlier is closed the day before (a category is never edited in place, so
    what was in force on an earlier date stays readable). One audit row."""
    import datetime as dt

    serves = can_serve_counter(actor) and actor.pk != person.pk
    require_access(
        allowed=serves and may_act_for(person, actor),
        visible=actor.pk == person.pk or staff_for(actor, person.scope_unit_id),
        message=_("人员类别由工作人员核实后登记。"),
    )
    errors = {}
    if category not in PersonCategoryKind.values:
        errors["category"] = [_("请选择人员类别。")]
    if category == PersonCategoryKind.NEW_FORM and new_form_kind not in NewFormKind.values[1:]:
        errors["new_form_kind"] = [_("请选择新就业形态类型（骑手、网约车司机、主播）。")]
    if category != PersonCategoryKind.NEW_FORM:
        new_form_kind = ""
    if valid_from is None:
        errors["valid_from"] = [_("请填写认定日期。")]
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("截止日期不能早于认定日期。")]
    if errors:
        raise DomainError(_("请检查填写的内容。"), fields=errors)
    open_rows = PersonCategory.objects.select_for_update().filter(
        user=person, category=category, valid_to__isnull=True, valid_from__lt=valid_from
    )
    for row in open_rows:
        row.valid_to = valid_from - dt.timedelta(days=1)
        row.save(update_fields=["valid_to", "updated_at"])
    row = PersonCategory.objects.create(
        user=person,
        category=category,
        new_form_kind=new_form_kind,
        valid_from=valid_from,
        valid_to=valid_to,
        source=PersonCategorySource.STAFF_VERIFIED,
        evidence=(evidence or "").strip()[:300],
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        after=snapshot(row),
        on_behalf_of=person,
        request=request,
        scope_unit_id=person.scope_unit_id,
    )
    return row
