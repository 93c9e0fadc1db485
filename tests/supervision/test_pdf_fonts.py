"""PDFs are set in the font the project ships, so they break the same way on every machine.

A machine with other fonts installed (Chromium's package brings Liberation, for example) once
turned the one-page brief into two pages. The stylesheet now names only the Inter faces in
static/fonts, which WeasyPrint reads through the project's own static-files fetcher.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from pypdf.generic import DictionaryObject, IndirectObject

from supervision import pdf
from tests.supervision.records_support import RecordsTestCase, pdf_reader, pdf_text

SHIPPED_FILES = ["Inter-Regular", "Inter-Italic", "Inter-Bold", "Inter-BoldItalic"]
# WeasyPrint names an embedded @font-face font after its family (pdf.css) and style.
SHIPPED_FACES = {
    "APPEAR-Inter",
    "APPEAR-Inter-Italic",
    "APPEAR-Inter-Bold",
    "APPEAR-Inter-BoldItalic",
}

# Renders HTML from standard input with the project's renderer and writes the PDF to standard
# output, in a process that sees only the fonts its environment's fontconfig file lists.
RENDER_IN_ANOTHER_PROCESS = """
import sys
import django
django.setup()
from supervision.pdf import html_to_pdf
sys.stdout.buffer.write(html_to_pdf(sys.stdin.read()))
"""


def embedded_fonts(content: bytes) -> set[str]:
    """The base names of every font the PDF embeds, subset prefixes ("ABCDEF+") removed."""
    names: set[str] = set()
    seen: set[int] = set()

    def visit(resources: Any) -> None:
        if isinstance(resources, IndirectObject):
            if resources.idnum in seen:
                return
            seen.add(resources.idnum)
            resources = resources.get_object()
        if not isinstance(resources, DictionaryObject):
            return
        for font in (resources.get("/Font") or {}).values():
            base = str(font.get_object()["/BaseFont"]).lstrip("/")
            names.add(base.split("+", 1)[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in pdf_reader(content).pages:
        visit(page.get("/Resources"))
    return names


class ShippedFontTests(RecordsTestCase):
    def brief(self) -> tuple[str, bytes]:
        """The demo-sized brief as a PDF, with the HTML it was made from."""
        self.shared_reflections(5)
        self.record(actions=("Book a reflective session on endings",))
        today = timezone.localdate()
        start = today - timedelta(days=30)
        url = reverse("supervision:brief_pdf", kwargs={"user_id": self.p.alice.pk})
        with mock.patch.object(pdf, "html_to_pdf", wraps=pdf.html_to_pdf) as render:
            response = self.p.client_for(self.p.sam).get(f"{url}?from={start}&to={today}")
        assert response.status_code == 200
        return render.call_args.args[0], response.content

    def test_the_font_and_its_licence_are_shipped_as_static_files(self) -> None:
        for name in SHIPPED_FILES:
            assert finders.find(f"fonts/inter/{name}.otf"), name
        licence = Path(str(finders.find("fonts/inter/OFL.txt"))).read_text()
        assert "SIL OPEN FONT LICENSE Version 1.1" in licence

    def test_the_brief_embeds_only_the_shipped_font(self) -> None:
        _html, content = self.brief()
        fonts = embedded_fonts(content)
        assert fonts, "the PDF embeds no font at all"
        assert fonts <= SHIPPED_FACES, fonts - SHIPPED_FACES

    def test_the_brief_breaks_the_same_on_a_machine_without_any_fonts(self) -> None:
        html, content = self.brief()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        empty_config = Path(directory.name) / "fonts.conf"
        empty_config.write_text(
            "<?xml version='1.0'?><fontconfig>"
            f"<dir>{empty_config.parent}/none</dir>"
            f"<cachedir>{empty_config.parent}/cache</cachedir>"
            "</fontconfig>"
        )
        environment = {
            **os.environ,
            "FONTCONFIG_FILE": str(empty_config),
            "DJANGO_SETTINGS_MODULE": "appear_site.settings",
        }
        bare = subprocess.run(
            [sys.executable, "-c", RENDER_IN_ANOTHER_PROCESS],
            input=html.encode(),
            capture_output=True,
            env=environment,
            cwd=settings.BASE_DIR,
            timeout=120,
            check=True,
        ).stdout
        assert bare.startswith(b"%PDF-")
        assert len(pdf_reader(bare).pages) == len(pdf_reader(content).pages) == 1
        assert embedded_fonts(bare) == embedded_fonts(content)
        assert pdf_text(bare) == pdf_text(content)
