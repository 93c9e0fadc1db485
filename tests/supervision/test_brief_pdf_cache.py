"""The brief's PDF is rendered once per content and reader, and kept only briefly.

A repeated download of an unchanged brief is served from the cache without WeasyPrint; any
change to what the brief shows (a new share, a withdrawn one, a submitted amendment) makes a
new PDF. Access is checked and the download audited every time, cached or not, and one
person's cached PDF never reaches anyone else.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from accounts.models import AuditEvent
from reflections import services as reflection_services
from reflections.models import Reflection
from supervision.models import Share
from supervision.sharing import services as sharing_services
from tests.supervision.records_support import RecordsTestCase, pdf_text, response_bytes

EXPORTED = AuditEvent.Action.REFLECTION_EXPORTED


class BriefPdfCacheTests(RecordsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reflections = self.shared_reflections(3)
        today = timezone.localdate()
        base = reverse("supervision:brief_pdf", kwargs={"user_id": self.p.alice.pk})
        self.url = f"{base}?from={(today - timedelta(days=30)).isoformat()}&to={today.isoformat()}"
        self.supervisor = self.p.client_for(self.p.sam)

    def download(self, client: Any = None) -> bytes:
        response = (client or self.supervisor).get(self.url)
        assert response.status_code == 200
        return response_bytes(response)

    def renders_when_downloading(self) -> int:
        """How many times WeasyPrint renders while the brief is downloaded once."""
        with mock.patch("supervision.pdf.HTML", wraps=HTML) as weasyprint:
            self.download()
        return weasyprint.call_count

    def test_a_repeated_download_is_served_from_the_cache_without_weasyprint(self) -> None:
        first = self.download()
        with mock.patch("supervision.pdf.HTML", side_effect=AssertionError("rendered again")):
            second = self.download()
        assert second == first

    def test_every_download_is_audited_cached_or_not(self) -> None:
        self.download()
        self.download()
        self.download()
        events = AuditEvent.objects.filter(action=EXPORTED, actor=self.p.sam)
        assert events.count() == 3
        assert all(event.subject == self.p.alice for event in events)

    def test_a_new_share_makes_a_new_pdf(self) -> None:
        before = self.download()
        self.share(self.varied_reflection(7, author=self.p.alice))
        assert self.renders_when_downloading() == 1
        assert self.download() != before

    def test_withdrawing_a_share_makes_a_new_pdf(self) -> None:
        self.download()
        share = Share.objects.get(reflection=self.reflections[0])
        sharing_services.share_withdraw(share=share, by=self.p.alice)
        assert self.renders_when_downloading() == 1

    def test_a_submitted_amendment_makes_a_new_pdf_and_an_open_one_does_not(self) -> None:
        self.download()
        amended = self.reflections[0]
        reflection_services.reflection_amend(reflection=amended, by=self.p.alice)
        Reflection.objects.filter(pk=amended.pk).update(learning="Amended learning on pacing.")
        # The supervisor still reads the last submitted version: the same PDF, from the cache.
        assert self.renders_when_downloading() == 0
        amended.refresh_from_db()
        reflection_services.reflection_submit(reflection=amended, by=self.p.alice)
        assert self.renders_when_downloading() == 1
        assert "Amended learning on pacing." in pdf_text(self.download())

    def test_another_supervisor_gets_404_and_never_the_cached_pdf(self) -> None:
        self.download()
        for person in (self.p.una, self.p.hana, self.p.tara, self.p.bob):
            response = self.p.client_for(person).get(self.url)
            assert response.status_code == 404, person
        assert not AuditEvent.objects.filter(action=EXPORTED).exclude(actor=self.p.sam).exists()

    def test_the_worker_gets_their_own_pdf_not_the_supervisors_copy(self) -> None:
        self.download()
        with mock.patch("supervision.pdf.HTML", wraps=HTML) as weasyprint:
            self.download(self.p.client_for(self.p.alice))
        assert weasyprint.call_count == 1

    def test_cached_pdfs_expire_within_fifteen_minutes_under_a_key_naming_the_reader(
        self,
    ) -> None:
        with mock.patch.object(cache, "set", wraps=cache.set) as stored:
            self.download()
        [(key, _value, timeout)] = [
            call.args for call in stored.call_args_list if call.args[0].startswith("pdf:")
        ]
        assert timeout <= 15 * 60
        assert f":{self.p.sam.pk}:" in key


class BriefPrintLayoutTests(RecordsTestCase):
    def test_the_printed_maps_words_are_text_at_7_pt_or_more_over_a_drawing_without_text(
        self,
    ) -> None:
        self.shared_reflections(3)
        url = reverse("supervision:brief", kwargs={"user_id": self.p.alice.pk})
        brief = self.p.client_for(self.p.sam).get(url).context["brief"]
        printed = str(brief.practice_map_print)
        sizes = [float(size) for size in re.findall(r"font-size: ([0-9.]+)pt", printed)]
        assert len(sizes) == 17 + 3, "a label for every box and column"
        assert min(sizes) >= 7
        svg = printed[printed.index("<svg") : printed.index("</svg>")]
        assert "<text" not in svg
        assert "<title" in svg
        assert "Accepting" in printed

    def test_the_briefs_print_styles_use_no_css_columns_or_flex_boxes(self) -> None:
        """WeasyPrint lays both out several times over; the brief is printed often."""
        css = Path(str(finders.find("css/pdf.css"))).read_text()
        assert not re.search(r"(^|\s)columns\s*:", css)
        # Only a single reflection's answers (not the brief) still lay out as a flex box.
        assert css.count("display: flex") == 1
        assert ".pdf--reflection .answers > div {\n  display: flex" in css
