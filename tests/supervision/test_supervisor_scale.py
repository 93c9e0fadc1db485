"""The supervisor's pages count in the database and list only the newest, whatever the history.

The dashboard and a supervisee's page show counts over every live share and open action, and
list the newest of them up to a limit; the counts must agree with a direct count of the rows,
and the pages must run the same queries however much a worker has shared.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.access import live_links
from reflections import services as reflection_services
from reflections.models import Action, Chain, ContextRating, Reflection
from reflections.reading import read_shared
from reflections.selectors import entities_of, evidence_parts
from supervision.models import Share
from supervision.records.access import access_brief
from supervision.records.brief import _reach, build_brief, shared_in_period
from supervision.sharing import selectors
from supervision.sharing.access import live_shares, open_shares_through
from tests.supervision.records_support import RecordsTestCase
from tests.supervision.sharing_support import SharingTestCase

SHOWN = selectors.DASHBOARD_SHOWN


class SupervisorCountsTests(SharingTestCase):
    def share_many(self, count: int) -> list[Share]:
        """`count` shared reflections of Alice's, each with one open action, newest last."""
        shares = []
        for index in range(count):
            share = self.share(self.full_reflection())
            Share.objects.filter(pk=share.pk).update(
                shared_at=timezone.now() - timedelta(minutes=count - index)
            )
            shares.append(share)
        return shares

    def alice_on_the_dashboard(self) -> selectors.SuperviseeSummary:
        summaries = selectors.supervisor_dashboard(supervisor=self.p.sam)
        return next(summary for summary in summaries if summary.worker == self.p.alice)

    def test_counts_agree_with_a_direct_count_and_the_list_holds_the_newest(self) -> None:
        shares = self.share_many(SHOWN + 3)
        Share.objects.filter(pk=shares[0].pk).update(discussed_at=timezone.now())
        self.share(self.full_reflection(), withdrawn_at=timezone.now())  # not counted
        summary = self.alice_on_the_dashboard()
        live = live_shares().filter(supervisor=self.p.sam, reflection__author=self.p.alice)
        assert summary.shared_count == live.count() == SHOWN + 3
        assert summary.new_count == SHOWN + 3
        assert summary.undiscussed_count == live.filter(discussed_at__isnull=True).count()
        assert [share.pk for share in summary.new_shares] == [
            share.pk for share in reversed(shares[-SHOWN:])
        ]
        assert summary.more_new == 3
        open_actions = Action.objects.filter(
            reflection__in=live.values("reflection"), done_at__isnull=True
        ).count()
        assert summary.open_reflection_action_count == open_actions == SHOWN + 3
        assert len(summary.open_actions) == SHOWN
        assert summary.more_actions == 3
        assert summary.glance is not None
        assert summary.glance.reflections == SHOWN + 3

    def test_the_page_says_how_many_more_there_are(self) -> None:
        self.share_many(SHOWN + 2)
        html = self.p.client_for(self.p.sam).get(reverse("supervision:dashboard")).content
        text = html.decode()
        assert f"Shared since the last supervision ({SHOWN + 2})" in text
        assert "And 2 more, not listed here." in text
        assert f"{SHOWN + 2} reflections shared with you" in text

    def test_the_audit_names_the_reflections_listed_by_title_or_action_and_no_others(
        self,
    ) -> None:
        self.share_many(2 * SHOWN)
        Action.objects.filter(reflection__author=self.p.alice).update(done_at=timezone.now())
        summary = self.alice_on_the_dashboard()
        listed = {share.reflection_id for share in summary.new_shares}
        assert summary.reflection_ids_shown == sorted(listed)
        assert len(listed) == SHOWN

    def test_an_open_amendments_actions_count_as_last_submitted(self) -> None:
        [share] = self.share_many(1)
        reflection = share.reflection
        reflection_services.reflection_amend(reflection=reflection, by=self.p.alice)
        Action.objects.filter(reflection=reflection).delete()
        Action.objects.create(reflection=reflection, text="Unsubmitted action one")
        Action.objects.create(reflection=reflection, text="Unsubmitted action two")
        summary = self.alice_on_the_dashboard()
        assert [action.text for action in summary.open_actions] == ["Call the hostel with J"]
        assert summary.open_reflection_action_count == 1
        assert Reflection.objects.get(pk=reflection.pk).is_amending

    def test_the_dashboard_runs_the_same_queries_below_and_far_above_its_list_limit(
        self,
    ) -> None:
        """Fourteen queries at 2 and at 3 × the list limit of shares and actions: every
        count is grouped, and every list cut, in the database."""
        self.share_many(2)
        with self.assertNumQueries(14):
            small = self.alice_on_the_dashboard()
        self.share_many(3 * SHOWN)
        with self.assertNumQueries(14):
            large = self.alice_on_the_dashboard()
        assert (small.shared_count, large.shared_count) == (2, 2 + 3 * SHOWN)
        assert len(large.new_shares) == SHOWN

    def test_a_supervisees_page_runs_the_same_queries_below_and_far_above_its_limit(
        self,
    ) -> None:
        """Fourteen queries at 2 and at 60 shares, over the page's list limit: the
        dashboard's, with the shares before the last supervision, and no query for links."""
        self.share_many(2)
        with self.assertNumQueries(14):
            small = selectors.supervisee_summary(link=self.p.sam_alice)
        self.share_many(58)
        with self.assertNumQueries(14):
            large = selectors.supervisee_summary(link=self.p.sam_alice)
        assert (small.shared_count, large.shared_count) == (2, 60)
        assert len(large.new_shares) == selectors.SUPERVISEE_SHOWN
        assert large.more_new == 60 - selectors.SUPERVISEE_SHOWN


