"""/healthz: what a load balancer asks each app server before sending it people.

It answers 200 when this server reaches the database and the shared cache, and 503 naming the
one it cannot reach, with nothing else in the answer: anyone can ask it. bench/scale_out.py
has HAProxy use it to check two real servers.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any
from unittest import mock

from django.db import OperationalError, connection
from django.test import TestCase, override_settings

from accounts.models import AuditEvent
from tests.base import make_personas
from tests.test_settings_and_commands import production_environment, run_python

# What a real failure's message can hold, and what the answer must never repeat.
SECRET_LADEN_ERROR = (
    'connection to server at "db.internal.example" (10.0.0.5), port 5432 failed: '
    'password authentication failed for user "appear", password=hunter2'
)
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: the connection is refused at once, as a stopped Redis is.
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}
FORGETFUL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def answer(response: Any) -> dict[str, str]:
    body: dict[str, str] = json.loads(response.content)
    return body


class HealthCheckTests(TestCase):
    def test_a_server_that_reaches_its_database_and_cache_answers_ok(self) -> None:
        response = self.client.get("/healthz")

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert answer(response) == {"status": "ok", "database": "ok", "cache": "ok"}

    def test_the_answer_is_never_kept_by_a_browser_or_proxy(self) -> None:
        response = self.client.get("/healthz")

        assert "no-store" in response["Cache-Control"]

    def test_a_server_whose_database_is_down_answers_503_naming_the_database(self) -> None:
        failing = mock.patch.object(
            connection, "cursor", side_effect=OperationalError(SECRET_LADEN_ERROR)
        )
        with failing, self.assertLogs("appear_site.health", "WARNING") as logged:
            response = self.client.get("/healthz")

        assert response.status_code == 503
        assert answer(response) == {
            "status": "unavailable",
            "database": "unavailable",
            "cache": "ok",
        }
        assert "hunter2" in "\n".join(logged.output), "the cause goes to the server's log"

    @override_settings(CACHES=UNREACHABLE_REDIS)
    def test_a_server_whose_redis_is_down_answers_503_naming_the_cache(self) -> None:
        with self.assertLogs("appear_site.health", "WARNING"):
            response = self.client.get("/healthz")

        assert response.status_code == 503
        assert answer(response) == {
            "status": "unavailable",
            "database": "ok",
            "cache": "unavailable",
        }

    @override_settings(CACHES=FORGETFUL_CACHE)
    def test_a_cache_that_does_not_keep_what_it_is_given_counts_as_down(self) -> None:
        response = self.client.get("/healthz")

        assert response.status_code == 503
        assert answer(response)["cache"] == "unavailable"

    @override_settings(CACHES=UNREACHABLE_REDIS)
    def test_with_both_down_both_are_named(self) -> None:
        failing = mock.patch.object(
            connection, "cursor", side_effect=OperationalError(SECRET_LADEN_ERROR)
        )
        with failing, self.assertLogs("appear_site.health", "WARNING"):
            response = self.client.get("/healthz")

        assert response.status_code == 503
        assert answer(response) == {
            "status": "unavailable",
            "database": "unavailable",
            "cache": "unavailable",
        }

    def test_the_answer_gives_away_no_host_version_or_error_text(self) -> None:
        failing = mock.patch.object(
            connection, "cursor", side_effect=OperationalError(SECRET_LADEN_ERROR)
        )
        with failing, self.assertLogs("appear_site.health", "WARNING"):
            response = self.client.get("/healthz")

        text = response.content.decode()
        for secret in ("hunter2", "db.internal", "10.0.0.5", "5432", "OperationalError"):
            assert secret not in text
        assert set(answer(response)) == {"status", "database", "cache"}
        assert set(answer(response).values()) <= {"ok", "unavailable"}
        assert "Server" not in response
        assert "X-Powered-By" not in response

    def test_head_answers_like_get_without_a_body(self) -> None:
        response = self.client.head("/healthz")

        assert response.status_code == 200
        assert response.content == b""
        assert "no-store" in response["Cache-Control"]

    def test_a_post_is_refused_with_405(self) -> None:
        response = self.client.post("/healthz")

        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"

    def test_it_starts_no_session_and_writes_nothing_to_the_audit_trail(self) -> None:
        response = self.client.get("/healthz")

        assert response.cookies == {}
        assert not AuditEvent.objects.exists()

    def test_the_security_headers_apply_to_it_as_to_every_response(self) -> None:
        response = self.client.get("/healthz")

        assert "Content-Security-Policy" in response
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_a_signed_in_person_who_must_enrol_in_two_factor_still_gets_the_answer(
        self,
    ) -> None:
        personas = make_personas()
        personas.riverside.requires_two_factor = True
        personas.riverside.save(update_fields=["requires_two_factor"])
        client = personas.client_for(personas.sam)
        assert client.get("/").status_code == 302, "every page sends sam to enrol first"

        response = client.get("/healthz")

        assert response.status_code == 200
        assert answer(response)["status"] == "ok"

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_a_plain_http_probe_is_answered_where_pages_are_sent_to_https(self) -> None:
        assert self.client.get("/").status_code == 301

        response = self.client.get("/healthz")

        assert response.status_code == 200


def test_in_production_settings_a_plain_http_probe_gets_the_answer(tmp_path: Path) -> None:
    """A fresh process with what production sets: DEBUG off, HTTPS insisted on.

    The load balancer probes over plain HTTP with the site's host name; pages redirect to
    HTTPS and /healthz answers. A probe naming the server by its address is refused like any
    request for a host not in ALLOWED_HOSTS, which docs/deployment.md tells operators.
    """
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='example.org')\n"
        "page = client.get('/')\n"
        "health = client.get('/healthz')\n"
        "by_address = client.get('/healthz', HTTP_HOST='10.0.0.7')\n"
        "print(json.dumps({'page': page.status_code, 'location': page.get('Location'),\n"
        "    'health': health.status_code, 'body': json.loads(health.content),\n"
        "    'by_address': by_address.status_code}))\n"
    )
    environment = production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}")

    result = run_python(["-c", script], environment)

    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["page"] == 301
    assert served["location"] == "https://example.org/"
    assert served["health"] == 200
    assert served["body"] == {"status": "ok", "database": "ok", "cache": "ok"}
    assert served["by_address"] == 400


def test_in_production_settings_a_redis_that_never_answers_is_reported_within_seconds(
    tmp_path: Path,
) -> None:
    """A Redis that takes connections but never replies (a paused host) is the case a
    refused connection does not cover: without a socket timeout the probe, and every page,
    would hang until gunicorn killed the worker."""
    script = (
        "import json, time, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "started = time.monotonic()\n"
        "health = Client(HTTP_HOST='example.org').get('/healthz')\n"
        "print(json.dumps({'status': health.status_code, 'body': json.loads(health.content),\n"
        "    'seconds': time.monotonic() - started}))\n"
    )
    with socket.socket() as silent:
        # Listening but never accepting: the kernel completes the connection, nobody answers.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        environment = production_environment(
            DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
            REDIS_URL=f"redis://127.0.0.1:{port}/0",
            LOG_LEVEL="CRITICAL",
        )

        result = run_python(["-c", script], environment)

    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["status"] == 503
    assert served["body"] == {"status": "unavailable", "database": "ok", "cache": "unavailable"}
    assert served["seconds"] < 20
