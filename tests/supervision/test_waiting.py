"""The dashboard brings people back: what waits for a worker and for a supervisor, and the
e-mail (without content) when a supervision record waits for a signature."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reflections.models import Action
from supervision.models import RecordAction
from supervision.record_services import record_sign
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

    def test_old_comments_and_far_off_actions_do_not_wait(self) -> None:
        reflection = self.full_reflection()
        comment = self.comment(reflection, self.p.sam, "Old")
        type(comment).objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - timedelta(days=30)
        )
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