class BriefCountsTests(RecordsTestCase):
    def test_the_briefs_database_counts_agree_with_counting_every_reflection_read_whole(
        self,
    ) -> None:
        reflections = self.shared_reflections(12)
        amended = reflections[3]
        reflection_services.reflection_amend(reflection=amended, by=self.p.alice)
        # Unsubmitted changes to the rows: the counts must keep the last submitted version.
        ContextRating.objects.filter(reflection=amended).update(presence=0)
        Chain.objects.filter(reflection=amended).delete()
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        today = timezone.localdate()
        start = today - timedelta(days=8)
        brief = build_brief(audience=audience, start=start, end=today, version=self.version)
        as_shared = read_shared(
            reflections=list(Reflection.objects.filter(pk__in=[r.pk for r in reflections]))
        )
        in_period = [
            content for content in as_shared.values() if start <= content["session_date"] <= today
        ]
        contexts, mechanisms, domains = _reach(in_period)
        assert brief.total == len(in_period) == 8
        assert {row.context.key: row.present for row in brief.coverage} == {
            row.context.key: contexts.get(row.context.key, 0) for row in brief.coverage
        }
        for row in brief.coverage:
            ratings = [
                rating["presence"]
                for content in in_period
                for rating in content["context_ratings"]
                if rating["context_key"] == row.context.key and rating["presence"] is not None
            ]
            assert row.strongly == ratings.count(3)
            assert row.average == (round(sum(ratings) / len(ratings), 1) if ratings else None)
        assert brief.chains == sum(len(content["chains"]) for content in in_period)
        assert sorted(brief.reflection_ids) == sorted(
            pk for pk, content in as_shared.items() if start <= content["session_date"] <= today
        )
        assert [point.session_date for point in brief.key_points] == sorted(
            (content["session_date"] for content in in_period), reverse=True
        )[:4]
        entities = entities_of(evidence_parts(version=self.version))
        period = shared_in_period(audience=audience, start=start, end=today, entities=entities)
        assert period.tally.reach == (contexts, mechanisms, domains)


class OpenSharesThroughTests(SharingTestCase):
    def test_gives_the_same_shares_as_live_shares_through_the_supervisors_live_links(
        self,
    ) -> None:
        kept = self.share(self.full_reflection())
        self.share(self.full_reflection(), withdrawn_at=timezone.now())
        draft = self.reflection(status=Reflection.Status.DRAFT)
        self.share(draft)
        bobs = self.share(self.full_reflection(self.p.bob), link=self.p.sam_bob)
        # A share whose link names another worker than the reflection's author.
        self.share(self.full_reflection(self.p.bob), link=self.p.sam_alice)
        links = list(live_links().filter(supervisor=self.p.sam))
        through = set(open_shares_through(links).values_list("pk", flat=True))
        live = set(live_shares().filter(supervisor=self.p.sam).values_list("pk", flat=True))
        assert through == live == {kept.pk, bobs.pk}
