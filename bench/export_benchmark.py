"""Time a worker's export of 1,000 reflections, run as a task by a real Celery worker, while a
separate gunicorn keeps answering pages; report the time, the ZIP's size and the site's
response times before and during the export.

Run from the repository root (Redis must answer; database 14 unless BENCH_BROKER_URL says):

    .venv/bin/python bench/export_benchmark.py                 # 1,000 reflections
    .venv/bin/python bench/export_benchmark.py --reflections 200

Everything lives in a temporary directory: a SQLite database (migrated, the framework loaded,
one organisation, one peer worker with N submitted reflections, each with five context
ratings, two chains, two outcome observations and an action, and a signed supervision record
every tenth), the export directory and the logs. It starts gunicorn (2 sync workers) and one
Celery worker (`--pool=solo`), enqueues datarights.tasks.build_export through Redis, and,
until the export is ready, fetches the framework overview page (it reads the database) in a
loop, recording each response time. The same page is timed first with the machine otherwise
idle, for a baseline from the same run. The machines are shared and noisy: read the medians
and the during/before ratio, not single times.

Measured 2026-12-06 on the shared 2-core development machine (six people building and testing
at once), SQLite, `--reflections 1000`:

    Export of 1000 reflections and 100 signed records (a PDF each) by a Celery worker:
        1459.4 s from enqueue to ready (about 1.3 s a PDF, almost all of it WeasyPrint)
    ZIP: 44.6 MB (46798591 bytes), 1101 files written
    Site before: 60 requests, median 169 ms, p95 436 ms
    Site during: 2588 requests, 0 not 200, median 269 ms, p95 782 ms (during/before 1.59)

With 50 reflections (`--reflections 50`): 56 files, 2.2 MB.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(temporary: Path, broker: str) -> dict[str, str]:
    environment = {
        "DJANGO_SETTINGS_MODULE": "appear_site.settings",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-any-deployment",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "WHITENOISE_USE_FINDERS": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{temporary / 'export-benchmark.sqlite3'}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "EXPORT_ROOT": str(temporary / "exports"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(environment)
    return {**os.environ, **environment}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def seed(count: int) -> object:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Membership, Organisation, SupervisionLink, User
    from framework.models import Context, Mechanism, OutcomeDomain
    from framework.services import framework_data_read, framework_load
    from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection
    from supervision.models import SupervisionRecord

    call_command("migrate", verbosity=0)
    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    organisation = Organisation.objects.create(name="Bench Peer Support", slug="bench")
    worker = User.objects.create_user(username="bench-worker", email="bench@example.org")
    supervisor = User.objects.create_user(username="bench-supervisor", email="sup@example.org")
    Membership.objects.create(user=worker, organisation=organisation, is_peer_worker=True)
    Membership.objects.create(user=supervisor, organisation=organisation, is_supervisor=True)
    link = SupervisionLink.objects.create(
        organisation=organisation, supervisor=supervisor, worker=worker
    )
    contexts = list(Context.objects.filter(version=version).order_by("order"))
    mechanisms = list(Mechanism.objects.filter(version=version).order_by("order"))
    domains = list(OutcomeDomain.objects.filter(version=version).order_by("number"))
    now = timezone.now()
    today = timezone.localdate()
    reflections = Reflection.objects.bulk_create(
        Reflection(
            author=worker,
            organisation=organisation,
            framework_version=version,
            status=Reflection.Status.SUBMITTED,
            submitted_at=now - timedelta(days=index),
            session_date=today - timedelta(days=index),
            duration_minutes=45,
            setting=Reflection.Setting.COMMUNITY,
            person_label=f"P{index % 9}",
            what_happened="We met at the café and talked about the week. " * 6,
            how_i_felt="Calm, a little tired towards the end. " * 4,
            went_well="Listening without hurry, sharing a little of my own story. " * 3,
            was_hard="Ending on time when there was more to say. " * 3,
            learning="Pace the session; name the ending early. " * 3,
        )
        for index in range(count)
    )
    ContextRating.objects.bulk_create(
        ContextRating(reflection=r, context=c, presence=(r.pk + c.order) % 4, evidence="Said so")
        for r in reflections
        for c in contexts
    )
    Chain.objects.bulk_create(
        Chain(
            reflection=r,
            order=order,
            context=contexts[(r.pk + order) % len(contexts)],
            mechanism=mechanisms[(r.pk + order) % len(mechanisms)],
            outcome_domain=domains[(r.pk + order) % len(domains)],
            description="It seemed to help them feel heard.",
        )
        for r in reflections
        for order in (1, 2)
    )
    OutcomeObservation.objects.bulk_create(
        OutcomeObservation(
            reflection=r, domain=domains[(r.pk + k) % len(domains)], observation="Yes"
        )
        for r in reflections
        for k in (0, 3)
    )
    Action.objects.bulk_create(
        Action(reflection=r, order=1, text="Check in next week") for r in reflections
    )
    for index in range(0, count, 10):
        SupervisionRecord.objects.create(
            organisation=organisation,
            link=link,
            worker=worker,
            supervisor=supervisor,
            held_on=today - timedelta(days=index),
            attendees="Bench worker, bench supervisor",
            explored="Pacing and endings.",
            worker_signed_at=now,
            supervisor_signed_at=now,
        )
    return worker


def fetch(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local only)
            response.read()
            status = response.status
    except Exception:
        status = 0
    return (time.perf_counter() - start) * 1000, status


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fetch(url)[1] == 200:
            return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reflections", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=60, help="requests before the export")
    arguments = parser.parse_args()
    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
    temporary = Path(tempfile.mkdtemp(prefix="export-bench-"))
    environment = configure(temporary, broker)

    import django

    django.setup()
    from datarights.models import Export
    from datarights.tasks import build_export

    started = time.perf_counter()
    worker_user = seed(arguments.reflections)
    print(f"Seeded {arguments.reflections} reflections in {time.perf_counter() - started:.1f} s")

    port = free_port()
    queue = f"bench-{uuid.uuid4().hex}"
    logs = (temporary / "gunicorn.log").open("w"), (temporary / "celery.log").open("w")
    site = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "appear_site.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=environment,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    celery = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "appear_site",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=environment,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    page = f"http://127.0.0.1:{port}/framework/"
    try:
        wait_for(page)
        before = [fetch(page) for _ in range(arguments.baseline)]
        item = Export.objects.create(user=worker_user)
        enqueued = time.perf_counter()
        build_export.apply_async(args=[item.pk], queue=queue)
        during: list[tuple[float, int]] = []
        while True:
            during.append(fetch(page))
            item.refresh_from_db()
            if item.status in {Export.Status.READY, Export.Status.FAILED}:
                break
            time.sleep(0.2)
        took = time.perf_counter() - enqueued
    finally:
        for process in (site, celery):
            process.terminate()
        for process in (site, celery):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()

    if item.status != Export.Status.READY:
        raise SystemExit(f"The export failed: see {temporary / 'celery.log'}")
    zip_path = temporary / "exports" / item.file_name
    size = zip_path.stat().st_size
    before_ms = [ms for ms, _status in before]
    during_ms = [ms for ms, _status in during]
    failures = sum(1 for _ms, status in during if status != 200)
    print(
        f"Export of {arguments.reflections} reflections and {item.total - arguments.reflections - 1} "
        f"signed records (a PDF each) by a Celery worker: {took:.1f} s from enqueue to ready"
    )
    print(f"ZIP: {size / 1024 / 1024:.1f} MB ({size} bytes), {item.total} files written")
    print(
        f"Site before: {len(before_ms)} requests, median {statistics.median(before_ms):.0f} ms, "
        f"p95 {percentile(before_ms, 0.95):.0f} ms"
    )
    print(
        f"Site during: {len(during_ms)} requests, {failures} not 200, median "
        f"{statistics.median(during_ms):.0f} ms, p95 {percentile(during_ms, 0.95):.0f} ms "
        f"(median during/before: {statistics.median(during_ms) / statistics.median(before_ms):.2f})"
    )
    print(f"Logs and files: {temporary}")


if __name__ == "__main__":
    main()
