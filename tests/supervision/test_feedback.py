"""Feedback on a shared reflection: threaded comments both ways, and "discussed"."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import SupervisionLink, User
from reflections.models import Reflection
from supervision.models import Comment, Share
from supervision.selectors import feedback_thread, share_state
from tests.supervision.sharing_support import SharingTestCase

HTMX = {"HX-Request": "true"}


class CommentCreateTests(SharingTestCase):
    def setUp(self) -> None:
        self.reflection_ = self.reflection()
        self.share(self.reflection_)
        self.url = reverse("supervision:comment_create", kwargs={"pk": self.reflection_.pk})

    def post(self, user: User | None, data: dict[str, object], *, htmx: bool = False) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.p.client_for(user).post(self.url, data, headers=HTMX if htmx else None)

    def test_the_supervisor_comments_and_returns_to_their_reading_page(self) -> None:
        response = self.post(self.p.sam, {"body": "  What helped you stay with the silence?  "})
        assert response.status_code == 302
        assert response["Location"] == (
            reverse("supervision:reflection", kwargs={"pk": self.reflection_.pk}) + "#comments"
        )
        comment = Comment.objects.get()
        assert comment.author == self.p.sam
        assert comment.body == "What helped you stay with the silence?"
        assert comment.parent is None
        assert [message.to for message in mail.outbox] == [["alice@example.org"]]

    def test_the_author_replies_and_returns_to_their_own_thread(self) -> None:
        top = self.comment(self.reflection_, self.p.sam, "A question")
        response = self.post(self.p.alice, {"body": "An answer", "parent": top.pk})
        panel = reverse("supervision:reflection_panel", kwargs={"pk": self.reflection_.pk})
        assert response["Location"] == f"{panel}#comments"
        reply = Comment.objects.get(author=self.p.alice)
        assert reply.parent == top
        assert [message.to for message in mail.outbox] == [["sam@example.org"]]

    def test_htmx_gets_the_thread_back_with_the_new_comment(self) -> None:
        response = self.post(self.p.sam, {"body": "Thank you for bringing this"}, htmx=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section class="comment-thread" id="comments"')
        assert "Thank you for bringing this" in html
        assert "HX-Request" in response["Vary"]

    def test_a_reply_to_a_reply_joins_its_top_level_comment(self) -> None:
        top = self.comment(self.reflection_, self.p.sam, "Top")
        reply = self.comment(self.reflection_, self.p.alice, "Reply", parent=top)
        self.post(self.p.sam, {"body": "Reply to the reply", "parent": reply.pk})
        assert Comment.objects.get(body="Reply to the reply").parent == top

    def test_markup_is_kept_as_typed_and_shown_escaped(self) -> None:
        body = '<script>alert("x")</script><b>bold</b>'
        response = self.post(self.p.sam, {"body": body}, htmx=True)
        assert Comment.objects.get().body == body
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html

    def test_an_empty_comment_is_a_field_error(self) -> None:
        for htmx in (False, True):
            response = self.post(self.p.sam, {"body": "   "}, htmx=htmx)
            assert response.status_code == 200
            html = response.content.decode()
            assert "Write a comment before sending it." in html
            assert 'aria-invalid="true"' in html
        assert not Comment.objects.exists()

    def test_a_comment_too_long_is_a_field_error_and_the_text_is_kept(self) -> None:
        body = "x" * 2001
        response = self.post(self.p.sam, {"body": body})
        html = response.content.decode()
        assert response.status_code == 200
        assert "at most 2000 characters" in html
        assert body in html
        assert "Your comment was not sent" in html
        assert not Comment.objects.exists()

    def test_a_parent_from_another_reflection_is_a_field_error(self) -> None:
        other = self.reflection()
        self.share(other)
        stranger = self.comment(other, self.p.sam, "Elsewhere")
        for parent in (stranger.pk, 999999, "abc"):
            response = self.post(self.p.sam, {"body": "Hello", "parent": parent}, htmx=True)
            assert response.status_code == 200
            html = response.content.decode()
            assert "That comment is not part of this thread." in html or "whole number" in html
            assert "Hello" in html, "what was typed stays"
        assert Comment.objects.count() == 1

    def test_the_author_cannot_write_into_a_thread_nobody_can_read(self) -> None:
        Share.objects.update(withdrawn_at=timezone.now())
        response = self.post(self.p.alice, {"body": "Anyone there?"}, htmx=True)
        assert response.status_code == 200
        assert "not shared with anyone" in response.content.decode()
        assert not Comment.objects.exists()

    def test_people_without_access_get_404(self) -> None:
        for person in (self.p.una, self.p.bob, self.p.tara, self.p.olive, self.p.hana, self.p.dee):
            assert self.post(person, {"body": "Hello"}).status_code == 404
        assert not Comment.objects.exists()

    def test_a_former_supervisor_gets_404(self) -> None:
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(ended_at=timezone.now())
        assert self.post(self.p.sam, {"body": "Hello"}).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.post(None, {"body": "Hello"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_get_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.sam).get(self.url).status_code == 405


class ThreadShownToBothTests(SharingTestCase):
    def test_the_supervisor_sees_the_thread_with_replies_under_their_comment(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        top = self.comment(reflection, self.p.sam, "How did the ending feel?")
        self.comment(reflection, self.p.alice, "Rushed, honestly.", parent=top)
        html = (
            self.p.client_for(self.p.sam)
            .get(reverse("supervision:reflection", kwargs={"pk": reflection.pk}))
            .content.decode()
        )
        assert html.index("How did the ending feel?") < html.index("Rushed, honestly.")
        assert 'class="comment-thread__replies"' in html
        assert "Send reply" in html


class MarkDiscussedTests(SharingTestCase):
    def setUp(self) -> None:
        self.reflection_ = self.reflection()
        self.share_ = self.share(self.reflection_)
        self.url = reverse("supervision:discussed", kwargs={"pk": self.reflection_.pk})

    def test_the_supervisor_marks_it_discussed(self) -> None:
        response = self.p.client_for(self.p.sam).post(self.url)
        assert response.status_code == 302
        self.share_.refresh_from_db()
        assert self.share_.discussed_at is not None

    def test_htmx_gets_the_discussed_state_back(self) -> None:
        response = self.p.client_for(self.p.sam).post(self.url, headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="share-discussed-{self.reflection_.pk}"' in html
        assert "Discussed" in html
        assert "Mark as discussed" not in html

    def test_the_author_and_others_cannot_mark_it(self) -> None:
        for person in (self.p.alice, self.p.una, self.p.tara, self.p.hana):
            assert self.p.client_for(person).post(self.url).status_code == 404
        self.share_.refresh_from_db()
        assert self.share_.discussed_at is None

    def test_a_withdrawn_share_cannot_be_marked(self) -> None:
        Share.objects.update(withdrawn_at=timezone.now())
        assert self.p.client_for(self.p.sam).post(self.url).status_code == 404

    def test_get_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.sam).get(self.url).status_code == 405

    def test_a_draft_cannot_be_marked(self) -> None:
        Reflection.objects.filter(pk=self.reflection_.pk).update(status=Reflection.Status.DRAFT)
        assert self.p.client_for(self.p.sam).post(self.url).status_code == 404


class WorkerSidePartialTests(SharingTestCase):
    """The partials the author's own reflection page includes, rendered as that page will."""

    def render(self, template: str, context: dict[str, object]) -> str:
        request = RequestFactory().get(self.reflection_.get_absolute_url())
        request.user = self.p.alice
        return render_to_string(template, context, request=request)

    def setUp(self) -> None:
        self.reflection_ = self.reflection()

    def test_the_share_control_offers_the_current_supervisor(self) -> None:
        html = self.render(
            "supervision/partials/_share_controls.html",
            {
                "reflection": self.reflection_,
                "share_state": share_state(reflection=self.reflection_),
            },
        )
        assert "Share with Sam" in html
        assert "They also see its comments, including any from earlier supervision." in html
        assert reverse("supervision:reflection_share", kwargs={"pk": self.reflection_.pk}) in html
        assert f'name="next" value="{self.reflection_.get_absolute_url()}"' in html

    def test_the_share_control_says_a_draft_must_be_submitted_first(self) -> None:
        draft = self.reflection(status=Reflection.Status.DRAFT)
        html = self.render(
            "supervision/partials/_share_controls.html",
            {"reflection": draft, "share_state": share_state(reflection=draft)},
        )
        assert "Submit this reflection to share it" in html
        assert "<form" not in html

    def test_the_thread_lets_the_author_reply_while_it_is_shared(self) -> None:
        self.share(self.reflection_)
        self.comment(self.reflection_, self.p.sam, "What helped?")
        html = self.render(
            "supervision/partials/_comment_thread.html",
            {
                "reflection": self.reflection_,
                "feedback": feedback_thread(reflection=self.reflection_, user=self.p.alice),
            },
        )
        assert "What helped?" in html
        assert "Send reply" in html
        assert "Send comment" in html

    def test_an_unshared_reflection_explains_where_comments_come_from(self) -> None:
        html = self.render(
            "supervision/partials/_comment_thread.html",
            {
                "reflection": self.reflection_,
                "feedback": feedback_thread(reflection=self.reflection_, user=self.p.alice),
            },
        )
        assert "When you share this reflection with your supervisor" in html
        assert "<form" not in html


class DraftPartialQueryTests(SharingTestCase):
    def test_a_drafts_share_control_and_thread_need_no_queries(self) -> None:
        """A draft can be neither shared nor commented on, so the author's draft page pays
        nothing for the two partials."""
        draft = self.reflection(status=Reflection.Status.DRAFT)
        with self.assertNumQueries(0):
            state = share_state(reflection=draft)
            feedback = feedback_thread(reflection=draft, user=self.p.alice)
        assert not state.is_shareable
        assert feedback.comments == []
        assert not feedback.can_comment

    def test_a_submitted_reflections_partials_need_five_queries(self) -> None:
        """Open shares, current supervisors, top-level comments, their replies and whether
        the author may write, whatever the number of comments."""
        reflection = self.reflection()
        self.share(reflection)
        for index in range(3):
            top = self.comment(reflection, self.p.sam, f"Comment {index}")
            self.comment(reflection, self.p.alice, f"Reply {index}", parent=top)
        with self.assertNumQueries(5):
            share_state(reflection=reflection)
            feedback_thread(reflection=reflection, user=self.p.alice)
