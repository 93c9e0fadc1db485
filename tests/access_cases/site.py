"""Matrix entries for site-wide pages: the home page (landing page or dashboard)."""

from __future__ import annotations

from tests.access_cases.core import NOT_ALLOWED, OK, Case

CASES = [
    Case("home", default=OK),
    Case("home", default=NOT_ALLOWED, method="post"),
]
