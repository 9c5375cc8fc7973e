"""Postings' search tokens carry their map cell (jobs.search.geo_token), so a keyword search near a point
narrows the GIN query to the cells of its box (issue 6). Existing rows get the token appended here; the
services write it from now on."""

from django.db import migrations

# floor(lat * 20) as jobs.search.CELLS_PER_DEGREE (IEEE doubles in both, so the same integers).
APPEND = """
UPDATE jobs_posting
SET search_tokens = CASE WHEN search_tokens = '' THEN '' ELSE search_tokens || ' ' END
    || '@' || CAST(floor(lat * 20) AS bigint) || '_' || CAST(floor(lng * 20) AS bigint)
WHERE lat IS NOT NULL AND lng IS NOT NULL AND position('@' in search_tokens) = 0
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        # SQLite has no floor() before 3.35 builds with math functions: do it in Python (small databases).
        import math

        Posting = apps.get_model("jobs", "Posting")
        for posting in Posting.objects.exclude(lat__isnull=True).only("pk", "lat", "lng", "search_tokens"):
            if "@" in posting.search_tokens:
                continue
            cell = f"@{math.floor(posting.lat * 20)}_{math.floor(posting.lng * 20)}"
            Posting.objects.filter(pk=posting.pk).update(search_tokens=f"{posting.search_tokens} {cell}".strip())
        return
    schema_editor.execute(APPEND)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0010_posting_search_index")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
