"""`manage.py seed_scale` fills PostgreSQL with a data set the pages render, and refuses misuse."""

from __future__ import annotations

from io import StringIO
from unittest import skipIf, skipUnless

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import TestCase

from accounts.models import Membership, SupervisionLink, User
from demo.scale import (
    SCALE_PASSWORD,
    SCALE_SUPERVISOR,
    ScalePlan,
    drafts_for,
    scale_pages,
)
from framework.selectors import current_version
from reflections import practice_tally
from reflections.models import Chain, ContextRating, PracticeTally, Reflection
from reflections.services import reflection_refresh_search_text
from supervision.models import Comment, Share, SupervisionRecord
from tests.scale.support import client_for

PLAN = ScalePlan(reflections=2_000, workers=10, organisations=2)
# Foreign keys the set-based SQL writes, checked by hand: the command skips the triggers.
REFERENCES = [
    ("reflections_contextrating", "reflection_id", "reflections_reflection"),
    ("reflections_contextrating_factors", "contextrating_id", "reflections_contextrating"),
    ("reflections_contextrating_factors", "factor_id", "framework_factor"),
    ("reflections_chain", "reflection_id", "reflections_reflection"),
    ("reflections_chain", "mechanism_id", "framework_mechanism"),
    ("reflections_outcomeobservation", "reflection_id", "reflections_reflection"),
    ("reflections_action", "reflection_id", "reflections_reflection"),
    ("reflections_reflection", "author_id", "accounts_user"),
    ("supervision_share", "reflection_id", "reflections_reflection"),
    ("supervision_share", "link_id", "accounts_supervisionlink"),
    ("supervision_comment", "reflection_id", "reflections_reflection"),
    ("supervision_supervisionrecord", "link_id", "accounts_supervisionlink"),
    ("accounts_auditevent", "actor_id", "accounts_user"),
]


@skipIf(connection.vendor == "postgresql", "the refusal on SQLite")
class SeedScaleOnSQLiteTests(TestCase):
    def test_the_command_refuses_sqlite(self) -> None:
        with self.assertRaisesMessage(CommandError, "needs PostgreSQL"):
            call_command("seed_scale", reflections=10, stdout=StringIO())


@skipUnless(connection.vendor == "postgresql", "the scale data set is PostgreSQL's")
class SeedScaleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command(
            "seed_scale",
            reflections=PLAN.reflections,
            workers=PLAN.workers,
            organisations=PLAN.organisations,
            stdout=StringIO(),
        )

    def test_it_writes_the_planned_reflections_with_their_parts(self) -> None:
        counts = PLAN.worker_counts()
        assert Reflection.objects.filter(status=Reflection.Status.SUBMITTED).count() == 2_000
        assert Reflection.objects.filter(status=Reflection.Status.DRAFT).count() == sum(
            drafts_for(count) for count in counts.values()
        )
        by_author = dict(
            Reflection.objects.filter(status=Reflection.Status.SUBMITTED)
            .values_list("author__username")
            .annotate(n=Count("id"))
            .values_list("author__username", "n")
        )
        assert by_author == counts
        assert by_author["scale-w10"] == 10
        version = current_version()
        assert version is not None
        contexts = version.contexts.count()
        assert ContextRating.objects.count() == Reflection.objects.count() * contexts
        chains_each = Chain.objects.count() / Reflection.objects.count()
        assert 1.4 < chains_each < 1.6
        assert not Reflection.objects.exclude(framework_version=version).exists()

    def test_a_fraction_is_shared_commented_and_recorded(self) -> None:
        shares = Share.objects.count()
        assert 0.02 * 2_000 < shares < 0.1 * 2_000
        assert not Share.objects.exclude(reflection__status=Reflection.Status.SUBMITTED).exists()
        assert Comment.objects.exists()
        assert SupervisionRecord.objects.filter(reflections__isnull=False).exists()

    def test_every_worker_has_a_supervisor_in_their_organisation(self) -> None:
        workers = Membership.objects.filter(is_peer_worker=True)
        assert workers.count() == len(PLAN.worker_counts())
        for membership in workers:
            link = SupervisionLink.objects.active().get(worker=membership.user_id)
            assert link.organisation_id == membership.organisation_id

    def test_every_reference_the_sql_writes_points_at_a_row(self) -> None:
        with connection.cursor() as cursor:
            for table, column, target in REFERENCES:
                cursor.execute(
                    f"SELECT count(*) FROM {table} t LEFT JOIN {target} x ON x.id = t.{column} "  # noqa: S608
                    f"WHERE t.{column} IS NOT NULL AND x.id IS NULL"
                )
                assert cursor.fetchone() == (0,), f"{table}.{column} points nowhere"

    def test_a_search_for_listened_finds_a_fraction_of_a_workers_reflections(self) -> None:
        worker = User.objects.get(username="scale-w5000")
        mine = Reflection.objects.filter(author=worker)
        listened = (
            mine.annotate(text=SearchVector("what_happened", config="english"))
            .filter(text=SearchQuery("listened", config="english"))
            .count()
        )
        assert 0.03 * mine.count() < listened < 0.3 * mine.count()

    def test_the_search_copy_and_the_tallies_are_what_the_services_would_write(self) -> None:
        """The fill writes rows directly, so it makes what the services keep beside them."""
        worker = User.objects.get(username="scale-w1000")
        mine = Reflection.objects.filter(author=worker).order_by("pk")
        written = list(mine.values_list("evidence_text", flat=True))
        assert any(written)
        reflection_refresh_search_text(reflections=mine)
        assert list(mine.values_list("evidence_text", flat=True)) == written

        def tallies() -> list[tuple[object, ...]]:
            fields = [f.attname for f in PracticeTally._meta.concrete_fields if f.name != "id"]
            return sorted(
                PracticeTally.objects.filter(author=worker).values_list(*fields), key=repr
            )

        tallied = tallies()
        assert tallied
        practice_tally.rebuild(author_ids=[worker.pk])
        assert tallies() == tallied

    def test_the_worker_signs_in_with_the_published_password(self) -> None:
        assert self.client.login(username="scale-w10", password=SCALE_PASSWORD)

    def test_every_page_of_the_table_answers(self) -> None:
        worker = User.objects.get(username="scale-w1000")
        supervisor = User.objects.get(username=SCALE_SUPERVISOR)
        version = current_version()
        assert version is not None
        clients = {False: client_for(worker), True: client_for(supervisor)}
        pages = scale_pages(worker=worker, supervisor=supervisor, version=version)
        assert len(pages) == 15, ", ".join(page.name for page in pages)
        for page in pages:
            response = clients[page.as_supervisor].get(page.url)
            assert response.status_code == 200, f"{page.name} ({page.url})"

    def test_it_refuses_a_database_with_people_unless_forced(self) -> None:
        with self.assertRaisesMessage(CommandError, "already has people"):
            call_command("seed_scale", reflections=10, stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "scale accounts already exist"):
            call_command("seed_scale", reflections=10, force=True, stdout=StringIO())
