"""Screenshots of the main pages at desktop and phone widths, for the README.

`SCREENSHOTS=1` writes them to docs/screenshots/ (see the README for the command). Without it
the same pages are still visited and photographed into a temporary folder, so this test always
checks that each page renders, fits a 360 px screen without sideways scrolling, and reports no
script error or Content Security Policy violation.

To add a page, add a `Shot` to SHOTS: nothing else changes.
"""

from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from accounts.models import User
from framework.models import FrameworkVersion

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int
    # A full-page shot stops here: long pages would otherwise give images too tall to read.
    max_height: int


SIZES = [Size("desktop", 1280, 800, 2400), Size("phone", 360, 740, 1600)]


@dataclass(frozen=True)
class Shot:
    """One page to photograph: a file name, its URL, and who (if anyone) is signed in."""

    name: str
    url_name: str
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    # The user name of a person the page is seen by; None for a public page.
    signed_in_as: str | None = None

    def path(self) -> str:
        return reverse(self.url_name, kwargs=self.kwargs) + self.query


SHOTS = [
    Shot("home", "home"),
    Shot("framework-overview", "framework:overview"),
    Shot("context-accepting", "framework:context", {"key": "accepting"}),
    Shot("mechanism-mentalisation", "framework:mechanism", {"key": "mentalisation"}),
    Shot("outcome-confidence", "framework:outcome", {"key": "confidence"}),
    Shot("framework-search", "framework:search", query="?q=trust"),
    Shot("home-peer-worker", "home", signed_in_as="demo-worker"),
    Shot("my-reflections", "reflections:list", signed_in_as="demo-worker"),
    Shot("my-practice", "reflections:practice", signed_in_as="demo-worker"),
    Shot("supervisor-dashboard", "supervision:dashboard", signed_in_as="demo-supervisor"),
    Shot("members", "accounts:members", {"slug": "riverside"}, signed_in_as="demo-admin"),
]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG file's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def sign_in(page: Page, base_url: str, username: str) -> None:
    """Give the browser the session cookie of `username`, without going through the form."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        return SCREENSHOT_DIR
    return tmp_path


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.name for shot in SHOTS])
def test_each_main_page_renders_at_desktop_and_phone_width(
    shot: Shot,
    page: Page,
    live_server: Any,
    framework_version: FrameworkVersion,
    console_problems: list[str],
    output_dir: Path,
) -> None:
    if shot.signed_in_as is not None:
        # The demo organisations, people and their reflections: what `make run` shows.
        call_command("seed_demo", "--allow-production", stdout=io.StringIO())
        sign_in(page, live_server.url, shot.signed_in_as)

    for size in SIZES:
        page.set_viewport_size({"width": size.width, "height": size.height})
        response = page.goto(live_server.url + shot.path())

        assert response is not None
        assert response.status == 200, f"{shot.name} answered {response.status}"
        assert page.locator("h1").first.is_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{shot.name} scrolls sideways by {overflow}px at {size.width}px"

        target = output_dir / f"{shot.name}-{size.name}.png"
        full_height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(
            path=str(target),
            full_page=True,
            clip={"x": 0, "y": 0, "width": size.width, "height": min(full_height, size.max_height)},
        )

        width, height = png_size(target)
        assert width == size.width
        assert 0 < height <= size.max_height
        assert target.stat().st_size > 1000, f"{target.name} is suspiciously small"
