"""Fuzzing every URL, as every persona, with hostile values: no 5xx, no leak, invariants hold.

The URLs are those of the access matrix (tests/access_cases), with the objects it builds; the
field names are every `name="..."` found on the site's pages (crawled once, as each persona)
plus every field the matrix posts. Values are what a hostile or broken client sends: huge,
empty, NUL, invalid UTF-8, lone surrogates, right-to-left marks, huge and negative integers,
extreme dates, other people's ids, duplicated and missing fields, wrong methods and malformed
htmx headers. After every request:
- the answer is not a 5xx (and the view raised nothing);
- no response holds the private text of a reflection whose author is not the persona;
- the database's invariants hold: a reflection's revision only grows, a share joins its
  supervisor and the reflection's author through its link and is open only while that link
  lives, and a signed supervision record has not changed.
Each request runs in a transaction rolled back afterwards, so every request meets the same
world.

Two tests: a sweep that sends every URL x persona x method a few fixed hostile payloads, and a
Hypothesis search over URL, persona, method, fields, values and headers. `make fuzz` runs both
(about two minutes); FUZZ_EXAMPLES sets the Hypothesis examples (default 200), for a longer
run: `FUZZ_EXAMPLES=20000 make fuzz`.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from copy import deepcopy
from http.cookies import SimpleCookie
from typing import Any, ClassVar
from urllib.parse import quote_from_bytes

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from pypdf import PdfReader

from reflections.flow_selectors import reflection_snapshot, reflection_with_content
from reflections.models import Reflection
from supervision.models import Share, SupervisionRecord
from tests.access_cases.core import Case, Persona, World, all_cases, build_world

pytestmark = pytest.mark.fuzz

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
METHODS = ["GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]
NAME = re.compile(r'name="([^"]{1,80})"')

# Private text only each reflection's author may ever see: no reflection holding it is shared.
MARKERS = {
    "alice": "Fuzzmark alice private canal walk",
    "alice amending": "Fuzzmark alice unsubmitted amendment",
    "bob": "Fuzzmark bob private allotment visit",
    "omar": "Fuzzmark omar private library chat",
}

HOSTILE: list[bytes] = [
    b"",
    b"\x00",
    b"a\x00b",
    b"\xff\xfe\xfd",
    "\ud800".encode("utf-8", "surrogatepass"),
    "\u202e\u200f\u2066".encode(),
    b"x" * 5000,
    b"%",
    b"%%%%__\\\\",
    b"<script>alert(1)</script>",
    b"' OR 1=1 --",
    b"../../../etc/passwd",
    b"javascript:alert(1)",
    b"//evil.example/",
    b"https://evil.example/",
    b"account_logout",
    b"0",
    b"-1",
    b"99999999999999999999",
    b"-99999999999999999999",
    b"9223372036854775808",
    b"1e309",
    b"NaN",
    "\u0663".encode(),
    b"0001-01-01",
    b"9999-12-31",
    b"10000-01-01",
    b"2000-02-30",
    b"1999-12-31",
    b"true",
    b"on",
    b"[]",
    b"{}",
]

# The sweep's values: one of each kind that has broken a page before.
SWEEP: list[bytes] = [
    b"99999999999999999999",
    b"\xff\x00" + "\u202e".encode(),
    b"0001-01-01",
    b"9999-12-31",
    b"-1",
    b"x" * 1000,
    b"account_logout",
    "\ud800".encode("utf-8", "surrogatepass"),
    b"",
]

HX_HEADERS = {
    "HX-Request": ["true", "false", "1", "", "\u202e"],
    "HX-Current-URL": [
        "javascript:alert(1)",
        "http://evil.example/",
        "/" + "a" * 3000,
        "",
        "not a url",
        "http://testserver/reflections/",
    ],
    "HX-Target": ["", "#main", "x" * 500],
    "HX-Trigger": ["", "<b>", "x" * 500],
    "HX-Boosted": ["true", "maybe"],
}


def encode(fields: Iterable[tuple[str, bytes]]) -> str:
    return "&".join(
        f"{quote_from_bytes(name.encode('utf-8', 'surrogatepass'))}={quote_from_bytes(value)}"
        for name, value in fields
    )


class Problems(AssertionError):
    pass


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class FuzzTestCase(TestCase):
    world: ClassVar[World]
    cookies: ClassVar[dict[Persona, SimpleCookie]]
    targets: ClassVar[list[tuple[Case, str]]]
    vocabulary: ClassVar[list[str]]
    ids: ClassVar[list[bytes]]
    reopened_pk: ClassVar[int]
    private_pks: ClassVar[dict[str, int]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        p = cls.world.p
        version = cls.world.objects["flow_draft"].framework_version
        cls.private_pks = {}
        for username in ("alice", "bob", "omar"):
            text = MARKERS[username]
            author = getattr(p, username)
            organisation = p.hillside if username == "omar" else p.riverside
            for status in (Reflection.Status.DRAFT, Reflection.Status.SUBMITTED):
                cls.private_pks[username] = Reflection.objects.create(
                    author=author,
                    organisation=organisation,
                    framework_version=version,
                    status=status,
                    submitted_at=timezone.now() if status == Reflection.Status.SUBMITTED else None,
                    person_label="Q",
                    what_happened=text,
                    learning=text,
                ).pk
        # A reflection shared with Sam and then reopened: what Alice has typed since is hers
        # alone until she submits it; Sam reads it as last submitted.
        reopened = Reflection.objects.create(
            author=p.alice,
            organisation=p.riverside,
            framework_version=version,
            status=Reflection.Status.SUBMITTED,
            submitted_at=timezone.now(),
            what_happened="Shared as submitted.",
        )
        Share.objects.create(reflection=reopened, supervisor=p.sam, link=p.sam_alice)
        reopened.amendment_base = reflection_snapshot(reflection_with_content(reflection=reopened))
        reopened.what_happened = reopened.learning = MARKERS["alice amending"]
        reopened.save(update_fields=["amendment_base", "what_happened", "learning"])
        cls.reopened_pk = reopened.pk
        cls.cookies = {}
        for persona in Persona:
            client = Client()
            client.cookies = SimpleCookie()
            user = cls.world.user(persona)
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            cls.cookies[persona] = deepcopy(client.cookies)
        cls.targets = []
        for _module, case in all_cases():
            url = reverse(case.name, kwargs=case.kwargs(cls.world))
            cls.targets.append((case, f"{url}?{case.query}" if case.query else url))
        cls.vocabulary = cls._crawl_field_names()
        cls.ids = sorted(
            {
                str(obj.pk).encode()
                for obj in [*cls.world.objects.values(), *Reflection.objects.all()]
                if hasattr(obj, "pk")
            }
        )

    @classmethod
    def _crawl_field_names(cls) -> list[str]:
        """Every form field name on the pages each persona can open, and every posted field."""
        names: set[str] = set()
        for case, url in cls.targets:
            names.update(case.data(cls.world))
            readers = [persona for persona in Persona if case.answer_for(persona).value == "200"]
            if case.method != "get" or not readers:
                continue
            # One persona who can open the page is enough to learn its fields.
            client = cls.client_for(readers[0])
            with transaction.atomic():
                response = client.get(url)
                transaction.set_rollback(True)
            if response.get("Content-Type", "").startswith("text/html"):
                names.update(NAME.findall(response.content.decode(errors="replace")))
        names.discard("csrfmiddlewaretoken")
        return sorted(names)

    @classmethod
    def client_for(cls, persona: Persona) -> Client:
        client = Client()
        client.cookies = deepcopy(cls.cookies[persona])
        return client

    # ----------------------------------------------------------------------------------------

    def send(
        self,
        target: tuple[Case, str],
        persona: Persona,
        method: str,
        fields: list[tuple[str, bytes]],
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send one request in a rolled-back transaction and check everything after it."""
        case, url = target
        base = [(name, str(value).encode()) for name, value in case.data(self.world).items()]
        client = self.client_for(persona)
        cache.clear()
        described = f"{method} {url} as {persona.value} with {fields[:12]!r} {headers!r}"
        with transaction.atomic():
            # Reads write nothing but audit events, so the invariants are checked after writes.
            before = None if method in ("GET", "HEAD", "OPTIONS") else self.snapshot()
            try:
                if method in ("GET", "HEAD", "OPTIONS", "DELETE"):
                    query = encode(base + fields)
                    sep = "&" if "?" in url else "?"
                    response = client.generic(
                        method, f"{url}{sep}{query}" if query else url, headers=headers
                    )
                else:
                    response = client.generic(
                        method,
                        url,
                        data=encode(base + fields).encode(),
                        content_type="application/x-www-form-urlencoded",
                        headers=headers,
                    )
            except Exception as error:
                raise Problems(f"{type(error).__name__}: {error}\n  {described}") from error
            problems = []
            if response.status_code >= 500:
                problems.append(f"answered {response.status_code}")
            problems += self.leaks(persona, response)
            if before is not None:
                problems += self.broken_invariants(before)
            transaction.set_rollback(True)
        if problems:
            raise Problems("; ".join(problems) + f"\n  {described}")

    def leaks(self, persona: Persona, response: Any) -> list[str]:
        if getattr(response, "streaming", False):
            return []
        content = response.content
        if response.get("Content-Type", "").startswith("application/pdf"):
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        else:
            text = content.decode(errors="replace")
        user = self.world.user(persona)
        return [
            f"showed {owner}'s private text"
            for owner, marker in MARKERS.items()
            if marker in text and (user is None or user.username != owner.split()[0])
        ]

    def snapshot(self) -> dict[str, Any]:
        return {
            "revisions": dict(Reflection.objects.values_list("pk", "revision")),
            "shares": set(Share.objects.values_list("pk", flat=True)),
            "withdrawn": set(
                Share.objects.filter(withdrawn_at__isnull=False).values_list("pk", flat=True)
            ),
            "signed": self.signed_records(),
        }

    @staticmethod
    def signed_records() -> dict[int, Any]:
        records = SupervisionRecord.objects.filter(
            worker_signed_at__isnull=False, supervisor_signed_at__isnull=False
        ).prefetch_related("checks", "reflections", "actions")
        return {
            record.pk: (
                record.held_on,
                record.attendees,
                record.explored,
                record.version,
                record.worker_signed_at,
                record.supervisor_signed_at,
                sorted((c.context_id, c.rating, c.note) for c in record.checks.all()),
                sorted(r.pk for r in record.reflections.all()),
                sorted((a.pk, a.text, a.owner_id, a.due_on) for a in record.actions.all()),
            )
            for record in records
        }

    def broken_invariants(self, before: dict[str, Any]) -> list[str]:
        problems = []
        after = dict(Reflection.objects.values_list("pk", "revision"))
        for pk, revision in before["revisions"].items():
            if pk in after and after[pk] < revision:
                problems.append(f"reflection {pk}'s revision went from {revision} to {after[pk]}")
        for share in Share.objects.select_related("link", "reflection"):
            link = share.link
            if (link.supervisor_id, link.worker_id) != (
                share.supervisor_id,
                share.reflection.author_id,
            ):
                problems.append(f"share {share.pk} does not follow its link")
            if share.pk in before["withdrawn"] and share.withdrawn_at is None:
                problems.append(f"withdrawn share {share.pk} opened again")
            if share.pk not in before["shares"]:
                if not link.is_active:
                    problems.append(f"share {share.pk} was made on a link that is not live")
                if share.reflection.status != Reflection.Status.SUBMITTED:
                    problems.append(f"share {share.pk} is of an unsubmitted reflection")
        signed_after = self.signed_records()
        for pk, content in before["signed"].items():
            if signed_after.get(pk) != content:
                problems.append(f"signed record {pk} changed")
        return problems


