"""Workshop handouts: real PDFs with the right words, the citation, and cards that fit."""

from __future__ import annotations

import io
from collections import Counter

from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TextBox

from supervision.pdf import BASE_URL, StaticFilesOnly
from tests.workshops.support import CONTEXT_NAMES, WorkshopTestCase, answer_fields
from workshops import pdf

CITATION = "Hackmann C, Green A, Pease R, Clegg I, Handley M."


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


class HandoutTests(WorkshopTestCase):
    def download(self, url: str) -> bytes:
        response = self.p.client_for(self.p.tara).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert content.startswith(b"%PDF-")
        return content

    def assert_attribution(self, text: str) -> None:
        flat = " ".join(text.split())
        assert CITATION in flat
        assert "BMJ Open 2025;15:e105211" in flat
        assert "CC BY 4.0" in flat

    def test_the_results_pdf_names_each_vignette_and_no_participant(self) -> None:
        client = Client()
        self.join(client, "Zebedee <b>Quill</b>")
        client.post("/join/answer/", answer_fields(self.workshop.items.get(position=0).pk))
        text = pdf_text(
            self.download(reverse("workshops:results_pdf", kwargs={"pk": self.workshop.pk}))
        )
        flat = " ".join(text.split())
        for item in self.workshop.items.all():
            assert item.vignette.title in flat
        assert "Krippendorff" in flat
        assert "intended mapping" in flat
        assert "Zebedee" not in flat
        assert "Quill" not in flat
        self.assert_attribution(text)

    def test_worksheets_have_each_vignette_and_the_scale(self) -> None:
        text = pdf_text(
            self.download(reverse("workshops:worksheets_pdf", kwargs={"pk": self.workshop.pk}))
        )
        flat = " ".join(text.split())
        for item in self.workshop.items.all():
            assert item.vignette.title in flat
            assert item.vignette.questions[0] in flat
        assert "Strongly" in flat or "strongly" in flat
        self.assert_attribution(text)

    def test_the_cards_name_every_context_mechanism_and_domain(self) -> None:
        text = pdf_text(self.download(reverse("workshops:cards_pdf")))
        flat = " ".join(text.split())
        for name in CONTEXT_NAMES:
            assert name in flat
        for entity in self.boxes.mechanisms + self.boxes.domains:
            assert entity.name in flat
        self.assert_attribution(text)

    def test_cards_print_at_most_eight_a_sheet_with_every_word_inside_its_card(self) -> None:
        document = HTML(
            string=pdf.cards_html(), base_url=BASE_URL, url_fetcher=StaticFilesOnly()
        ).render()
        per_page: Counter[int] = Counter()
        checked_lines = 0
        for number, page in enumerate(document.pages):
            for box in page._page_box.descendants():
                classes = (
                    (box.element.get("class") or "").split() if box.element is not None else []
                )
                if "wcard" not in classes or box.element_tag != "section":
                    continue
                per_page[number] += 1
                left, top = box.border_box_x(), box.border_box_y()
                right, bottom = left + box.border_width(), top + box.border_height()
                for inner in box.descendants():
                    if isinstance(inner, TextBox) and inner.text.strip():
                        checked_lines += 1
                        where = f"{inner.text!r} runs out of its card on sheet {number + 1}"
                        assert left <= inner.position_x, where
                        assert inner.position_x + inner.width <= right + 0.5, where
                        assert top <= inner.position_y, where
                        assert inner.position_y + inner.height <= bottom + 0.5, where
        assert sum(per_page.values()) == 5 + 6 + 6
        assert max(per_page.values()) <= 8
        assert checked_lines > 100
