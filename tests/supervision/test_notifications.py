"""E-mails about sharing and comments: who and what happened, never what was written."""

from __future__ import annotations

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from supervision.sharing import services
from tests.supervision.sharing_support import SECRET_TEXTS, SharingTestCase

COMMENT = "Your silence was generous; what did J say after?"


class NotificationTestCase(SharingTestCase):
    def assert_no_content(self, message: mail.EmailMessage, *extra: str) -> None:
        """Neither subject nor body holds any free text of the reflection or the comment."""
        for text in (*SECRET_TEXTS.values(), "Because I was accepting", "Call the hostel", *extra):
            assert text not in message.subject
            assert text not in message.body
        assert "Session with J" not in f"{message.subject} {message.body}", "not even the label"


@override_settings(SITE_URL="https://reflect.example.org")
class SharedNotificationTests(NotificationTestCase):
    def test_the_supervisor_is_told_who_shared_how_many_with_a_sign_in_link(self) -> None:
        reflections = [self.full_reflection(), self.full_reflection()]
        with self.captureOnCommitCallbacks(execute=True):
            services.share_create(
                reflections=reflections, supervisors=[self.p.sam], by=self.p.alice
            )
        [message] = mail.outbox
        assert message.to == ["sam@example.org"]
        assert message.subject == "Alice shared 2 reflections with you"
        assert "Hello Sam," in message.body
        next_path = reverse("supervision:worker", kwargs={"user_id": self.p.alice.pk})
        assert f"https://reflect.example.org{reverse('account_login')}?next=" in message.body
        assert next_path.replace("/", "%2F") in message.body
        self.assert_no_content(message)

    def test_one_reflection_reads_in_the_singular(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            services.share_create(
                reflections=[self.full_reflection()], supervisors=[self.p.sam], by=self.p.alice
            )
        assert mail.outbox[0].subject == "Alice shared a reflection with you"

    def test_names_are_not_html_escaped_in_plain_text(self) -> None:
        User.objects.filter(pk=self.p.alice.pk).update(display_name="Alice O'Neil & co")
        self.p.alice.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            services.share_create(
                reflections=[self.reflection()], supervisors=[self.p.sam], by=self.p.alice
            )
        assert mail.outbox[0].subject == "Alice O'Neil & co shared a reflection with you"

    def test_a_supervisor_without_an_address_gets_nothing_and_nothing_breaks(self) -> None:
        User.objects.filter(pk=self.p.sam.pk).update(email="")
        self.p.sam.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            created = services.share_create(
                reflections=[self.reflection()], supervisors=[self.p.sam], by=self.p.alice
            )
        assert len(created) == 1
        assert mail.outbox == []

    @override_settings(EMAIL_BACKEND="tests.supervision.test_notifications.BrokenBackend")
    def test_a_mail_server_failure_does_not_undo_the_share(self) -> None:
        # The log check wraps the commit, where the e-mail is sent.
        with (
            self.assertLogs("supervision.sharing.notifications", level="ERROR"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            created = services.share_create(
                reflections=[self.reflection()], supervisors=[self.p.sam], by=self.p.alice
            )
        assert len(created) == 1


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages: object) -> int:
        raise ConnectionRefusedError("no mail server here")


class CommentNotificationTests(NotificationTestCase):
    def setUp(self) -> None:
        self.reflection_ = self.full_reflection()
        self.share(self.reflection_)

    def test_a_supervisors_comment_goes_to_the_author_without_its_text(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            services.comment_create(reflection=self.reflection_, author=self.p.sam, body=COMMENT)
        [message] = mail.outbox
        assert message.to == ["alice@example.org"]
        assert message.subject == "Sam left a comment on APPEAR Reflect"
        assert self.reflection_.get_absolute_url().replace("/", "%2F") in message.body
        self.assert_no_content(message, COMMENT)

    def test_the_authors_comment_goes_to_every_supervisor_who_can_read_it(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            services.comment_create(reflection=self.reflection_, author=self.p.alice, body=COMMENT)
        [message] = mail.outbox
        assert message.to == ["sam@example.org"]
        path = reverse("supervision:reflection", kwargs={"pk": self.reflection_.pk})
        assert path.replace("/", "%2F") in message.body
        self.assert_no_content(message, COMMENT)

    def test_a_reply_through_the_view_sends_one_mail_without_content(self) -> None:
        top = self.comment(self.reflection_, self.p.sam, "What helped?")
        with self.captureOnCommitCallbacks(execute=True):
            self.p.client_for(self.p.alice).post(
                reverse("supervision:comment_create", kwargs={"pk": self.reflection_.pk}),
                {"body": COMMENT, "parent": top.pk},
            )
        [message] = mail.outbox
        assert message.to == ["sam@example.org"]
        self.assert_no_content(message, COMMENT, "What helped?")
