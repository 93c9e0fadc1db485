"""pytest plugin loaded before Django: the settings and the clock the test suite runs with.

Loaded with `-p tests.environment` so it runs before pytest-django reads the settings.
"""

import os
from datetime import datetime

import time_machine

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-real-deployment")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("FAST_PASSWORD_HASHING", "true")

# A fixed "today" for the whole suite, so no test passes or fails with the calendar: the
# demo data, "this month", "the last six months", the brief's period and every default date
# are built from it. The clock still ticks from there, because sign-in throttles, idle
# expiry and polling need time to pass. Another instant runs the same suite elsewhere in the
# calendar, e.g. APPEAR_TEST_NOW=2027-01-01T00:05:00+00:00 make test.
# Chromium and subprocesses keep the machine's clock; only this process moves.
DEFAULT_TEST_NOW = "2026-06-10T10:00:00+01:00"
TEST_NOW = datetime.fromisoformat(os.environ.get("APPEAR_TEST_NOW") or DEFAULT_TEST_NOW)
if TEST_NOW.tzinfo is None:
    raise SystemExit("APPEAR_TEST_NOW needs a UTC offset, e.g. 2027-01-01T00:05:00+00:00")

_suite_clock = time_machine.travel(TEST_NOW, tick=True)


def pytest_configure() -> None:
    _suite_clock.start()


def pytest_unconfigure() -> None:
    _suite_clock.stop()


def pytest_report_header() -> str:
    return f"suite clock: starts at {TEST_NOW.isoformat()} (APPEAR_TEST_NOW)"
