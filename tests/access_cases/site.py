"""Matrix entries for site-wide pages: the home page (landing page or dashboard) and /favicon.ico."""

from __future__ import annotations

from tests.access_cases.core import NOT_ALLOWED, OK, REDIRECT, Case

CASES = [
    Case("home", default=OK),
    Case("home", default=NOT_ALLOWED, method="post"),
    Case("favicon", default=REDIRECT),
]
