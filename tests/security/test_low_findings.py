"""The low findings (finding 6): no caching of reflection content, no person label in PDF file
names, and every link in an e-mail from SITE_URL.

Today only the PDFs and three supervisor pages said `no-store`; a shared computer's browser
cache or a proxy could keep the rest. Invitation links were built from the Host header of the
admin's request, notification links from SITE_URL: both now come from SITE_URL.
"""

from __future__ import annotations

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from reflections.models import Reflection
from tests.supervision.records_support import RecordsTestCase


class NoCachingOfReflectionContentTests(RecordsTestCase):
    def assert_not_stored(self, client, urls: list[str]) -> None:  # type: ignore[no-untyped-def]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            cache_control = response.get("Cache-Control", "")
            assert "no-store" in cache_control, url
            assert "private" in cache_control, url

    def test_every_page_the_worker_reads_their_reflections_on_is_not_stored(self) -> None:
        reflection = self.full_reflection()
        draft = self.reflection(status=Reflection.Status.DRAFT)
        self.assert_not_stored(
            self.p.client_for(self.p.alice),
            [
                reverse("home"),
                reverse("reflections:list"),
                reverse("reflections:practice"),
                reverse("reflections:detail", args=[reflection.pk]),
                reverse("reflections:step", args=[draft.pk, "story"]),
                reverse("supervision:share"),
                reverse("supervision:records"),
                reverse("accounts:my_audit"),
            ],
        )

    def test_every_page_the_supervisor_reads_them_on_is_not_stored(self) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        record = self.record()
        self.assert_not_stored(
            self.p.client_for(self.p.sam),
            [
                reverse("home"),
                reverse("supervision:dashboard"),
                reverse("supervision:reflection", args=[reflection.pk]),
                reverse("supervision:brief", kwargs={"user_id": self.p.alice.pk}),
                reverse("supervision:record", args=[record.pk]),
                reverse("supervision:pair_records", args=[self.p.sam_alice.pk]),
            ],
        )


class PdfFileNameTests(RecordsTestCase):
    def test_a_reflections_pdf_file_name_leaves_the_person_label_out(self) -> None:
        reflection = self.full_reflection(person_label="Zed")
        response = self.p.client_for(self.p.alice).get(
            reverse("supervision:reflection_pdf", kwargs={"pk": reflection.pk})
        )
        disposition = response["Content-Disposition"]
        assert "zed" not in disposition.lower()
        assert disposition == (
            f'attachment; filename="reflection-{reflection.session_date.isoformat()}.pdf"'
        )


@override_settings(SITE_URL="https://reflect.example.org")
class LinksFromSiteUrlTests(RecordsTestCase):
    def test_an_invitation_link_comes_from_site_url_not_the_requests_host(self) -> None:
        self.p.client_for(self.p.olive).post(
            reverse("accounts:invitations", kwargs={"slug": "riverside"}),
            {"email": "newcomer@example.org", "roles": ["peer_worker"]},
            HTTP_HOST="localhost",
        )
        [message] = mail.outbox
        assert "https://reflect.example.org/accounts/invitations/" in message.body
        assert "localhost" not in message.body

    def test_a_notification_link_comes_from_site_url(self) -> None:
        reflection = self.reflection()
        with self.captureOnCommitCallbacks(execute=True):
            self.p.client_for(self.p.alice).post(
                reverse("supervision:reflection_share", args=[reflection.pk]),
                {"supervisors": [str(self.p.sam.pk)]},
                HTTP_HOST="localhost",
            )
        [message] = mail.outbox
        assert "https://reflect.example.org/accounts/login/" in message.body
        assert "localhost" not in message.body
