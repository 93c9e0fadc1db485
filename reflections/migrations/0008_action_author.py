"""Actions carry their reflection's author, for an index on the worker's open, dated actions."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_authors(apps, schema_editor):  # type: ignore[no-untyped-def]
    Action = apps.get_model("reflections", "Action")
    Reflection = apps.get_model("reflections", "Reflection")
    Action.objects.update(
        author_id=Subquery(
            Reflection.objects.filter(pk=OuterRef("reflection_id")).values("author_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reflections", "0007_practice_tally"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="author",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(copy_authors, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="action",
            name="author",
            field=models.ForeignKey(
                editable=False,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                condition=models.Q(("done_at__isnull", True), ("due_on__isnull", False)),
                fields=["author", "due_on"],
                name="action_open_due_by_author",
            ),
        ),
    ]
