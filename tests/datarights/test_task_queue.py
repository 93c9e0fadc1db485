"""The task queue: e-mail goes through a task, survives a mail server that refuses for a while,
and a task that gives up is recorded for the organisation admin.

The last test starts a real Celery worker process against Redis and sends a task through it;
it runs wherever Redis answers (CI included) and fails under CI=true if Redis does not.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from celery import Celery
from django.core import mail
from django.core.mail import send_mail
from django.test import TestCase, override_settings

from accounts.models import Organisation
from datarights.mail import message_from_data, message_to_data
from datarights.models import FailedTask
from tests.base import make_member, make_user
from tests.datarights.smtp_server import MailServerState, smtp_server

BASE_DIR = Path(__file__).resolve().parent.parent.parent
QUEUED = "datarights.mail.QueuedEmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")


@contextmanager
def delivering_to_smtp(*, refuse: int) -> Iterator[MailServerState]:
    """The queued backend in front of a local SMTP server that refuses `refuse` connections."""
    with (
        smtp_server(refuse=refuse) as (port, server),
        override_settings(
            EMAIL_BACKEND=QUEUED,
            EMAIL_DELIVERY_BACKEND=SMTP,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ),
    ):
        yield server


class QueuedEmailTests(TestCase):
    def test_a_message_survives_the_trip_through_the_queue_as_json(self) -> None:
        original = mail.EmailMultiAlternatives(
            "Subject ü", "Body", "from@example.org", ["to@example.org"], cc=["cc@example.org"]
        )
        original.attach_alternative("<p>Body</p>", "text/html")
        copy = message_from_data(message_to_data(original))
        assert (copy.subject, copy.body, copy.to, copy.cc) == (
            "Subject ü",
            "Body",
            ["to@example.org"],
            ["cc@example.org"],
        )
        assert copy.alternatives[0][0] == "<p>Body</p>"

    @override_settings(EMAIL_BACKEND=QUEUED, EMAIL_DELIVERY_BACKEND=LOCMEM)
    def test_mail_is_sent_by_a_task_after_the_transaction_commits(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            send_mail("Hello", "A body", "from@example.org", ["to@example.org"])
            assert mail.outbox == []
        assert len(callbacks) == 1
        callbacks[0]()
        assert [message.subject for message in mail.outbox] == ["Hello"]

    def test_mail_reaches_a_server_that_refuses_three_times_then_accepts(self) -> None:
        with delivering_to_smtp(refuse=3) as server, self.captureOnCommitCallbacks(execute=True):
            sent = send_mail("Hello", "Nothing lost", "from@example.org", ["to@example.org"])
        assert sent == 1
        assert server.refused == 3
        assert len(server.messages) == 1
        assert b"Nothing lost" in server.messages[0]
        assert server.recipients == [["to@example.org"]]
        assert not FailedTask.objects.exists()

    def test_a_mail_that_never_goes_through_is_recorded_for_the_recipients_organisation(
        self,
    ) -> None:
        riverside = Organisation.objects.create(name="Riverside", slug="riverside")
        alice = make_user("alice")
        make_member(alice, riverside, "peer_worker")
        with delivering_to_smtp(refuse=1000) as server, self.captureOnCommitCallbacks(execute=True):
            send_mail("A comment", "Secret body text", "from@example.org", [alice.email])
        failure = FailedTask.objects.get()
        assert failure.organisation == riverside
        assert failure.task_name == "datarights.tasks.deliver_email"
        assert failure.summary == "E-mail “A comment” to alice@example.org"
        assert failure.error.startswith("SMTPConnectError: (421")
        assert failure.attempts == server.refused == 11
        assert "Secret body text" not in f"{failure.summary} {failure.error}"


# A real worker process


def _redis_answers(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return True
    except OSError:
        return False


@contextmanager
def celery_worker(*, tmp_path: Path, smtp_port: int) -> Iterator[str]:
    """Start `celery worker` in its own process, on a queue of its own; stop it after."""
    if not _redis_answers(BROKER_URL):
        message = f"Redis does not answer at {BROKER_URL} (set CELERY_TEST_BROKER_URL)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    queue = f"test-{uuid.uuid4().hex}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "appear_site.settings",
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_RESULT_BACKEND": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        # Short waits between retries, so the test takes seconds rather than minutes.
        "TASK_RETRY_BACKOFF_MAX": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "appear_site",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_a_real_worker_delivers_mail_through_redis_after_the_server_refused_twice(
    tmp_path: Path,
) -> None:
    with (
        smtp_server(refuse=2) as (port, server),
        celery_worker(tmp_path=tmp_path, smtp_port=port) as queue,
    ):
        client = Celery("test-client", broker=BROKER_URL, backend=BROKER_URL)
        message = mail.EmailMessage(
            "Through a worker",
            "Delivered by a separate process",
            "a@example.org",
            ["b@example.org"],
        )
        result = client.send_task(
            "datarights.tasks.deliver_email", args=[message_to_data(message)], queue=queue
        )
        # The worker's answer proves it ran the task: this process never sends mail itself.
        assert result.get(timeout=90) == 1
        client.close()
    assert server.refused == 2
    assert len(server.messages) == 1
    assert b"Delivered by a separate process" in server.messages[0]
