"""An amendment is the author's alone until they submit it, on every surface a supervisor sees.

A worker reopens a submitted, shared reflection and changes it without submitting. Each place
where the supervisor meets that reflection (its page, its PDF, the brief and the brief's PDF,
the dashboard, the supervisee page, and the e-mail a comment sends) must show the reflection as
last submitted and nothing of the unfinished changes.
"""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from reflections import services as reflection_services
from reflections.models import Action, Chain, Reflection
from tests.supervision.records_support import RecordsTestCase, pdf_text, response_bytes
from tests.supervision.sharing_support import SECRET_TEXTS

# Words only the unsubmitted amendment contains: none may reach the supervisor.
UNSUBMITTED = {
    "what_happened": "Unsubmitted draft words about the allotment.",
    "learning": "Unsubmitted learning about pacing.",
    "person_label": "Quillon",
    "action": "Unsubmitted action to ring the allotment office",
    "chain": "Unsubmitted chain description.",
}


class AmendmentStaysPrivateTests(RecordsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reflection = self.full_reflection()
        self.share(self.reflection)
        reflection_services.reflection_amend(reflection=self.reflection, by=self.p.alice)
        # What a step save does while the amendment is open: the rows themselves change.
        Reflection.objects.filter(pk=self.reflection.pk).update(
            what_happened=UNSUBMITTED["what_happened"],
            learning=UNSUBMITTED["learning"],
            person_label=UNSUBMITTED["person_label"],
        )
        Action.objects.filter(reflection=self.reflection).update(text=UNSUBMITTED["action"])
        chain = Chain.objects.get(reflection=self.reflection)
        Chain.objects.create(
            reflection=self.reflection,
            order=2,
            context=chain.context,
            mechanism=chain.mechanism,
            outcome_domain=chain.outcome_domain,
            description=UNSUBMITTED["chain"],
        )
        self.supervisor = self.p.client_for(self.p.sam)

    def assert_as_submitted(self, text: str, *, submitted: tuple[str, ...] = ()) -> None:
        for words in UNSUBMITTED.values():
            assert words not in text, f"{words!r} leaked"
        for words in submitted:
            assert words in text, f"{words!r} is missing"

    def test_the_reflection_page_shows_the_last_submitted_version(self) -> None:
        response = self.supervisor.get(
            reverse("supervision:reflection", kwargs={"pk": self.reflection.pk})
        )
        assert response.status_code == 200
        self.assert_as_submitted(
            response.content.decode(),
            submitted=(SECRET_TEXTS["what_happened"], SECRET_TEXTS["learning"], "J"),
        )

    def test_the_reflection_pdf_shows_the_last_submitted_version(self) -> None:
        response = self.supervisor.get(
            reverse("supervision:reflection_pdf", kwargs={"pk": self.reflection.pk})
        )
        assert response.status_code == 200
        self.assert_as_submitted(
            pdf_text(response_bytes(response)),
            submitted=(SECRET_TEXTS["learning"], "Call the hostel with J"),
        )

    def test_the_brief_shows_the_last_submitted_version(self) -> None:
        response = self.supervisor.get(
            reverse("supervision:brief", kwargs={"user_id": self.p.alice.pk})
        )
        assert response.status_code == 200
        self.assert_as_submitted(
            response.content.decode(),
            submitted=(SECRET_TEXTS["learning"], "Call the hostel with J"),
        )

    def test_the_brief_pdf_shows_the_last_submitted_version(self) -> None:
        response = self.supervisor.get(
            reverse("supervision:brief_pdf", kwargs={"user_id": self.p.alice.pk})
        )
        assert response.status_code == 200
        self.assert_as_submitted(
            pdf_text(response_bytes(response)), submitted=(SECRET_TEXTS["learning"],)
        )

    def test_the_dashboard_shows_the_last_submitted_version(self) -> None:
        response = self.supervisor.get(reverse("supervision:dashboard"))
        assert response.status_code == 200
        self.assert_as_submitted(
            response.content.decode(), submitted=("Session with J", "Call the hostel with J")
        )

    def test_the_supervisee_page_shows_the_last_submitted_version(self) -> None:
        response = self.supervisor.get(
            reverse("supervision:worker", kwargs={"user_id": self.p.alice.pk})
        )
        assert response.status_code == 200
        self.assert_as_submitted(
            response.content.decode(), submitted=("Session with J", "Call the hostel with J")
        )

    def test_the_comment_emails_carry_nothing_of_the_amendment(self) -> None:
        url = reverse("supervision:comment_create", kwargs={"pk": self.reflection.pk})
        with self.captureOnCommitCallbacks(execute=True):
            self.supervisor.post(url, {"body": "What helped most?"})
            self.p.client_for(self.p.alice).post(url, {"body": "Listening."})
        assert len(mail.outbox) == 2
        for message in mail.outbox:
            self.assert_as_submitted(f"{message.subject}\n{message.body}")
