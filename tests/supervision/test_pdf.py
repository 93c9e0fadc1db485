"""Printable summaries: the brief, a supervision record and a single reflection as PDFs."""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import supervision_link_end
from supervision import pdf
from tests.supervision.records_support import (
    CONTEXT_NAMES,
    RecordsTestCase,
    pdf_reader,
    pdf_text,
    response_bytes,
)

CITATION = "Hackmann C, Green A, Pease R, Clegg I, Handley M."
SAFE_FILENAME = re.compile(r'^attachment; filename="[a-z0-9-]+\.pdf"$')


class PdfTestCase(RecordsTestCase):
    def assert_real_pdf(self, response: Any) -> bytes:
        """A PDF download: the right headers, the PDF signature, a safe file name."""
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert SAFE_FILENAME.match(response["Content-Disposition"]), response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        content = response_bytes(response)
        assert content.startswith(b"%PDF-")
        return content

    def assert_accessible_document(self, content: bytes, title: str) -> None:
        """Tagged (PDF/UA), with its language and a title shown instead of the file name."""
        reader = pdf_reader(content)
        root: Any = reader.trailer["/Root"]
        assert reader.metadata is not None
        assert reader.metadata.title == title
        assert root["/Lang"] == "en-gb"
        assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
        assert "/StructTreeRoot" in root
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712

    def assert_furniture(self, text: str) -> None:
        """The organisation, the framework citation and the confidential footer."""
        assert "Riverside Peer Support" in text
        assert CITATION in text
        assert "BMJ Open 2025;15:e105211" in text
        assert "CC BY 4.0" in text
        assert "confidential" in text.lower()


class BriefPdfTests(PdfTestCase):
    def url(self, worker_id: int, start: str, end: str) -> str:
        base = reverse("supervision:brief_pdf", kwargs={"user_id": worker_id})
        return f"{base}?from={start}&to={end}"

    def test_the_brief_downloads_as_a_one_page_pdf_whose_text_holds_what_matters(self) -> None:
        self.shared_reflections(5)
        self.record(actions=("Book a reflective session on endings",))
        today = timezone.localdate()
        start = today - timedelta(days=30)
        response = self.p.client_for(self.p.sam).get(
            self.url(self.p.alice.pk, start.isoformat(), today.isoformat())
        )
        content = self.assert_real_pdf(response)
        period = f"{start.day} {start:%B %Y} to {today.day} {today:%B %Y}"
        self.assert_accessible_document(content, f"Supervision brief: Alice, {period}")
        text = pdf_text(content)
        for expected in ["Supervision brief: Alice", "Sam", period, *CONTEXT_NAMES]:
            assert expected in text, expected
        assert "Book a reflective session on endings" in text
        assert "Reflection action 0" in text
        self.assert_furniture(text)
        # The map's words are SVG text, and stay text in the PDF.
        assert "I am acceptable" in text
        assert "Outcome domains" in text
        assert len(pdf_reader(content).pages) == 1
        assert response["Content-Disposition"] == (
            f'attachment; filename="supervision-brief-alice-{start.isoformat()}-{today.isoformat()}.pdf"'
        )

    def test_fifty_reflections_still_fit_one_page(self) -> None:
        self.shared_reflections(50)
        today = timezone.localdate()
        response = self.p.client_for(self.p.sam).get(
            self.url(self.p.alice.pk, (today - timedelta(days=60)).isoformat(), today.isoformat())
        )
        content = self.assert_real_pdf(response)
        assert len(pdf_reader(content).pages) == 1
        assert "And 46 more shared reflections, counted above." in pdf_text(content)

    def test_the_export_is_audited_with_the_worker_as_subject(self) -> None:
        self.shared_reflections(2)
        today = timezone.localdate().isoformat()
        self.p.client_for(self.p.sam).get(self.url(self.p.alice.pk, "2026-01-01", today))
        event = AuditEvent.objects.get(action=AuditEvent.Action.REFLECTION_EXPORTED)
        assert (event.actor, event.subject, event.organisation) == (
            self.p.sam,
            self.p.alice,
            self.p.riverside,
        )
        assert event.detail["export"] == "supervision_brief"
        assert event.detail["start"] == "2026-01-01"
        assert "Learning" not in str(event.detail), "no reflection text in the audit trail"

    def test_other_supervisors_a_former_supervisor_a_trainer_and_other_organisations_get_404(
        self,
    ) -> None:
        self.shared_reflections(1)
        url = self.url(self.p.alice.pk, "2026-01-01", timezone.localdate().isoformat())
        for person in (self.p.una, self.p.tara, self.p.olive, self.p.omar, self.p.hana, self.p.bob):
            assert self.p.client_for(person).get(url).status_code == 404, person
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        assert self.p.client_for(self.p.sam).get(url).status_code == 404
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_EXPORTED).exists()


