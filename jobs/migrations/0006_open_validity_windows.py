"""Open the validity windows of the rows that exist (ADR 0041): a spell per occupation for every worker seeking
now (active account, an available weekday), from their registration; a window for each published stretch of
every posting, from its status events (published → the next step), or from ``published_at`` for a posting
still published with no events (an import)."""

from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    WorkerProfile = apps.get_model("jobs", "WorkerProfile")
    WorkerSkill = apps.get_model("jobs", "WorkerSkill")
    SeekerSpell = apps.get_model("jobs", "SeekerSpell")
    Posting = apps.get_model("jobs", "Posting")
    PostingEvent = apps.get_model("jobs", "PostingEvent")
    PostingWindow = apps.get_model("jobs", "PostingWindow")

    seeking = WorkerProfile.objects.filter(user__is_active=True).exclude(available_days="")
    skills: dict[int, list[int]] = {}
    for profile_id, occupation_id in WorkerSkill.objects.filter(profile__in=seeking).values_list(
        "profile_id", "occupation_id"
    ):
        skills.setdefault(profile_id, []).append(occupation_id)
    spells = []
    for profile_id, created_at in seeking.values_list("pk", "created_at").iterator():
        for occupation_id in skills.get(profile_id) or [None]:
            spells.append(SeekerSpell(profile_id=profile_id, occupation_id=occupation_id, started_at=created_at))
    SeekerSpell.objects.bulk_create(spells, batch_size=BATCH)

    windows = []
    opened: dict[int, object] = {}
    events = PostingEvent.objects.order_by("posting_id", "at", "pk").values_list(
        "posting_id", "to_status", "at"
    )
    for posting_id, to_status, at in events.iterator():
        if to_status == "published":
            opened.setdefault(posting_id, at)
        elif posting_id in opened:
            windows.append(
                PostingWindow(
                    posting_id=posting_id, opened_at=opened.pop(posting_id), closed_at=at, close_reason=to_status
                )
            )
    windows += [PostingWindow(posting_id=pk, opened_at=at) for pk, at in opened.items()]
    rest = Posting.objects.filter(status="published", published_at__isnull=False).exclude(
        pk__in=PostingEvent.objects.values("posting_id")
    )
    windows += [PostingWindow(posting_id=pk, opened_at=at) for pk, at in rest.values_list("pk", "published_at")]
    PostingWindow.objects.bulk_create(windows, batch_size=BATCH)


def backwards(apps, schema_editor):
    apps.get_model("jobs", "SeekerSpell").objects.all().delete()
    apps.get_model("jobs", "PostingWindow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0005_validity_windows")]

    operations = [migrations.RunPython(forwards, backwards)]
