"""The dashboard brings people back: what waits for a worker and for a supervisor, and the
e-mail (without content) when a supervision record waits for a signature."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reflections.models import Action
from supervision.models import Comment, RecordAction, Share
from supervision.records.services import record_sign
from supervision.sharing.services import comment_create
from supervision.waiting import waiting_for
from tests.supervision.records_support import RecordsTestCase


class WaitingTests(RecordsTestCase):
    def test_a_worker_sees_a_new_comment_a_record_to_sign_and_actions_due(self) -> None:
        reflection = self.full_reflection()
        self.comment(reflection, self.p.sam, "A thought for you")
        record = self.record(actions=())
        RecordAction.objects.create(
            record=record,
            text="Read about endings",
            owner=self.p.alice,
            due_on=timezone.localdate() + timedelta(days=2),
        )
        Action.objects.filter(reflection=reflection).update(due_on=timezone.localdate())
        html = self.p.client_for(self.p.alice).get(reverse("home")).content.decode()
        assert "Waiting for you" in html
        assert "A comment from Sam" in html
        assert "waits for your signature" in html
        assert "An action from supervision, due" in html
        assert "A next step you set yourself, due" in html
        # Facts and links only: none of what was written.
        assert "A thought for you" not in html
        assert "Read about endings" not in html
        assert "Call the hostel with J" not in html

    def test_far_off_actions_do_not_wait(self) -> None:
        reflection = self.full_reflection()
        Action.objects.filter(reflection=reflection).update(
            due_on=timezone.localdate() + timedelta(days=30)
        )
        waiting = waiting_for(user=self.p.alice, worker=True, supervisor=False)
        assert not waiting.anything

    def test_a_supervisor_sees_newly_shared_reflections_and_records_to_sign(self) -> None:
        self.share(self.full_reflection())
        self.record()
        html = self.p.client_for(self.p.sam).get(reverse("home")).content.decode()
        assert "Alice shared a reflection" in html
        assert "waits for your signature" in html

    def test_what_waits_costs_at_most_five_queries(self) -> None:
        """Records to sign, comments, the worker's actions, actions from supervision, shares."""
        for _ in range(3):
            reflection = self.full_reflection()
            self.comment(reflection, self.p.sam, "x")
            self.share(reflection)
        with self.assertNumQueries(5):
            waiting = waiting_for(user=self.p.sam, worker=True, supervisor=True)
            [share.reflection.author.get_display_name() for share in waiting.newly_shared]
            [comment.author.get_display_name() for comment in waiting.comments]


