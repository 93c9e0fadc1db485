"""The explorer works out a page's framework part once per version and keeps it in the cache:
the rows and drawn diagram (framework/views.py) and that part of the page rendered (each
template's `{% cache %}`), keyed on the version's content hash and id.

After the first visit a page reads only which version is current; a newly loaded version is
shown at once (its content hash, and so its cache keys, are new); and a page from the cache
is the page worked out afresh, byte for byte (less the per-request CSRF token and nonces).
"""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from framework.caching import code_fingerprint, version_cache_key
from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load
from tests.base import make_personas

PAGES = [
    reverse("framework:overview"),
    reverse("framework:context", kwargs={"key": "accepting"}),
    reverse("framework:context", kwargs={"key": "reciprocal"}),
    reverse("framework:mechanism", kwargs={"key": "mentalisation"}),
    reverse("framework:outcome", kwargs={"key": "relationships"}),
    reverse("framework:outcome", kwargs={"key": "knowledge_and_skills"}),
    reverse("framework:references"),
    reverse("framework:search") + "?q=trust",
]
# What differs between two renders of the same page by design: the masked CSRF token and
# the Content Security Policy's nonces.
PER_REQUEST = re.compile(r'(csrf[^"]*"\s+content="|value="|nonce=")[A-Za-z0-9+/=_-]{20,}"')


def framework_data() -> dict[str, Any]:
    return framework_data_read(settings.FRAMEWORK_DATA_FILE)


def page_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return PER_REQUEST.sub(r'\1"', response.content.decode())


class CachedExplorerTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        framework_load(data=framework_data())

    def test_after_the_first_visit_a_page_reads_only_the_current_version(self) -> None:
        """1 query: the current version. (At load: 16 on the overview, 14 on a context.)"""
        for url in PAGES:
            self.client.get(url)
            with self.subTest(url=url), self.assertNumQueries(1):
                assert self.client.get(url).status_code == 200

    @override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
    def test_signed_in_it_costs_the_signed_in_floor_and_the_header(self) -> None:
        """3 queries with sessions in the cache (as with Redis): the user, the current version
        and the memberships behind the header's navigation; nothing of the framework's
        tables."""
        personas = make_personas()
        client = personas.client_for(personas.alice)
        for url in PAGES:
            client.get(url)
            with self.subTest(url=url), self.assertNumQueries(3):
                assert client.get(url).status_code == 200

    def test_a_page_from_the_cache_is_the_page_worked_out_afresh(self) -> None:
        for url in PAGES:
            fresh = page_text(self.client, url)
            cached = page_text(self.client, url)
            cache.clear()
            again = page_text(self.client, url)
            with self.subTest(url=url):
                assert cached == fresh == again

    def test_an_unknown_key_is_not_found_every_time_and_is_not_kept(self) -> None:
        url = reverse("framework:context", kwargs={"key": "no-such-context"})
        for _attempt in range(2):
            assert self.client.get(url).status_code == 404
        version = FrameworkVersion.objects.get(is_current=True)
        assert not cache.has_key(version_cache_key(version, "explorer:context:no-such-context"))

    def test_a_newly_loaded_version_shows_at_once(self) -> None:
        accepting = reverse("framework:context", kwargs={"key": "accepting"})
        before = page_text(self.client, accepting)
        assert "A summary changed in a new version of the data." not in before
        page_text(self.client, reverse("framework:overview"))

        data = copy.deepcopy(framework_data())
        accepting_data = next(c for c in data["contexts"] if c["key"] == "accepting")
        accepting_data["summary"] = "A summary changed in a new version of the data."
        accepting_data["name"] = "Accepting (revised)"
        assert framework_load(data=data).created

        assert "A summary changed in a new version of the data." in page_text(
            self.client, accepting
        )
        assert "Accepting (revised)" in page_text(self.client, reverse("framework:overview"))
        hits = page_text(self.client, reverse("framework:search") + "?q=summary+changed")
        assert "Accepting (revised)" in hits

    def test_going_back_to_an_earlier_version_shows_it_again(self) -> None:
        accepting = reverse("framework:context", kwargs={"key": "accepting"})
        original = page_text(self.client, accepting)
        data = copy.deepcopy(framework_data())
        data["contexts"][0]["summary"] = "Another summary, for a while."
        framework_load(data=data)
        assert "Another summary, for a while." in page_text(self.client, accepting)
        framework_load(data=framework_data())
        assert page_text(self.client, accepting) == original


class CodeFingerprintTests(TestCase):
    def tearDown(self) -> None:
        code_fingerprint.cache_clear()

    def fingerprint_of(self, base: Path) -> str:
        code_fingerprint.cache_clear()
        with override_settings(BASE_DIR=base):
            return code_fingerprint()

    def test_a_changed_template_or_module_gives_new_keys(self) -> None:
        """A deploy that rewords a page must not serve the old wording from the cache."""
        with tempfile.TemporaryDirectory() as folder:
            base = Path(folder)
            shutil.copytree(Path(settings.BASE_DIR) / "framework", base / "framework")
            shutil.copytree(
                Path(settings.BASE_DIR) / "templates" / "framework", base / "templates/framework"
            )
            original = self.fingerprint_of(base)
            assert original == self.fingerprint_of(Path(settings.BASE_DIR))
            page = base / "templates/framework/context.html"
            page.write_text(page.read_text() + "\n{# reworded #}\n")
            reworded = self.fingerprint_of(base)
            module = base / "framework/diagrams.py"
            module.write_text(module.read_text() + "\n# redrawn\n")
            assert len({original, reworded, self.fingerprint_of(base)}) == 3
