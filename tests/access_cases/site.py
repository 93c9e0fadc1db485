"""Matrix entries for site-wide pages: the home page (landing page or dashboard), /favicon.ico
and the load balancer's health check, which answers everyone alike (tests/test_healthz.py)."""

from __future__ import annotations

from tests.access_cases.core import NOT_ALLOWED, OK, REDIRECT, Case

CASES = [
    Case("home", default=OK),
    Case("home", default=NOT_ALLOWED, method="post"),
    Case("favicon", default=REDIRECT),
    Case("healthz", default=OK),
    Case("healthz", default=NOT_ALLOWED, method="post"),
]
