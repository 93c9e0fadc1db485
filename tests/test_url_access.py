"""The site-wide URL access matrix: every URL pattern, every persona, the expected answer.

The entries live in tests/access_cases/ (one module per app; see its __init__ for the format).
The matrix fails when a URL pattern of the site has no entry, when an entry names a URL that no
longer exists, and, per entry, when any persona gets another answer than the one written down.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import ClassVar
from urllib.parse import urlparse

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_cases.core import Answer, Case, Persona, World, all_cases, all_groups, build_world

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REDIRECTS = {301, 302, 303, 307, 308}
STATUS_ANSWERS = {
    200: Answer.OK,
    204: Answer.NO_CONTENT,
    400: Answer.BAD_REQUEST,
    403: Answer.FORBIDDEN,
    404: Answer.NOT_FOUND,
    405: Answer.NOT_ALLOWED,
    410: Answer.GONE,
    503: Answer.UNAVAILABLE,
}


@dataclass(frozen=True)
class SitePattern:
    route: str
    name: str | None


def site_patterns(
    patterns: list[URLPattern | URLResolver] | None = None,
    prefix: str = "",
    namespace: str | None = None,
) -> Iterator[SitePattern]:
    """Every URL pattern of the site, with its full route and namespaced name."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from site_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield SitePattern(route=prefix + str(pattern.pattern), name=name)


def classify(response: HttpResponse) -> Answer | str:
    if response.status_code in REDIRECTS:
        path = urlparse(response["Location"]).path
        if path == reverse("account_login"):
            return Answer.LOGIN
        if path == reverse("admin:login"):
            return Answer.ADMIN_LOGIN
        return Answer.REDIRECT
    return STATUS_ANSWERS.get(response.status_code, str(response.status_code))


_CLIENTS: list[Client] = []


def _client() -> Client:
    """One test client for the whole run: each new Client loads every middleware again
    (WhiteNoise alone scans the static files), which would dominate the matrix's time."""
    if not _CLIENTS:
        _CLIENTS.append(Client())
    return _CLIENTS[0]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class UrlAccessMatrixTests(TestCase):
    world: ClassVar[World]
    cookies: ClassVar[dict[Persona, SimpleCookie]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        # Sessions made here outlive each test's rollback; their cookies are put back before
        # every request, so a case that signs someone out cannot affect the next.
        cls.cookies = {}
        for persona in Persona:
            client = _client()
            # Without a fresh jar, signing in the next persona would end this one's session.
            client.cookies = SimpleCookie()
            user = cls.world.user(persona)
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            for name, value in cls.world.cookies.get(persona, {}).items():
                client.cookies[name] = value
            cls.cookies[persona] = deepcopy(client.cookies)

    def test_every_url_pattern_of_the_site_has_an_entry(self) -> None:
        named = {case.name for _module, case in all_cases()}
        prefixes = tuple(group.prefix for group in all_groups())
        missing = [
            f"{pattern.name or '(unnamed)'}  /{pattern.route}"
            for pattern in site_patterns()
            if not pattern.route.startswith(prefixes) and pattern.name not in named
        ]
        assert missing == [], (
            "These URL patterns have no entry in tests/access_cases/ (add a Case for each, "
            "in the module of their app):\n" + "\n".join(missing)
        )

    def test_every_entry_names_a_url_pattern_of_the_site(self) -> None:
        names = {pattern.name for pattern in site_patterns()}
        stale = sorted(
            {f"{module}: {case.name}" for module, case in all_cases() if case.name not in names}
        )
        assert stale == [], "These entries name URL patterns that do not exist:\n" + "\n".join(
            stale
        )

    def test_each_entry_is_written_once(self) -> None:
        labels = [case.label for _module, case in all_cases()]
        assert len(labels) == len(set(labels)), "Give repeated entries a distinguishing note."

    def ask(self, case: Case, persona: Persona, url: str) -> Answer | str:
        client = _client()
        client.cookies = deepcopy(self.cookies[persona])
        cache.clear()
        send = getattr(client, case.method)
        try:
            with transaction.atomic():
                response = send(url, data=case.data(self.world))
                transaction.set_rollback(True)
        except Exception as error:
            return f"exception {type(error).__name__}: {error}"
        return classify(response)

    def check(self, case: Case) -> None:
        url = reverse(case.name, kwargs=case.kwargs(self.world))
        if case.query:
            url = f"{url}?{case.query}"
        wrong = []
        for persona in Persona:
            expected = case.answer_for(persona)
            got = self.ask(case, persona, url)
            if got != expected:
                shown = got.value if isinstance(got, Answer) else got
                wrong.append(f"  {persona.value:<22} expected {expected.value:<22} got {shown}")
        assert wrong == [], f"{case.label}  {case.method.upper()} {url}\n" + "\n".join(wrong)


def _test_name(module: str, case: Case, taken: set[str]) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", f"{module} {case.name} {case.method} {case.note}".lower())
    name = f"test_{stem.strip('_')}"
    while name in taken:
        name += "_again"
    taken.add(name)
    return name


def _add_case_tests() -> None:
    taken: set[str] = set()
    for module, case in all_cases():

        def test(self: UrlAccessMatrixTests, case: Case = case) -> None:
            self.check(case)

        test.__doc__ = (
            f"{case.label}: each persona gets the answer written in access_cases.{module}."
        )
        setattr(UrlAccessMatrixTests, _test_name(module, case, taken), test)


_add_case_tests()


def test_the_walk_finds_nested_and_namespaced_patterns() -> None:
    found = {pattern.name: pattern.route for pattern in site_patterns()}
    assert found["accounts:members"] == "accounts/organisation/<slug:slug>/members/"
    assert found["account_login"] == "accounts/login/"
    assert "admin:index" in found
