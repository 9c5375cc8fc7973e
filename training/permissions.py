"""Who may do what in training. Filed institutions, approved classes, the catalogue and outcomes are public;
an institution's staff (the training-institution role, bound to it by ``InstitutionMember``) run its classes;
county staff file institutions and approve classes in their county; a worker holds their own enrollments
and claims."""

from __future__ import annotations

from accounts.choices import Role
from core.permissions import signed_in

ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("training.*",),
    Role.COUNTY_STAFF: ("training.*",),
    Role.AUDITOR: (
        "training.view_institution",
        "training.view_trainingclass",
        "training.view_enrollment",
        "training.view_attendance",
        "training.view_trainingclaim",
        "training.view_outcomecohort",
    ),
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = (
    "training.view_institution",
    "training.view_catalogueitem",
    "training.view_trainingclass",
    "training.view_enrollment",
    "training.view_attendance",
    "training.view_trainingresult",
    "training.view_trainingclaim",
    "training.view_outcomecohort",
)


def membership(user):
    """The user's institution membership (training-institution role), or None."""
    if not signed_in(user) or not user.has_role(Role.TRAINING_INSTITUTION):
        return None
    from .models import InstitutionMember

    return InstitutionMember.objects.select_related("institution").filter(user_id=user.pk).first()


def is_member(user, institution_id: int | None) -> bool:
    member = membership(user)
    return bool(member and institution_id is not None and member.institution_id == institution_id)
