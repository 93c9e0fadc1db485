"""The one-page supervision brief: its content, its period, what it draws on, its query count."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import SupervisionLink
from reflections.models import Action
from reflections.reading import read_shared
from reflections.selectors import evidence_parts
from supervision.models import Share
from supervision.records.access import access_brief
from supervision.records.brief import KEY_POINT_LIMIT, build_brief, chain_sentence, default_period
from tests.supervision.records_support import CONTEXT_NAMES, RecordsTestCase


class BriefTestCase(RecordsTestCase):
    def brief_url(self, worker_id: int | None = None, query: str = "") -> str:
        url = reverse("supervision:brief", kwargs={"user_id": worker_id or self.p.alice.pk})
        return f"{url}?{query}" if query else url

    def last_week(self) -> str:
        today = timezone.localdate()
        return f"from={(today - timedelta(days=7)).isoformat()}&to={today.isoformat()}"


class BriefContentTests(BriefTestCase):
    def test_the_preview_shows_people_period_coverage_map_points_actions_and_signature_lines(
        self,
    ) -> None:
        reflections = self.shared_reflections(3)
        self.record(actions=("Book a reflective session on endings",))
        first_chain = read_shared(reflections=[reflections[0]])[reflections[0].pk]["chains"][0]
        today = timezone.localdate()
        start = today - timedelta(days=30)
        response = self.p.client_for(self.p.sam).get(
            self.brief_url(query=f"from={start.isoformat()}&to={today.isoformat()}")
        )
        assert response.status_code == 200
        for text in [
            "Supervision brief: Alice",
            "Riverside Peer Support",
            f"{start.day} {start:%B %Y} to {today.day} {today:%B %Y}",
            "Sam",
            *CONTEXT_NAMES,
            "Book a reflective session on endings",
            "Reflection action 0",
            "Learning number 1: slow down and ask what they want.",
            chain_sentence(first_chain),
            "Peer worker: Alice",
            "Supervisor: Sam",
            "Practice map from the reflections shared for supervision",
        ]:
            self.assertContains(response, text, msg_prefix=text)
        pdf_url = reverse("supervision:brief_pdf", kwargs={"user_id": self.p.alice.pk})
        self.assertContains(
            response, f"{pdf_url}?from={start.isoformat()}&amp;to={today.isoformat()}"
        )

    def test_coverage_counts_how_often_each_context_was_present(self) -> None:
        self.shared_reflections(3)
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        today = timezone.localdate()
        brief = build_brief(
            audience=audience, start=today - timedelta(days=30), end=today, version=self.version
        )
        coverage = {
            row.context.key: (row.present, row.strongly, row.average) for row in brief.coverage
        }
        # varied_reflection rates Accepting 3 every time and the others (index + position) % 3;
        # a context used in a chain counts as present even when rated 0. Personalised
        # practice is rated 1, 2, 0 and chained in the first two; Available is rated 0, 1, 2.
        assert coverage["accepting"] == (3, 3, 3.0)
        assert coverage["personalised_practice"] == (2, 0, 1.0)
        assert coverage["available"] == (2, 0, 1.0)
        assert coverage["empowering"] == (3, 0, 1.0)
        assert [row.context.name for row in brief.coverage] == CONTEXT_NAMES
        assert brief.total == 3

    def test_blind_spots_come_with_the_frameworks_questions(self) -> None:
        self.shared_reflections(2)
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        today = timezone.localdate()
        brief = build_brief(
            audience=audience, start=today - timedelta(days=30), end=today, version=self.version
        )
        assert brief.blind_spots, "two reflections never reach every outcome domain"
        never = brief.blind_spots[0]
        assert never.count == 0
        assert never.prompt_groups
        assert never.prompt_groups[0].prompts

    def test_only_reflections_shared_with_this_supervisor_in_the_period_count(self) -> None:
        self.shared_reflections(1)
        unshared = self.varied_reflection(5, learning="Unshared learning stays private.")
        withdrawn = self.varied_reflection(6, learning="Withdrawn learning stays private.")
        self.share(withdrawn, withdrawn_at=timezone.now())
        una_link = SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=self.p.una, worker=self.p.alice
        )
        for_una = self.varied_reflection(7, learning="Shared with Una only.")
        self.share(for_una, una_link)
        too_old = self.varied_reflection(
            8, session_date=timezone.localdate() - timedelta(days=60), learning="Too old."
        )
        self.share(too_old)
        Action.objects.filter(reflection__in=[unshared, withdrawn, for_una]).update(
            text="Private action"
        )

        response = self.p.client_for(self.p.sam).get(self.brief_url(query=self.last_week()))

        assert response.context["brief"].total == 1
        for private in (
            "Unshared learning stays private.",
            "Withdrawn learning stays private.",
            "Shared with Una only.",
            "Too old.",
            "Private action",
        ):
            self.assertNotContains(response, private)

    def test_the_brief_summarises_a_few_reflections_and_counts_the_rest(self) -> None:
        self.shared_reflections(KEY_POINT_LIMIT + 3)
        response = self.p.client_for(self.p.sam).get(self.brief_url(query=self.last_week()))
        assert len(response.context["brief"].key_points) == KEY_POINT_LIMIT
        self.assertContains(response, "And 3 more shared reflections, counted above.")

    def test_the_worker_sees_their_own_brief(self) -> None:
        self.shared_reflections(1)
        response = self.p.client_for(self.p.alice).get(self.brief_url(query=self.last_week()))
        assert response.status_code == 200
        assert response.context["brief"].total == 1
        self.assertContains(response, "Supervisor: Sam")

    def test_a_brief_with_nothing_shared_says_so(self) -> None:
        response = self.p.client_for(self.p.sam).get(self.brief_url())
        assert response.status_code == 200
        self.assertContains(response, "No reflections were shared for sessions in this period.")
        self.assertContains(response, "Nothing was shared for this period")


class BriefPeriodTests(BriefTestCase):
    def test_by_default_the_period_starts_after_the_last_supervision(self) -> None:
        today = timezone.localdate()
        self.record(held_on=today - timedelta(days=10))
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        assert default_period(audience=audience, today=today) == (
            today - timedelta(days=9),
            today,
        )

    def test_an_older_session_shared_since_the_last_supervision_widens_the_period(
        self,
    ) -> None:
        today = timezone.localdate()
        self.record(held_on=today - timedelta(days=10))
        shared_before = self.varied_reflection(1, session_date=today - timedelta(days=90))
        share = self.share(shared_before)
        Share.objects.filter(pk=share.pk).update(shared_at=timezone.now() - timedelta(days=20))
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        assert default_period(audience=audience, today=today)[0] == today - timedelta(days=9)

        self.share(self.varied_reflection(2, session_date=today - timedelta(days=40)))
        withdrawn = self.share(self.varied_reflection(3, session_date=today - timedelta(days=60)))
        Share.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())

        assert default_period(audience=audience, today=today) == (
            today - timedelta(days=40),
            today,
        )
        html = self.p.client_for(self.p.sam).get(self.brief_url()).content.decode()
        assert "Learning number 2" in html
        assert "Learning number 1" not in html
        assert "Learning number 3" not in html

    def test_without_a_supervision_yet_the_period_is_the_last_three_months(self) -> None:
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        assert default_period(audience=audience, today=date(2026, 5, 31)) == (
            date(2026, 2, 28),
            date(2026, 5, 31),
        )

    def test_a_bad_period_is_a_field_error_never_a_500(self) -> None:
        client = self.p.client_for(self.p.sam)
        for query, field in [
            ("from=2026-02-30&to=2026-03-01", "from"),
            ("from=2026-03-01&to=2026-02-01", "to"),
            ("from=1990-01-01&to=1990-02-01", "from"),
            ("from=2020-01-01&to=2026-01-01", "to"),
            ("from=<script>&to=", "from"),
        ]:
            response = client.get(self.brief_url(query=query))
            assert response.status_code == 400, query
            assert field in response.context["form"].errors, query
            self.assertContains(response, 'aria-invalid="true"', status_code=400)
            pdf = client.get(
                reverse("supervision:brief_pdf", kwargs={"user_id": self.p.alice.pk}) + "?" + query
            )
            assert pdf.status_code == 400
            assert pdf["Content-Type"].startswith("text/html")


class BriefQueryCountTests(BriefTestCase):
    def test_building_the_brief_takes_the_same_queries_for_5_and_50_reflections(self) -> None:
        """14 queries whatever the number of shared reflections.

        The framework's parts for the map and the prompts come from the shared cache (their
        nine queries are paid once per framework version, here beforehand); the shared
        reflections under amendment (1), counted from their stored content; for the others, in
        how many reflections each part of the framework was recorded, the ratings and the
        chains, each grouped in the database (3), and the ids in the period (1); the newest four
        read as shared (1, then 5: ratings, their factors, chains, outcome observations,
        actions); the first open actions of the shared reflections with their count (2) and of
        the pair's current records (1). No reflection beyond the newest four is loaded, so 50
        cost the same round trips as 5, and no more rows.
        """
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        today = timezone.localdate()
        start = today - timedelta(days=365)
        self.shared_reflections(5)
        self.record()
        evidence_parts(version=self.version)
        with self.assertNumQueries(14):
            small = build_brief(audience=audience, start=start, end=today, version=self.version)
        for index in range(5, 50):
            self.share(self.varied_reflection(index))
        with self.assertNumQueries(14):
            large = build_brief(audience=audience, start=start, end=today, version=self.version)
        assert (small.total, large.total) == (5, 50)

    def test_the_preview_page_takes_the_same_queries_for_5_and_50_reflections(self) -> None:
        """The site's three for any signed-in page, access to the supervisee (1), the framework
        version (1), what was shared since the last supervision (2: the day of the last record,
        then the count and earliest session of what was shared since), the brief's fourteen
        (the framework's parts come from the cache) and the audit of the reflections it draws
        on (1): 22."""
        client = self.p.client_for(self.p.sam)
        self.shared_reflections(5)
        evidence_parts(version=self.version)
        with self.assertNumQueries(22):
            client.get(self.brief_url())
        for index in range(5, 50):
            self.share(self.varied_reflection(index))
        with self.assertNumQueries(22):
            client.get(self.brief_url())


class SinceLastSupervisionTests(BriefTestCase):
    """One definition of "since the last supervision", the same on every surface."""

    def shared_days_ago(self, index: int, *, shared: int, session: int) -> None:
        today = timezone.localdate()
        share = self.share(self.varied_reflection(index, session_date=today - timedelta(session)))
        Share.objects.filter(pk=share.pk).update(shared_at=timezone.now() - timedelta(shared))

    def surfaces(self) -> dict[str, str]:
        client = self.p.client_for(self.p.sam)
        return {
            "dashboard": client.get(reverse("supervision:dashboard")).content.decode(),
            "worker": client.get(
                reverse("supervision:worker", kwargs={"user_id": self.p.alice.pk})
            ).content.decode(),
            "brief": client.get(self.brief_url()).content.decode(),
        }

    def test_the_dashboard_the_supervisee_page_and_the_brief_count_the_same_shares(self) -> None:
        self.record(held_on=timezone.localdate() - timedelta(days=10))
        self.shared_days_ago(0, shared=20, session=25)
        self.shared_days_ago(1, shared=2, session=40)
        self.shared_days_ago(2, shared=0, session=1)
        pages = self.surfaces()
        assert "Shared since the last supervision (2)" in pages["dashboard"]
        assert "Shared since the last supervision (2)" in pages["worker"]
        assert "Shared before the last supervision (1)" in pages["worker"]
        assert "2 shared since then not yet discussed" in pages["dashboard"]
        assert "(2 shared since the last supervision)" in pages["brief"]
        # The brief's default period takes in both, the older session included.
        assert "Learning number 1" in pages["brief"]
        assert "Learning number 2" in pages["brief"]

    def test_before_any_supervision_everything_shared_counts_and_the_brief_covers_it(
        self,
    ) -> None:
        self.shared_days_ago(0, shared=1, session=200)
        self.shared_days_ago(1, shared=1, session=3)
        pages = self.surfaces()
        assert "Shared since the last supervision (2)" in pages["dashboard"]
        assert "Shared since the last supervision (2)" in pages["worker"]
        assert "(2 shared, no supervision yet)" in pages["brief"]
        assert "2 not yet discussed" in pages["worker"]
        assert "since then" not in pages["worker"]
        assert "Learning number 0" in pages["brief"], "a session older than three months"

    def test_a_share_on_the_day_of_the_supervision_was_there_to_discuss(self) -> None:
        today = timezone.localdate()
        self.record(held_on=today)
        self.shared_days_ago(0, shared=0, session=2)
        pages = self.surfaces()
        assert "Shared since the last supervision (0)" in pages["dashboard"]
        assert "Shared since the last supervision (0)" in pages["worker"]
        assert "(0 shared since the last supervision)" in pages["brief"]