class RecordPdfTests(PdfTestCase):
    def test_a_record_downloads_with_its_checks_actions_and_signatures(self) -> None:
        record = self.record(signed=True, actions=("Try a closing ritual",))
        url = reverse("supervision:record_pdf", kwargs={"pk": record.pk})
        response = self.p.client_for(self.p.alice).get(url)
        content = self.assert_real_pdf(response)
        date_text = f"{record.held_on.day} {record.held_on:%B %Y}"
        self.assert_accessible_document(
            content, f"Supervision record: Alice, {date_text} (version 1)"
        )
        text = pdf_text(content)
        for expected in [f"Supervision on {date_text}", "Try a closing ritual", *CONTEXT_NAMES]:
            assert expected in text, expected
        assert "Peer worker: Alice" in text
        assert "Supervisor: Sam" in text
        assert text.count("signed in APPEAR Reflect on") == 2
        self.assert_furniture(text)
        event = AuditEvent.objects.get(action=AuditEvent.Action.REFLECTION_EXPORTED)
        assert (event.actor, event.subject, event.detail["export"]) == (
            self.p.alice,
            self.p.alice,
            "supervision_record",
        )

    def test_a_replaced_version_says_so_in_print(self) -> None:
        from supervision.records.services import record_new_version

        record = self.record(signed=True)
        record_new_version(record=record, by=self.p.sam)
        url = reverse("supervision:record_pdf", kwargs={"pk": record.pk})
        text = pdf_text(response_bytes(self.p.client_for(self.p.sam).get(url)))
        assert "This version was replaced by version 2." in text

    def test_nobody_else_gets_the_record_pdf(self) -> None:
        record = self.record()
        url = reverse("supervision:record_pdf", kwargs={"pk": record.pk})
        for person in (self.p.una, self.p.tara, self.p.olive, self.p.omar, self.p.bob):
            assert self.p.client_for(person).get(url).status_code == 404, person
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        assert self.p.client_for(self.p.sam).get(url).status_code == 404


