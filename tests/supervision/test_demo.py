"""Demo supervision data: what demo-supervisor finds after `seed_demo`."""

from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from accounts.models import AuditEvent, User
from framework.services import framework_data_read, framework_load
from supervision.models import Comment, Share, SupervisionRecord


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--allow-production", stdout=out)
    return out.getvalue()


class DemoSupervisionTests(TestCase):
    def setUp(self) -> None:
        framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
        # Notifications go out once the transaction commits; run those callbacks here.
        with self.captureOnCommitCallbacks(execute=True):
            self.output = seed()
        self.supervisor = User.objects.get(username="demo-supervisor")
        self.worker = User.objects.get(username="demo-worker")

    def test_the_demo_supervisor_has_shared_reflections_a_thread_and_a_signed_record(self) -> None:
        shares = Share.objects.filter(supervisor=self.supervisor, withdrawn_at__isnull=True)
        assert shares.count() == 4
        assert all(share.reflection.author == self.worker for share in shares)
        assert Comment.objects.filter(author=self.supervisor).count() == 1
        assert Comment.objects.filter(author=self.worker, parent__isnull=False).count() == 1
        record = SupervisionRecord.objects.get(supervisor=self.supervisor, worker=self.worker)
        assert record.is_locked
        assert record.actions.count() == 2
        assert record.checks.count() == 5
        assert shares.filter(discussed_at__isnull=False).count() == record.reflections.count()
        assert "Demo supervision: 4 new shares" in self.output

    def test_the_demo_shares_are_audited_for_the_worker_to_see(self) -> None:
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.REFLECTION_SHARED, subject=self.worker
        ).exists()

    def test_no_demo_e_mail_carries_what_was_written(self) -> None:
        shared_text = [share.reflection.what_happened for share in Share.objects.all()]
        assert mail.outbox, "sharing and commenting sent notifications"
        assert all(text for text in shared_text)
        for message in mail.outbox:
            for text in shared_text:
                assert text[:40] not in message.body

    def test_a_second_run_adds_nothing(self) -> None:
        counts = (Share.objects.count(), Comment.objects.count(), SupervisionRecord.objects.count())
        output = seed()
        assert "0 new shares, 0 new comments, 0 new signed record" in output
        after = (Share.objects.count(), Comment.objects.count(), SupervisionRecord.objects.count())
        assert after == counts
