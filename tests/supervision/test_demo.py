"""Demo supervision data: what demo-supervisor finds after `seed_demo`."""

from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from framework.services import framework_data_read, framework_load
from reflections.models import Action
from supervision.models import Comment, Share, SupervisionRecord
from tests.supervision.records_support import pdf_reader, pdf_text, response_bytes

CITATION = "Hackmann C, Green A, Pease R, Clegg I, Handley M."


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

    def test_every_demo_action_carries_its_reflections_author(self) -> None:
        """The worker's home finds actions due by their author, not through the reflections."""
        actions = Action.objects.select_related("reflection")
        assert actions.exists()
        assert all(action.author_id == action.reflection.author_id for action in actions)

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


class DemoDatesTests(TestCase):
    """The demo's dates tell one story: the link predates the record, a share follows its
    session, a discussion follows its share, and what was shared since the meeting is new."""

    def setUp(self) -> None:
        framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
        with self.captureOnCommitCallbacks(execute=True):
            seed()
        self.supervisor = User.objects.get(username="demo-supervisor")

    def test_the_demo_dates_agree_with_each_other(self) -> None:
        record = SupervisionRecord.objects.get(supervisor=self.supervisor)
        assert record.link.starts_on < record.held_on < timezone.localdate()
        shares = list(Share.objects.filter(supervisor=self.supervisor).select_related("reflection"))
        for share in shares:
            shared_on = timezone.localtime(share.shared_at).date()
            assert share.reflection.session_date <= shared_on, share
            if share.discussed_at is not None:
                assert share.shared_at <= share.discussed_at, share
                assert timezone.localtime(share.discussed_at).date() == record.held_on
                assert shared_on <= record.held_on
            else:
                assert shared_on > record.held_on, "undiscussed shares came after the meeting"
        assert sum(share.discussed_at is not None for share in shares) == 2

    def test_the_dashboard_shows_what_was_shared_since_the_meeting(self) -> None:
        self.client.force_login(
            self.supervisor, backend="django.contrib.auth.backends.ModelBackend"
        )
        html = self.client.get(reverse("supervision:dashboard")).content.decode()
        assert "Shared since the last supervision (2)" in html


def printed_sizes(content: bytes, words: str) -> list[float]:
    """The printed size in points of each piece of PDF text that contains `words`."""
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if words in text:
            # Text space to page space: the font size scaled by the text and page matrices.
            sizes.append(abs(size * tm[3] * cm[3]) or abs(size * tm[0] * cm[0]))

    for page in pdf_reader(content).pages:
        page.extract_text(visitor_text=visit)
    return sizes


class DemoBriefTests(TestCase):
    def setUp(self) -> None:
        framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
        with self.captureOnCommitCallbacks(execute=True):
            seed()
        self.worker = User.objects.get(username="demo-worker")
        self.client.force_login(
            User.objects.get(username="demo-supervisor"),
            backend="django.contrib.auth.backends.ModelBackend",
        )

    def test_the_demo_brief_is_one_a4_page_with_map_labels_of_at_least_7_points(self) -> None:
        response = self.client.get(
            reverse("supervision:brief_pdf", kwargs={"user_id": self.worker.pk})
        )
        assert response.status_code == 200
        content = response_bytes(response)
        reader = pdf_reader(content)
        assert len(reader.pages) == 1
        width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
        assert (round(width), round(height)) == (595, 842), "A4 in points"
        text = pdf_text(content)
        assert "Signed" in text, "room for the signature lines"
        assert CITATION in text
        sizes = printed_sizes(content, "Accepting")
        assert sizes, "the map's context labels are text in the PDF"
        assert min(sizes) >= 7.0, sizes