class SweepTests(FuzzTestCase):
    def test_the_private_texts_are_on_the_pages_the_leak_check_reads(self) -> None:
        """Without this, a marker nobody can see would make the leak check pass vacuously."""
        alice = self.client_for(Persona.PEER_WORKER)
        draft_page = alice.get(reverse("reflections:detail", args=[self.reopened_pk]))
        assert MARKERS["alice amending"] in draft_page.content.decode()
        private = alice.get(reverse("reflections:detail", args=[self.private_pks["alice"]]))
        assert MARKERS["alice"] in private.content.decode()
        sam = self.client_for(Persona.SUPERVISOR)
        shared = sam.get(reverse("supervision:reflection", args=[self.reopened_pk]))
        assert shared.status_code == 200
        assert "Shared as submitted." in shared.content.decode()
        assert self.leaks(Persona.SUPERVISOR, shared) == []
        assert self.leaks(Persona.SUPERVISOR, draft_page) == [
            "showed alice amending's private text"
        ]

    def test_every_url_persona_and_method_survives_fixed_hostile_payloads(self) -> None:
        # Every field at once, each with another of SWEEP's values, shifted for each request
        # so that across the personas every field meets every kind of value.
        failures: list[str] = []
        requests = 0
        for target in self.targets:
            method = target[0].method.upper()
            for shift, persona in enumerate(Persona):
                fields = [
                    (name, SWEEP[(index + shift) % len(SWEEP)])
                    for index, name in enumerate(self.vocabulary)
                ]
                requests += 1
                try:
                    self.send(target, persona, method, fields, {"HX-Request": "true"})
                except Problems as problem:
                    failures.append(str(problem)[:600])
        print(f"\nfuzz sweep: {requests} requests, {len(failures)} failures")
        assert failures == [], "\n".join(failures[:30])


class SearchTests(FuzzTestCase):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_no_generated_request_gives_a_5xx_a_leak_or_a_broken_invariant(
        self, data: st.DataObject
    ) -> None:
        target = data.draw(st.sampled_from(self.targets), label="url")
        case = target[0]
        persona = data.draw(st.sampled_from(list(Persona)), label="persona")
        method = data.draw(
            st.one_of(st.just(case.method.upper()), st.sampled_from(METHODS)), label="method"
        )
        value = st.one_of(
            st.sampled_from(HOSTILE),
            st.sampled_from(self.ids),
            st.binary(max_size=40),
            st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass")),
            st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: str(n).encode()),
            st.dates().map(lambda day: day.isoformat().encode()),
        )
        name = st.one_of(st.sampled_from(self.vocabulary), st.text(max_size=12))
        fields = data.draw(st.lists(st.tuples(name, value), max_size=10), label="fields")
        headers = data.draw(
            st.fixed_dictionaries(
                {},
                optional={key: st.sampled_from(values) for key, values in HX_HEADERS.items()},
            ),
            label="headers",
        )
        self.send(target, persona, method, fields, headers)