class ReflectionPdfTests(PdfTestCase):
    def url(self, pk: int) -> str:
        return reverse("supervision:reflection_pdf", kwargs={"pk": pk})

    def test_the_author_downloads_their_reflection_with_its_whole_content(self) -> None:
        reflection = self.full_reflection()
        response = self.p.client_for(self.p.alice).get(self.url(reflection.pk))
        content = self.assert_real_pdf(response)
        date_text = f"{reflection.session_date.day} {reflection.session_date:%B %Y}"
        self.assert_accessible_document(content, f"Reflection on the session of {date_text} (J)")
        text = pdf_text(content)
        for expected in [
            "We walked by the canal",
            "Offer a clearer ending next time.",
            "Call the hostel with J",
            "J laughed for the first time.",
            "Because I was accepting, J opened up.",
            *CONTEXT_NAMES,
        ]:
            assert expected in text, expected
        self.assert_furniture(text)
        event = AuditEvent.objects.get(action=AuditEvent.Action.REFLECTION_EXPORTED)
        assert (event.actor, event.subject, event.detail["export"]) == (
            self.p.alice,
            self.p.alice,
            "reflection",
        )

    def test_a_supervisor_with_an_open_share_downloads_it_and_the_worker_sees_the_audit(
        self,
    ) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        response = self.p.client_for(self.p.sam).get(self.url(reflection.pk))
        self.assert_real_pdf(response)
        event = AuditEvent.objects.get(action=AuditEvent.Action.REFLECTION_EXPORTED)
        assert (event.actor, event.subject, event.target_id) == (
            self.p.sam,
            self.p.alice,
            str(reflection.pk),
        )

    def test_without_an_open_share_or_after_the_link_ends_it_is_a_404(self) -> None:
        unshared = self.full_reflection()
        withdrawn = self.full_reflection()
        self.share(withdrawn, withdrawn_at=timezone.now())
        shared = self.full_reflection()
        self.share(shared)
        client = self.p.client_for(self.p.sam)
        assert client.get(self.url(unshared.pk)).status_code == 404
        assert client.get(self.url(withdrawn.pk)).status_code == 404
        for person in (self.p.una, self.p.tara, self.p.olive, self.p.omar, self.p.bob):
            assert self.p.client_for(person).get(self.url(shared.pk)).status_code == 404
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        assert client.get(self.url(shared.pk)).status_code == 404
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_EXPORTED).exists()


class RenderingTests(RecordsTestCase):
    def test_only_the_sites_static_files_are_served_to_weasyprint(self) -> None:
        found = pdf.static_path(pdf.BASE_URL + "static/css/pdf.css")
        assert found is not None
        assert found.name == "pdf.css"
        assert found.is_file()
        for url in (
            "https://example.org/static/css/pdf.css",
            "http://appear-reflect.invalid/static/css/pdf.css",
            pdf.BASE_URL + "supervision/records/",
            pdf.BASE_URL + "static/../appear_site/settings.py",
            pdf.BASE_URL + "static/%2e%2e/appear_site/settings.py",
            pdf.BASE_URL + "static/css/missing.css",
            "file:///etc/passwd",
        ):
            assert pdf.static_path(url) is None, url

    def test_collected_static_files_with_hashed_names_are_found_under_static_root(self) -> None:
        with tempfile.TemporaryDirectory() as root:
            hashed = Path(root) / "css" / "pdf.0123abcd.css"
            hashed.parent.mkdir()
            hashed.write_text("@page { size: A4; }")
            with self.settings(STATIC_ROOT=root):
                found = pdf.static_path(pdf.BASE_URL + "static/css/pdf.0123abcd.css")
                assert found == hashed.resolve()
                assert pdf.static_path(pdf.BASE_URL + "static/../" + Path(root).name) is None

    def test_the_fetcher_refuses_anything_but_static_files(self) -> None:
        fetcher = pdf.StaticFilesOnly()
        response = fetcher.fetch(pdf.BASE_URL + "static/css/pdf.css")
        assert response.content_type == "text/css"
        assert b"@page" in response.read()
        response.close()
        with self.assertRaises(ValueError):
            fetcher.fetch("http://127.0.0.1:8000/static/css/pdf.css")

    def test_a_remote_image_in_the_html_is_never_fetched_and_the_text_survives(self) -> None:
        html = (
            '<!DOCTYPE html><html lang="en-gb"><head><title>T</title></head><body>'
            '<img src="http://127.0.0.1:9/tracker.png" alt="">'
            "<p>Still here</p></body></html>"
        )
        content = pdf.html_to_pdf(html)
        assert "Still here" in pdf_text(content)

    def test_a_file_name_keeps_only_safe_characters(self) -> None:
        assert pdf.safe_filename("Brief", "Zoë O'Neil", "../../x") == "brief-zoe-oneil-x.pdf"
        assert pdf.safe_filename("", "") == "document.pdf"
