"""Drive the site under gunicorn from several client processes at once; count 5xx and lost updates.

    .venv/bin/python bench/concurrency.py --database sqlite --seconds 30 --clients 8
    .venv/bin/python bench/concurrency.py --database postgres://postgres@127.0.0.1:5432/appear_conc

It builds a fresh database (a temporary SQLite file, or the PostgreSQL database named, which
is dropped and created), adds an organisation with one supervisor and `clients / 2` peer
workers, then serves the site with gunicorn in production mode (several sync workers, so
requests really overlap) and starts `clients` processes. Two processes sign in as each worker,
as two tabs would, and for `seconds` seconds pick at random among: autosaving the same draft,
amending and discarding the same submitted reflection, sharing and withdrawing it, and signing
the pair's supervision record; the supervisor process reads the dashboard and signs too.

Afterwards it checks, from the database:
- no response was a 5xx and gunicorn logged no traceback;
- no lost update: each draft's revision grew by exactly the number of saves the clients were
  told succeeded, and its text is the text of the save that got the highest revision;
- a share is open only while its supervision link lives; every record ends signed by both
  (one signature each, however many tried) and unchanged.
It prints a JSON summary and exits non-zero if any check failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "concurrency-test-password"  # noqa: S105  (a throwaway database's people)

ENVIRONMENT = {
    "DEBUG": "false",
    "SECRET_KEY": "concurrency-test-only-secret-key-not-for-any-deployment",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "WHITENOISE_USE_FINDERS": "true",
    "STATIC_MANIFEST": "false",
    "FAST_PASSWORD_HASHING": "true",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "LOG_LEVEL": "WARNING",
    # Every sign-in of the run comes from 127.0.0.1; none of them fails.
    "LOGIN_FAILED_RATE_LIMIT": "1000/m/ip,1000/m/key",
}


# --------------------------------------------------------------------------------------------
# A small HTTP client with cookies and CSRF, one per process
# --------------------------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # (reflection id, revision the server gave, text saved)
    saves: list[tuple[int, int, str]] = field(default_factory=list)


class Browser:
    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.tally = tally
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, data: dict[str, Any] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        body = None
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    cookie = SimpleCookie(value)
                    for name, morsel in cookie.items():
                        self.cookies[name] = morsel.value
            status = response.status
            response_headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        self.tally.requests += 1
        key = str(status)
        self.tally.by_status[key] = self.tally.by_status.get(key, 0) + 1
        if status >= 500:
            self.tally.errors.append(f"{status} {method} {path}")
        return status, text, response_headers

    def sign_in(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _text, _headers = self.request(
            "POST", "/accounts/login/", {"login": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status}).")


# --------------------------------------------------------------------------------------------
# What each client does
# --------------------------------------------------------------------------------------------

REVISION = re.compile(r'name="revision" value="(\d+)"')
WITHDRAW = re.compile(r'action="(/supervision/shares/\d+/withdraw/)"')


def start_together(browser: Browser, username: str, gate: Any) -> float:
    """Sign in, then wait for every client: the timed window starts when all are ready."""
    browser.sign_in(username)
    ready, start, deadline = gate
    ready.put(True)
    start.wait()
    return float(deadline.value)


def worker_client(index: int, port: int, gate: Any, plan: dict[str, Any], out: Any) -> None:
    random.seed(index)
    tally = Tally()
    browser = Browser(port, tally)
    deadline = start_together(browser, plan["username"], gate)
    draft, submitted, record = plan["draft"], plan["submitted"], plan["record"]
    revision = 0

    def refresh_revision() -> int:
        _status, html, _headers = browser.request("GET", f"/reflections/{draft}/steps/story/")
        match = REVISION.search(html)
        return int(match.group(1)) if match else -1

    revision = refresh_revision()
    # Both tabs sign at once at the start: one signature counts, the other is told so.
    browser.request("POST", f"/supervision/records/{record}/sign/", {})
    counter = 0
    while time.time() < deadline:
        roll = random.random()
        if roll < 0.55:
            counter += 1
            text = f"client {index} save {counter}"
            status, body, _headers = browser.request(
                "POST",
                f"/reflections/{draft}/autosave/story/",
                {"what_happened": text, "revision": revision},
            )
            if status == 200:
                answer = json.loads(body)
                if answer.get("saved"):
                    revision = int(answer["revision"])
                    tally.saves.append((draft, revision, text))
            elif status == 409:
                revision = refresh_revision()
        elif roll < 0.7:
            browser.request("POST", f"/reflections/{submitted}/amend/", {})
            browser.request("POST", f"/reflections/{submitted}/amend/discard/", {})
        elif roll < 0.9:
            browser.request(
                "POST",
                f"/supervision/reflections/{submitted}/share/",
                {"supervisors": plan["supervisor_id"], "next": f"/reflections/{submitted}/"},
            )
            _status, html, _headers = browser.request("GET", f"/reflections/{submitted}/")
            match = WITHDRAW.search(html)
            if match:
                browser.request("POST", match.group(1), {"next": f"/reflections/{submitted}/"})
        else:
            browser.request("POST", f"/supervision/records/{record}/sign/", {})
    out.put(tally.__dict__)


def supervisor_client(index: int, port: int, gate: Any, plan: dict[str, Any], out: Any) -> None:
    random.seed(index)
    tally = Tally()
    browser = Browser(port, tally)
    deadline = start_together(browser, plan["username"], gate)
    for record in plan["records"]:
        browser.request("POST", f"/supervision/records/{record}/sign/", {})
    while time.time() < deadline:
        roll = random.random()
        if roll < 0.5:
            browser.request("GET", "/supervision/")
        elif roll < 0.8:
            browser.request("GET", f"/supervision/workers/{random.choice(plan['workers'])}/")
        else:
            browser.request(
                "POST", f"/supervision/records/{random.choice(plan['records'])}/sign/", {}
            )
    out.put(tally.__dict__)


# --------------------------------------------------------------------------------------------
# Set-up and checks (Django in this process, against the same database)
# --------------------------------------------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appear_site.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(workers: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Membership, Organisation, SupervisionLink, User
    from framework.models import FrameworkVersion
    from reflections.models import Reflection
    from supervision.record_services import RecordContent, record_create

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_framework", verbosity=0)
    version = FrameworkVersion.objects.order_by("-id").first()
    organisation = Organisation.objects.create(name="Concurrency", slug="concurrency")

    def person(username: str, **roles: bool) -> User:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=PASSWORD,
            display_name=username,
        )
        Membership.objects.create(user=user, organisation=organisation, **roles)
        return user

    supervisor = person("supervisor", is_supervisor=True)
    plans = []
    for number in range(workers):
        worker = person(f"worker-{number}", is_peer_worker=True)
        link = SupervisionLink.objects.create(
            organisation=organisation, supervisor=supervisor, worker=worker
        )
        common = {
            "author": worker,
            "organisation": organisation,
            "framework_version": version,
            "session_date": timezone.localdate(),
        }
        draft = Reflection.objects.create(status=Reflection.Status.DRAFT, **common)
        submitted = Reflection.objects.create(
            status=Reflection.Status.SUBMITTED, submitted_at=timezone.now(), **common
        )
        record = record_create(
            link=link,
            by=supervisor,
            content=RecordContent(
                held_on=timezone.localdate(),
                attendees="both",
                explored="Endings.",
                reflections=[],
                checks=[],
                actions=[],
            ),
        )
        plans.append(
            {
                "username": worker.username,
                "worker_id": worker.pk,
                "supervisor_id": supervisor.pk,
                "draft": draft.pk,
                "draft_revision": draft.revision,
                "submitted": submitted.pk,
                "record": record.pk,
            }
        )
    return {
        "workers": plans,
        "supervisor": {
            "username": supervisor.username,
            "workers": [plan["worker_id"] for plan in plans],
            "records": [plan["record"] for plan in plans],
        },
    }


def check(plan: dict[str, Any], saves: list[tuple[int, int, str]]) -> list[str]:
    from reflections.models import Reflection
    from supervision.models import Share, SupervisionRecord

    problems = []
    for worker in plan["workers"]:
        draft = Reflection.objects.get(pk=worker["draft"])
        mine = [save for save in saves if save[0] == draft.pk]
        grew = draft.revision - worker["draft_revision"]
        if grew != len(mine):
            problems.append(
                f"draft {draft.pk}: revision grew by {grew} but {len(mine)} saves were confirmed"
            )
        if len({save[1] for save in mine}) != len(mine):
            problems.append(f"draft {draft.pk}: two confirmed saves were given the same revision")
        if mine:
            last = max(mine, key=lambda save: save[1])
            if draft.what_happened != last[2]:
                problems.append(
                    f"draft {draft.pk}: holds {draft.what_happened!r}, the last confirmed save "
                    f"was {last[2]!r}"
                )
        submitted = Reflection.objects.get(pk=worker["submitted"])
        if submitted.status != Reflection.Status.SUBMITTED:
            problems.append(f"reflection {submitted.pk} ended as {submitted.status}")
    open_shares = Share.objects.filter(withdrawn_at__isnull=True)
    for share in open_shares.select_related("link"):
        if share.link is not None and not share.link.is_active:
            problems.append(f"share {share.pk} is open on an ended link")
    for record in SupervisionRecord.objects.all():
        if (record.attendees, record.explored) != ("both", "Endings."):
            problems.append(f"record {record.pk} changed")
        if record.worker_signed_at is None or record.supervisor_signed_at is None:
            problems.append(f"record {record.pk} is not signed by both after the run")
    return problems


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres(database: str, *statements: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(database)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement.format(name=name))  # type: ignore[arg-type]


def drop_database(database: str) -> None:
    _postgres(database, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_database(database: str, workdir: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{workdir / 'concurrency.sqlite3'}"
    _postgres(database, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"')
    return database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", help="'sqlite' or a postgres:// URL")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8, help="worker tabs (two per worker)")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="appear-concurrency-"))
    url = prepare_database(args.database, workdir)
    env = {**ENVIRONMENT, "DATABASE_URL": url, "CONN_MAX_AGE": "60"}
    django_setup(env)
    plan = build(max(1, args.clients // 2))

    port = free_port()
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "appear_site.wsgi",
            "--workers",
            str(args.gunicorn_workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        context = multiprocessing.get_context("fork")
        out = context.Queue()
        gate = (context.Queue(), context.Event(), context.Value("d", 0.0))
        processes = [
            context.Process(
                target=worker_client,
                args=(index, port, gate, plan["workers"][index // 2], out),
            )
            for index in range(len(plan["workers"]) * 2)
        ]
        processes.append(
            context.Process(
                target=supervisor_client, args=(99, port, gate, plan["supervisor"], out)
            )
        )
        for process in processes:
            process.start()
        for _ in processes:
            gate[0].get(timeout=300)
        # Requests counted include the sign-ins; the window itself starts here.
        gate[2].value = time.time() + args.seconds
        gate[1].set()
        tallies = [out.get(timeout=args.seconds + 180) for _ in processes]
        for process in processes:
            process.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    from django.db import connection

    connection.close()
    saves = [tuple(save) for tally in tallies for save in tally["saves"]]
    problems = check(plan, saves)  # type: ignore[arg-type]
    connection.close()
    if args.database != "sqlite":
        drop_database(args.database)
    server_log = (workdir / "gunicorn.log").read_text()
    if "Traceback" in server_log:
        problems.append("gunicorn logged a traceback:\n" + server_log[-3000:])
    errors = [error for tally in tallies for error in tally["errors"]]
    by_status: dict[str, int] = {}
    for tally in tallies:
        for status, count in tally["by_status"].items():
            by_status[status] = by_status.get(status, 0) + count
    summary = {
        "database": "sqlite" if args.database == "sqlite" else "postgresql",
        "seconds": args.seconds,
        "clients": len(processes),
        "requests": sum(tally["requests"] for tally in tallies),
        "responses_5xx": len(errors),
        "by_status": dict(sorted(by_status.items())),
        "confirmed_saves": len(saves),
        "problems": problems + errors[:20],
    }
    print(json.dumps(summary, indent=2))
    return 0 if not errors and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
