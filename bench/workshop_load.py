"""Load test for a workshop room: forty phones answering while the projector refreshes.

Run from the repository root (takes a little over a minute):

    .venv/bin/python bench/workshop_load.py
    .venv/bin/python bench/workshop_load.py --participants 40 --seconds 60 --workers 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a throwaway database> .venv/bin/python bench/workshop_load.py

Without DATABASE_URL it creates a throwaway PostgreSQL database on 127.0.0.1:5432 (user
postgres) and drops it afterwards; when no server answers there, it falls back to SQLite in a
temporary folder and says so.

It migrates the database, loads the framework and the vignette library, makes a trainer and an
open workshop of three vignettes, then starts the site under gunicorn on a free loopback port
in production mode (DEBUG off). Then, at once:

- each of N participants (a thread with its own cookies) opens /join/, joins with the code
  and a name, and then, until the time is up, opens the answer page, posts a complete answer
  (five ratings, one to three chains) and waits 4-12 s before changing it, while its phone
  asks /join/answer/follow/ every 3 s as the real page does;
- the projector (the trainer's session) asks for the room's live results every 3 s.

Halfway through, the trainer moves the room on to the next vignette, so answers to the old one
are refused (409, as designed) and every phone follows. It prints, per kind of request, the
count, errors, median and 95th percentile, and then the database queries one room refresh
makes with all the answers in (the same number as with three: tests/workshops/test_trainer.py).
An error is any status other than the expected ones, or a failed connection.

Use PostgreSQL for this test. On SQLite, until writes begin their transactions IMMEDIATE,
concurrent joins can fail with "database is locked" (SQLite refuses to upgrade a reader to a
writer while another writer waits), which this script reports as errors.

Measured 2026-12-06 on the shared 2-core development machine, busy with other work (load
average 7-10), PostgreSQL 15 on loopback, 40 participants, 2 sync gunicorn workers, two runs:

    request         count errors  median ms   p95 ms    (run 1 median / p95)
    join               40      0      609.9    737.3    601.3 / 973.7  (all forty at once)
    answer page       293      0       69.3    326.1    150.6 / 958.8
    answer post       293      0       49.2    336.0    110.1 / 793.4  (one 409: moved on)
    phone follow      766      0        9.1    223.1     31.1 / 699.9
    room refresh       20      0       80.0    568.2     96.2 / 739.5
    Queries per room refresh, with 40 answers to the current vignette: 10
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CONTEXTS = ["accepting", "personalised_practice", "empowering", "available", "reciprocal"]
MECHANISMS = [
    "i_am_acceptable_or_worthwhile",
    "i_can_be_effective",
    "others_safe_trusted_like_me",
    "others_can_be_effective",
    "relationships_safe_worthwhile_belong",
    "mentalisation",
]
DOMAINS = ["self_acceptance", "confidence", "hopefulness", "self_expression", "relationships"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, kind: str, seconds: float, status: int, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[kind][status] += 1
            if not ok:
                self.errors[kind].append(f"{status} {detail}"[:200])


def request(
    opener: urllib.request.OpenerDirector, url: str, data: dict[str, str] | None = None
) -> tuple[int, str, float]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    started = time.perf_counter()
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=30) as response:  # noqa: S310 (loopback)
            text = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        status = error.code
    except OSError as error:
        return 0, str(error), time.perf_counter() - started
    return status, text, time.perf_counter() - started


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


def participant(base: str, code: str, index: int, stop: float, results: Results) -> None:
    rng = random.Random(index)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    status, html, seconds = request(opener, f"{base}/join/")
    status, _text, seconds = request(
        opener,
        f"{base}/join/",
        {"csrfmiddlewaretoken": csrf_from(html), "code": code, "display_name": f"Person {index}"},
    )
    results.add("join", seconds, status, status == 302)
    next_answer = time.monotonic() + rng.uniform(0, 6)
    next_poll = time.monotonic() + rng.uniform(0, 3)
    position = "0"
    while time.monotonic() < stop:
        now = time.monotonic()
        if now >= next_answer:
            status, html, seconds = request(opener, f"{base}/join/answer/")
            results.add("answer page", seconds, status, status == 200)
            item = re.search(r'name="item" value="(\d+)"', html)
            where = re.search(r"position=(\d+)", html)
            position = where.group(1) if where else position
            data = {
                "csrfmiddlewaretoken": csrf_from(html),
                "item": item.group(1) if item else "",
                "reasoning": "",
            }
            data.update({f"rating_{key}": str(rng.randint(0, 3)) for key in CONTEXTS})
            for chain in range(1, rng.randint(1, 3) + 1):
                data[f"chain{chain}_context"] = rng.choice(CONTEXTS)
                data[f"chain{chain}_mechanism"] = rng.choice(MECHANISMS)
                data[f"chain{chain}_domain"] = rng.choice(DOMAINS)
            status, text, seconds = request(opener, f"{base}/join/answer/", data)
            # 409: the trainer moved on between the page and the post, which the page says.
            results.add("answer post", seconds, status, status in (302, 409), text[:80])
            next_answer = time.monotonic() + rng.uniform(4, 12)
        if now >= next_poll:
            status, _text, seconds = request(
                opener, f"{base}/join/answer/follow/?position={position}"
            )
            results.add("phone follow", seconds, status, status == 204)
            next_poll = time.monotonic() + 3
        time.sleep(0.05)


def projector(base: str, pk: int, session: str, stop: float, results: Results) -> None:
    opener = urllib.request.build_opener(NoRedirect)
    opener.addheaders = [("Cookie", f"sessionid={session}"), ("HX-Request", "true")]
    while time.monotonic() < stop:
        status, text, seconds = request(opener, f"{base}/workshops/{pk}/room/live/")
        results.add("room refresh", seconds, status, status == 200 and "data-answer-count" in text)
        time.sleep(max(0.0, 3 - seconds))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    temporary = Path(tempfile.mkdtemp(prefix="workshop-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "appear_site.settings",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-any-deployment",
        "DEBUG": "false",
        "STATIC_MANIFEST": "false",
        "WHITENOISE_USE_FINDERS": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "WORKSHOP_MAX_PARTICIPANTS": str(max(60, options.participants)),
        "LOG_LEVEL": "WARNING",
    }
    throwaway = None
    if "DATABASE_URL" not in env:
        throwaway = create_throwaway_postgres()
        if throwaway is None:
            print("No PostgreSQL at 127.0.0.1:5432: using SQLite, where joins may fail under load.")
            env["DATABASE_URL"] = f"sqlite:///{temporary / 'workshop-load.sqlite3'}"
        else:
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{throwaway}"
    os.environ.update(env)
    try:
        run(options, env, temporary)
    finally:
        if throwaway is not None:
            drop_throwaway_postgres(throwaway)


def create_throwaway_postgres() -> str | None:
    try:
        import psycopg

        name = f"workshop_load_{os.getpid()}"
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name
    except Exception:  # no server, no rights: fall back to SQLite
        return None


def drop_throwaway_postgres(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(options: argparse.Namespace, env: dict[str, str], temporary: Path) -> None:

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Membership, Organisation, User
    from workshops import services
    from workshops.models import Vignette

    call_command("migrate", verbosity=0)
    call_command("load_framework", stdout=open(os.devnull, "w"))  # noqa: SIM115
    services.vignettes_load(entries=services.vignette_data_read(settings.VIGNETTE_DATA_FILE))
    organisation, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    trainer, _ = User.objects.get_or_create(username="bench-trainer")
    Membership.objects.get_or_create(
        user=trainer, organisation=organisation, defaults={"is_trainer": True}
    )
    workshop = services.workshop_create(
        organisation=organisation,
        trainer=trainer,
        title="Load test",
        day=timezone.localdate(),
        mode="individual",
        vignettes=list(
            Vignette.objects.filter(organisation=None, is_current=True).order_by("key")[:3]
        ),
    )
    workshop = services.workshop_open(workshop=workshop)
    client = Client()
    client.force_login(trainer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "appear_site.wsgi",
            "--workers",
            str(options.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/join/", timeout=2).read()  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.2)
        results = Results()
        stop = time.monotonic() + options.seconds
        threads = [
            threading.Thread(
                target=participant, args=(base, workshop.join_code, index, stop, results)
            )
            for index in range(options.participants)
        ]
        threads.append(
            threading.Thread(target=projector, args=(base, workshop.pk, session, stop, results))
        )
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(options.seconds / 2)
        services.workshop_move(workshop=workshop, step=1)
        connection.close()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"{options.participants} participants and a projector, {elapsed:.0f} s, gunicorn with "
        f"{options.workers} sync workers, {connection.vendor}"
    )
    print(f"{'request':<14} {'count':>6} {'errors':>6} {'median ms':>10} {'p95 ms':>8}  statuses")
    total_errors = 0
    for kind in ("join", "answer page", "answer post", "phone follow", "room refresh"):
        times = sorted(results.times[kind])
        if not times:
            continue
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        errors = len(results.errors[kind])
        total_errors += errors
        statuses = ", ".join(
            f"{code}×{count}" for code, count in sorted(results.statuses[kind].items())
        )
        print(
            f"{kind:<14} {len(times):>6} {errors:>6} {statistics.median(times) * 1000:>10.1f} {p95 * 1000:>8.1f}  {statuses}"
        )
    for kind, errors in results.errors.items():
        for error in errors[:3]:
            print(f"  error in {kind}: {error}")

    answers = workshop.items.get(position=1).answers.count()
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/workshops/{workshop.pk}/room/live/", HTTP_HX_REQUEST="true")
    print(
        f"Queries per room refresh, with {answers} answers to the current vignette: {len(queries)}"
    )
    sys.exit(1 if total_errors else 0)


if __name__ == "__main__":
    main()
