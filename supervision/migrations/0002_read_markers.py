# Read markers: a comment is new to the reflection's author until they have seen it, and a
# share is new to its supervisor until they have opened it (issue 11). They replace a
# two-week window; what was older than that window is marked as seen, so the dashboard
# does not suddenly bring back every old comment and share.

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone

WINDOW = timedelta(days=14)


def mark_the_past_seen(apps, schema_editor):  # type: ignore[no-untyped-def]
    Comment = apps.get_model("supervision", "Comment")
    Share = apps.get_model("supervision", "Share")
    before = timezone.now() - WINDOW
    Comment.objects.filter(
        Q(created_at__lt=before) | Q(author_id=F("reflection__author_id"))
    ).update(worker_seen_at=F("created_at"))
    Share.objects.filter(
        Q(shared_at__lt=before) | Q(discussed_at__isnull=False) | Q(withdrawn_at__isnull=False)
    ).update(opened_at=F("shared_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="worker_seen_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="seen by the reflection's author"
            ),
        ),
        migrations.AddField(
            model_name="share",
            name="opened_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="first opened by the supervisor"
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("worker_seen_at__isnull", True)),
                fields=["reflection"],
                name="comment_unseen_by_worker",
            ),
        ),
        migrations.RunPython(mark_the_past_seen, migrations.RunPython.noop),
    ]