class ReadMarkerTests(RecordsTestCase):
    """A comment is new to the worker until they have seen it, not for a fixed fortnight;
    a share is new to its supervisor until they have opened it."""

    def panel(self, reflection_pk: int) -> str:
        return reverse("supervision:reflection_panel", kwargs={"pk": reflection_pk})

    def shared_page(self, reflection_pk: int) -> str:
        return reverse("supervision:reflection", kwargs={"pk": reflection_pk})

    def test_an_unseen_comment_waits_however_old_it_is(self) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        comment = self.comment(reflection, self.p.sam, "Old")
        Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=60))
        waiting = waiting_for(user=self.p.alice, worker=True, supervisor=False)
        assert [c.pk for c in waiting.comments] == [comment.pk]

    def test_the_worker_opening_their_feedback_panel_stops_the_comment_being_new(self) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        comment = self.comment(reflection, self.p.sam, "A thought for you")
        alice = self.p.client_for(self.p.alice)
        assert "A comment from Sam" in alice.get(reverse("home")).content.decode()
        response = alice.get(self.panel(reflection.pk), headers={"HX-Request": "true"})
        assert "A thought for you" in response.content.decode()
        comment.refresh_from_db()
        assert comment.worker_seen_at is not None
        assert "A comment from Sam" not in alice.get(reverse("home")).content.decode()
        assert waiting_for(user=self.p.alice, worker=True, supervisor=False).comments == []
        # A later comment is new again, on its own.
        later = self.comment(reflection, self.p.sam, "And another")
        waiting = waiting_for(user=self.p.alice, worker=True, supervisor=False)
        assert [c.pk for c in waiting.comments] == [later.pk]

    def test_the_supervisor_reading_the_thread_leaves_the_comment_new_to_the_worker(
        self,
    ) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        comment = self.comment(reflection, self.p.sam, "A thought for you")
        sam = self.p.client_for(self.p.sam)
        assert sam.get(self.shared_page(reflection.pk)).status_code == 200
        comment.refresh_from_db()
        assert comment.worker_seen_at is None
        waiting = waiting_for(user=self.p.alice, worker=True, supervisor=False)
        assert [c.pk for c in waiting.comments] == [comment.pk]

    def test_the_workers_own_comment_is_seen_as_it_is_written(self) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        comment = comment_create(reflection=reflection, author=self.p.alice, body="My reply")
        assert comment.worker_seen_at is not None
        supervisors = comment_create(reflection=reflection, author=self.p.sam, body="Thanks")
        assert supervisors.worker_seen_at is None

    def test_the_worker_replying_sees_the_thread_and_so_its_comments(self) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        comment = self.comment(reflection, self.p.sam, "What helped?")
        response = self.p.client_for(self.p.alice).post(
            reverse("supervision:comment_create", kwargs={"pk": reflection.pk}),
            {"body": "Listening", "parent": comment.pk},
        )
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.worker_seen_at is not None

    def test_a_share_is_new_to_the_supervisor_until_they_open_it(self) -> None:
        reflection = self.full_reflection()
        share = self.share(reflection)
        Share.objects.filter(pk=share.pk).update(shared_at=timezone.now() - timedelta(days=60))
        sam = self.p.client_for(self.p.sam)
        assert "Alice shared a reflection" in sam.get(reverse("home")).content.decode()
        # The worker looking at their own reflection's panel is not the supervisor opening it.
        self.p.client_for(self.p.alice).get(self.panel(reflection.pk))
        share.refresh_from_db()
        assert share.opened_at is None
        assert sam.get(self.shared_page(reflection.pk)).status_code == 200
        share.refresh_from_db()
        first_opened = share.opened_at
        assert first_opened is not None
        assert "Alice shared a reflection" not in sam.get(reverse("home")).content.decode()
        # Opening again keeps the first time.
        sam.get(self.shared_page(reflection.pk))
        share.refresh_from_db()
        assert share.opened_at == first_opened

    def test_what_waits_still_costs_five_queries_with_seen_and_unseen_mixed(self) -> None:
        """Records to sign, comments, the worker's actions, actions from supervision, shares:
        the read markers are columns of the rows already read, not queries of their own.
        A worker alone asks four (no shares)."""
        for index in range(4):
            reflection = self.full_reflection()
            comment = self.comment(reflection, self.p.sam, "x")
            share = self.share(reflection)
            if index % 2:
                Comment.objects.filter(pk=comment.pk).update(worker_seen_at=timezone.now())
                Share.objects.filter(pk=share.pk).update(opened_at=timezone.now())
        with self.assertNumQueries(5):
            waiting = waiting_for(user=self.p.sam, worker=True, supervisor=True)
            [share.reflection.author.get_display_name() for share in waiting.newly_shared]
        assert len(waiting.newly_shared) == 2
        with self.assertNumQueries(4):
            waiting = waiting_for(user=self.p.alice, worker=True, supervisor=False)
            [comment.author.get_display_name() for comment in waiting.comments]
        assert len(waiting.comments) == 2


class RecordToSignMailTests(RecordsTestCase):
    def test_the_first_signature_tells_the_other_person_without_content(self) -> None:
        record = self.record()
        with self.captureOnCommitCallbacks(execute=True):
            record_sign(record=record, by=self.p.sam)
        (message,) = mail.outbox
        assert message.to == [self.p.alice.email]
        assert "waits for your signature" in message.subject
        assert "Endings" not in message.body
        assert "Book a reflective session" not in message.body

    def test_the_second_signature_locks_it_and_sends_nothing(self) -> None:
        record = self.record()
        record_sign(record=record, by=self.p.sam)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            record_sign(record=record, by=self.p.alice)
        assert mail.outbox == []
