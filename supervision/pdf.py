"""Printable summaries: a template rendered to HTML, then to a tagged PDF by WeasyPrint.

WeasyPrint never fetches anything over the network, the site itself included: the HTML is
rendered with a base URL on a reserved host that does not resolve, and the URL fetcher only
answers for files under STATIC_URL, which it reads from the filesystem through the static
files finders (or STATIC_ROOT once collected). Any other address is refused. Pictures are
inline SVG drawn by framework.diagrams, so their words stay real, searchable text.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# ".invalid" is reserved (RFC 2606) and never resolves, so nothing could leave the machine
# even if the fetcher below were bypassed.
BASE_URL = "https://appear-reflect.invalid/"
# A tagged PDF/UA-1 file: headings, lists, tables and reading order stay available to
# assistive technology; WeasyPrint takes the title and language from <title> and <html lang>.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}
# Finished PDFs hold confidential reflection content, and the cache is shared by every app
# server (Redis in production): they are kept only long enough to spare re-rendering on a
# download that is repeated within one sitting, so a copy never outlives that visit for long.
PDF_CACHE_SECONDS = 10 * 60
# Bump when the CSS, the fonts or WeasyPrint's options change what the same HTML renders to.
PDF_CACHE_SCHEMA = 1
# The stylesheet of supervision/pdf/base.html. WeasyPrint would parse it, and load its four
# font faces, on every render (a fifth of the brief's render); it is parsed once per thread
# instead and handed to WeasyPrint ready (`html_to_pdf`).
PDF_STYLESHEET = "css/pdf.css"
_parsed = threading.local()


class StaticFilesOnly(URLFetcher):
    """Serve the project's static files from the filesystem and refuse everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["https"], fail_on_errors=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            raise ValueError(f"PDFs may only use the site's static files, not {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": content_type}, status=200
        )


def static_path(url: str) -> Path | None:
    """The file behind a static URL on BASE_URL, or None for any other address."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    if not parts.path.startswith(prefix):
        return None
    name = unquote(parts.path[len(prefix) :])
    if not name or ".." in Path(name).parts or name.startswith("/"):
        return None
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / name).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def render_html(*, template_name: str, context: dict[str, Any]) -> str:
    """The HTML a PDF is made from; tests check its content here."""
    return render_to_string(template_name, context)


def _stylesheet(url: str) -> tuple[CSS, FontConfiguration] | None:
    """PDF_STYLESHEET parsed, with the font configuration holding its faces; None if missing.

    Kept per thread (WeasyPrint's font configuration is not shared between threads) and
    parsed again when the file changes, so an edited stylesheet shows without a restart.
    """
    path = static_path(url)
    if path is None:
        return None
    stamp = (url, path.stat().st_mtime_ns)
    cached: tuple[tuple[str, int], CSS, FontConfiguration] | None = getattr(
        _parsed, "stylesheet", None
    )
    if cached is None or cached[0] != stamp:
        fonts = FontConfiguration()
        css = CSS(url=url, url_fetcher=StaticFilesOnly(), font_config=fonts)
        cached = (stamp, css, fonts)
        _parsed.stylesheet = cached
    return cached[1], cached[2]


def html_to_pdf(html: str) -> bytes:
    """Turn HTML from `render_html` into a tagged PDF.

    The link to PDF_STYLESHEET, when the HTML has it, is served from the parsed copy: as a
    user stylesheet, which the cascade ranks as the author one it replaces here, because the
    only other author styles in these documents are style attributes, which outrank both.
    """
    href = static(PDF_STYLESHEET)
    link = f'<link rel="stylesheet" href="{href}">'
    parsed = _stylesheet(urljoin(BASE_URL, href)) if link in html else None
    if parsed is None:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())
        pdf = document.write_pdf(**PDF_OPTIONS)
    else:
        css, fonts = parsed
        document = HTML(
            string=html.replace(link, "", 1), base_url=BASE_URL, url_fetcher=StaticFilesOnly()
        )
        pdf = document.write_pdf(stylesheets=[css], font_config=fonts, **PDF_OPTIONS)
    assert isinstance(pdf, bytes)
    return pdf


def pdf_cache_key(*, reader_id: int, kind: str, html: str) -> str:
    """The cache key of the PDF of `html` made for `reader_id`.

    Keyed on the HTML itself: the PDF is a function of it alone, so anything the document
    shows changing (a share made or withdrawn, an amendment submitted, a comment, a name, the
    day it was prepared on) changes the key, and nothing else is needed to invalidate it. The
    reader's id is part of the key, so one person's copy is never served to another even if
    their documents came out the same.
    """
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return f"pdf:{PDF_CACHE_SCHEMA}:{kind}:{reader_id}:{digest}"


def html_to_pdf_cached(html: str, *, reader_id: int, kind: str) -> bytes:
    """`html_to_pdf(html)`, kept for PDF_CACHE_SECONDS for this reader.

    The caller must have checked access and must audit the download whether or not it came
    from the cache: the cache only spares WeasyPrint, never a check.
    """
    key = pdf_cache_key(reader_id=reader_id, kind=kind, html=html)
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    pdf = html_to_pdf(html)
    cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def render_pdf(*, template_name: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(template_name=template_name, context=context))


def safe_filename(*parts: object) -> str:
    """A file name made only of ASCII letters, digits and hyphens, ending in .pdf."""
    stem = slugify("-".join(str(part) for part in parts if part)) or "document"
    return f"{stem[:120]}.pdf"


def pdf_response(*, pdf: bytes, filename: str) -> HttpResponse:
    """A download of `pdf`, never cached by shared caches because it is confidential."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
