from celery import shared_task

from . import services


@shared_task
def posting_expire_task() -> int:
    """Hourly: postings past their last work date become expired (reads already treat them as closed)."""
    return services.posting_expire_due()


@shared_task
def posting_notify_matches_task(*, posting_id: int, limit: int = 30) -> int:
    """After a posting is published: tell the best-matching workers who asked to hear of new jobs."""
    from django.utils.translation import gettext as _

    from .matching import recommend_workers
    from .models import Posting
    from .notifications import notify_user

    posting = (
        Posting.objects.select_related("occupation", "scope_unit", "employer").filter(pk=posting_id).first()
    )
    if posting is None or not posting.is_open():
        return 0
    count = 0
    for rec in recommend_workers(posting=posting, limit=limit):
        notify_user(
            user_id=rec.obj.user_id,
            body=_("新岗位：%(t)s，%(w)s元/天，%(r)s")
            % {"t": posting.title, "w": posting.daily_wage, "r": "；".join(rec.reasons[:3])},
            url=f"/jobs/{posting.pk}/",
        )
        count += 1
    return count
