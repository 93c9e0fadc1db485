"""The supervisor's dashboard and a supervisee's page: what was shared, open actions, practice."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import SupervisionLink, User
from reflections.models import Action, Chain
from supervision.models import RecordAction, Share, SupervisionRecord
from supervision.sharing import selectors
from tests.base import make_member, make_user
from tests.supervision.sharing_support import SharingTestCase


class DashboardTestCase(SharingTestCase):
    def record(self, link: SupervisionLink, days_ago: int, **fields: object) -> SupervisionRecord:
        return SupervisionRecord.objects.create(
            organisation=link.organisation,
            link=link,
            worker=link.worker,
            supervisor=link.supervisor,
            held_on=timezone.localdate() - timedelta(days=days_ago),
            **fields,
        )

    def shared_days_ago(self, share: Share, days: int) -> None:
        Share.objects.filter(pk=share.pk).update(shared_at=timezone.now() - timedelta(days=days))

    def supervisee(self, name: str) -> SupervisionLink:
        worker = make_user(name)
        make_member(worker, self.p.riverside, "peer_worker")
        return SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=self.p.sam, worker=worker
        )


class DashboardSelectorTests(DashboardTestCase):
    def summary_for(self, worker: User) -> selectors.SuperviseeSummary:
        summaries = selectors.supervisor_dashboard(supervisor=self.p.sam)
        return next(summary for summary in summaries if summary.worker == worker)

    def test_lists_every_current_supervisee_and_no_one_else(self) -> None:
        SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=self.p.una, worker=self.p.dee
        )
        workers = [
            summary.worker for summary in selectors.supervisor_dashboard(supervisor=self.p.sam)
        ]
        assert workers == [self.p.alice, self.p.bob]

    def test_a_supervisee_whose_link_ended_disappears(self) -> None:
        SupervisionLink.objects.filter(pk=self.p.sam_bob.pk).update(ended_at=timezone.now())
        workers = [
            summary.worker for summary in selectors.supervisor_dashboard(supervisor=self.p.sam)
        ]
        assert workers == [self.p.alice]

    def test_new_shares_are_those_after_the_last_supervision(self) -> None:
        self.record(self.p.sam_alice, days_ago=30)
        self.record(self.p.sam_alice, days_ago=10)
        before = self.share(self.reflection())
        after = self.share(self.reflection())
        self.shared_days_ago(before, 12)
        self.shared_days_ago(after, 2)
        summary = self.summary_for(self.p.alice)
        assert summary.last_supervision == timezone.localdate() - timedelta(days=10)
        assert [share.pk for share in summary.new_shares] == [after.pk]
        assert (summary.shared_count, summary.new_count, summary.earlier_count) == (2, 1, 1)
        page = selectors.supervisee_summary(link=self.p.sam_alice)
        assert [share.pk for share in page.earlier_shares] == [before.pk]
        assert {share.pk for share in page.open_shares} == {before.pk, after.pk}

    def test_without_a_record_every_share_is_new(self) -> None:
        shares = [self.share(self.reflection()) for _index in range(2)]
        summary = self.summary_for(self.p.alice)
        assert summary.last_supervision is None
        assert {share.pk for share in summary.new_shares} == {share.pk for share in shares}

    def test_withdrawn_shares_and_shares_with_others_are_left_out(self) -> None:
        self.share(self.reflection(), withdrawn_at=timezone.now())
        other = make_user("sol")
        make_member(other, self.p.riverside, "supervisor")
        link = SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=other, worker=self.p.alice
        )
        self.share(self.reflection(), link=link)
        assert self.summary_for(self.p.alice).open_shares == []

    def test_open_actions_come_from_shared_reflections_and_current_records(self) -> None:
        shared = self.reflection()
        self.share(shared)
        unshared = self.reflection()
        Action.objects.create(reflection=shared, text="Open on a shared reflection")
        Action.objects.create(reflection=shared, text="Done already", done_at=timezone.now())
        Action.objects.create(reflection=unshared, text="Never shared")
        old = self.record(self.p.sam_alice, days_ago=20)
        new = self.record(self.p.sam_alice, days_ago=20, previous=old, version=2)
        RecordAction.objects.create(record=old, text="On the replaced version", owner=self.p.alice)
        RecordAction.objects.create(record=new, text="Agreed in supervision", owner=self.p.alice)
        summary = self.summary_for(self.p.alice)
        assert [action.text for action in summary.open_actions] == ["Open on a shared reflection"]
        assert [action.text for action in summary.open_record_actions] == ["Agreed in supervision"]
        assert summary.open_action_count == 2

    def test_practice_at_a_glance_counts_shared_reflections_only(self) -> None:
        shared = self.full_reflection()
        self.share(shared)
        self.full_reflection()  # not shared: must not be drawn
        glance = self.summary_for(self.p.alice).glance
        assert glance is not None
        assert glance.reflections == 1
        assert glance.chains == Chain.objects.filter(reflection=shared).count() == 1
        assert "<svg" in glance.map_svg
        assert "<svg" in glance.chart_svg
        assert "Alice" in glance.map_svg

    def test_no_glance_without_shares(self) -> None:
        assert self.summary_for(self.p.bob).glance is None

    def test_runs_the_same_queries_for_2_and_20_shares_over_more_supervisees(self) -> None:
        """Fourteen queries whatever the number of supervisees and shares: links, last
        supervision dates, share counts grouped by worker, the newest shares since the last
        supervision (cut in the database), open reflection actions as shared (two: the first
        of each worker with their counts, ranked in the database, and the amended ones' stored
        content), open record actions with their counts; then, for the glances, the current
        framework version, its contexts, mechanisms and domains, the chains and presence
        ratings grouped by author, and the reflections under amendment."""
        for _index in range(2):
            self.share(self.full_reflection())
        with self.assertNumQueries(14):
            small = selectors.supervisor_dashboard(supervisor=self.p.sam)
        for index in range(4):
            link = self.supervisee(f"worker{index}")
            for _share in range(4):
                self.share(self.full_reflection(author=link.worker), link=link)
        for _index in range(2):
            self.share(self.full_reflection())
        with self.assertNumQueries(14):
            large = selectors.supervisor_dashboard(supervisor=self.p.sam)
        assert len(small) == 2
        assert len(large) == 6
        assert sum(len(summary.open_shares) for summary in large) == 20
        assert all(summary.glance is not None for summary in large if summary.open_shares)


class DashboardPageTests(DashboardTestCase):
    url = reverse("supervision:dashboard")

    def test_the_supervisor_sees_each_supervisee_with_links_to_what_they_shared(self) -> None:
        reflection = self.full_reflection(person_label="J")
        self.share(reflection)
        Action.objects.create(reflection=reflection, text="Ask J about the group")
        response = self.p.client_for(self.p.sam).get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert reverse("supervision:worker", kwargs={"user_id": self.p.alice.pk}) in html
        assert reverse("supervision:worker", kwargs={"user_id": self.p.bob.pk}) in html
        assert reverse("supervision:reflection", kwargs={"pk": reflection.pk}) in html
        assert "Ask J about the group" in html
        assert "Practice at a glance" in html
        assert "no-store" in response["Cache-Control"]

    def test_a_supervisor_without_supervisees_gets_an_empty_dashboard(self) -> None:
        response = self.p.client_for(self.p.una).get(self.url)
        assert response.status_code == 200
        assert "You are not supervising anyone at the moment." in response.content.decode()

    def test_people_without_the_supervisor_role_get_404(self) -> None:
        for person in (self.p.alice, self.p.tara, self.p.olive, self.p.omar, self.p.dee):
            assert self.p.client_for(person).get(self.url).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.p.client_for(None).get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_post_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.sam).post(self.url).status_code == 405

    def test_the_page_runs_the_same_queries_for_2_and_20_shares(self) -> None:
        """Nineteen queries whatever the number of supervisees and shares: session, user, the
        header's roles, the supervisor check, the fourteen of the dashboard selector, one INSERT
        auditing every supervisee shown, and the header's memberships; nothing per supervisee
        or share while rendering."""
        client = self.p.client_for(self.p.sam)
        for _index in range(2):
            self.share(self.full_reflection())
        with self.assertNumQueries(19):
            assert client.get(self.url).status_code == 200
        for index in range(3):
            link = self.supervisee(f"worker{index}")
            for _share in range(6):
                self.share(self.full_reflection(author=link.worker), link=link)
        with self.assertNumQueries(19):
            assert client.get(self.url).status_code == 200


class SuperviseePageTests(DashboardTestCase):
    def url(self, worker: User) -> str:
        return reverse("supervision:worker", kwargs={"user_id": worker.pk})

    def test_lists_the_open_shares_with_links_to_read_them(self) -> None:
        shared = self.reflection(person_label="K")
        self.share(shared)
        self.reflection(person_label="U")
        response = self.p.client_for(self.p.sam).get(self.url(self.p.alice))
        assert response.status_code == 200
        html = response.content.decode()
        assert reverse("supervision:reflection", kwargs={"pk": shared.pk}) in html
        assert "Session with K" in html
        assert "Session with U" not in html

    def test_only_a_current_supervisor_gets_the_page(self) -> None:
        for person, worker in (
            (self.p.una, self.p.alice),
            (self.p.hana, self.p.alice),
            (self.p.tara, self.p.alice),
            (self.p.alice, self.p.alice),
            (self.p.bob, self.p.alice),
            (self.p.sam, self.p.omar),
            (self.p.sam, self.p.dee),
        ):
            assert self.p.client_for(person).get(self.url(worker)).status_code == 404

    def test_a_former_supervisor_gets_404_at_once(self) -> None:
        client = self.p.client_for(self.p.sam)
        assert client.get(self.url(self.p.alice)).status_code == 200
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(ended_at=timezone.now())
        assert client.get(self.url(self.p.alice)).status_code == 404

    def test_post_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.sam).post(self.url(self.p.alice)).status_code == 405

    def test_the_page_runs_the_same_queries_for_2_and_20_shares(self) -> None:
        """Nineteen queries whatever the number of shares: session, user, the header's roles,
        access to the supervisee, last supervision, share counts, the newest shares since and
        before the last supervision (two), open actions as shared (two), record actions, the
        seven of the glance, the audit of the reflections shown, and the header's
        memberships."""
        client = self.p.client_for(self.p.sam)
        for count in (2, 18):
            for _index in range(count):
                self.share(self.full_reflection())
            with self.assertNumQueries(19):
                assert client.get(self.url(self.p.alice)).status_code == 200
