"""Security headers on every kind of page, production cookie and HSTS settings, and templates
that a strict Content Security Policy can serve without breaking."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from tests.accounts.auth_support import AuthTestCase

ROOT = Path(settings.BASE_DIR)

ANONYMOUS_PAGES = [
    "/",
    "/framework/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/login/?next=/accounts/2fa/",
    "/no-such-page/",
]
SIGNED_IN_PAGES = [
    "/",
    "/accounts/2fa/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
]


def csp_directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class SecurityHeaderTests(AuthTestCase):
    def assert_secure_headers(self, response: HttpResponse, url: str) -> None:
        header = response.headers.get("Content-Security-Policy", "")
        assert header, f"{url} has no Content-Security-Policy"
        assert "unsafe-inline" not in header, url
        assert "unsafe-eval" not in header, url
        directives = csp_directives(response)
        assert directives["default-src"] == ["'none'"], url
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert directives["img-src"] == ["'self'", "data:"], url
        assert directives["form-action"] == ["'self'"], url
        assert directives["base-uri"] == ["'none'"], url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url
        permissions = response.headers["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in permissions, url

    def test_anonymous_pages_send_every_security_header(self) -> None:
        for url in ANONYMOUS_PAGES:
            self.assert_secure_headers(self.client.get(url), url)

    def test_signed_in_pages_send_every_security_header(self) -> None:
        self.sign_in("alice")
        for url in SIGNED_IN_PAGES:
            self.assert_secure_headers(self.client.get(url), url)

    def test_redirects_and_form_errors_send_them_too(self) -> None:
        response = self.client.post(reverse("account_login"), {"login": "a", "password": "b"})
        self.assert_secure_headers(response, "failed sign-in")
        self.assert_secure_headers(self.client.get("/accounts/2fa/"), "redirect to sign in")

    @override_settings(
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
    )
    def test_https_responses_carry_hsts_with_production_values(self) -> None:
        response = self.client.get("/", secure=True)
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )

    @override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
    def test_with_production_values_the_cookies_are_secure_and_http_only(self) -> None:
        page = self.client.get(reverse("account_login"), secure=True)
        csrf = page.cookies[settings.CSRF_COOKIE_NAME]
        assert csrf["secure"] is True
        assert csrf["samesite"] == "Lax"
        response = self.client.post(
            reverse("account_login"),
            {"login": "alice", "password": "correct-horse-battery-staple"},
            secure=True,
        )
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] is True
        assert session["httponly"] is True
        assert session["samesite"] == "Lax"


def production_environment() -> dict[str, str]:
    """The process environment with every setting the test run relaxes taken away."""
    relaxed = {
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "WHITENOISE_USE_FINDERS",
        "STATIC_MANIFEST",
        "DJANGO_SETTINGS_MODULE",
        # Set for the browser tests' event loop and the suite's persona speed; never in production.
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "FAST_PASSWORD_HASHING",
    }
    environment = {key: value for key, value in os.environ.items() if key not in relaxed}
    environment["SECRET_KEY"] = "production-like-secret-key-for-this-test-" + "x" * 30
    environment["ALLOWED_HOSTS"] = "reflect.example.org"
    environment["DJANGO_SETTINGS_MODULE"] = "appear_site.settings"
    return environment


def test_production_settings_turn_on_secure_cookies_hsts_and_https() -> None:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name) for name in ("
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_HSTS_PRELOAD', 'X_FRAME_OPTIONS', 'SESSION_EXPIRE_AT_BROWSER_CLOSE')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    }


def test_the_deployment_check_passes_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# What a strict CSP (script-src 'self'; style-src 'self') would block, and htmx's eval hooks.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
HTMX_ON = re.compile(r"\s(?:data-)?hx-on", re.IGNORECASE)
SCRIPT_URL = re.compile(r"(?:javascript|js):", re.IGNORECASE)


def template_problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems = []
    if INLINE_SCRIPT.search(text):
        problems.append("an inline <script> (only <script src> is allowed)")
    if STYLE_ELEMENT.search(text):
        problems.append("a <style> element")
    for tag in TAG.findall(text):
        if STYLE_ATTRIBUTE.search(tag):
            problems.append(f"a style attribute in {tag[:80]}")
        if EVENT_HANDLER.search(tag):
            problems.append(f"an on* event handler in {tag[:80]}")
        if HTMX_ON.search(tag):
            problems.append(f"hx-on in {tag[:80]}")
        if SCRIPT_URL.search(tag):
            problems.append(f"a javascript: or js: value in {tag[:80]}")
    return problems


def test_the_template_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<script>alert(1)</script><p style="color:red" onclick="x()">'
        '<button hx-on:click="y">'
        '<a href="javascript:void(0)">',
        encoding="utf-8",
    )
    assert len(template_problems(bad)) == 5
    good = tmp_path / "good.html"
    good.write_text('<script src="/static/js/app.js" defer></script><p class="one">', "utf-8")
    assert template_problems(good) == []


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if (problems := template_problems(path))
    }
    assert found == {}, json.dumps(found, indent=2)
