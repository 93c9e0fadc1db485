"""Time My practice and My reflections for a worker with 1,000 reflections, and one with 10.

    .venv/bin/python bench/practice_benchmark.py [--runs 15] [--reflections 1000]

Everything happens in a throwaway database: a SQLite file in a temporary directory, or, when
DATABASE_URL is set, a new PostgreSQL database created beside the one it names and dropped at
the end. The script migrates it, loads the APPEAR framework, creates two workers with
synthetic submitted reflections spread over a year (demo.reflections.generate_reflections),
and renders each page through Django's test client: a few warm-up runs, then `--runs` timed
runs. The machine is noisy, so it reports the median, minimum and 90th percentile, the query
count, and the ratio of the large worker's median to the small one's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = 10
WARM_UP = 3

PAGES = [
    ("My practice (last 6 months)", "/reflections/practice/"),
    ("My practice (all time)", "/reflections/practice/?period=all"),
    ("My reflections (page 1)", "/reflections/"),
    ("My reflections (search + filter)", "/reflections/?q=listened&context=accepting&page=2"),
]


@dataclass(frozen=True)
class Timing:
    page: str
    reflections: int
    times_ms: list[float]
    queries: int

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def minimum(self) -> float:
        return min(self.times_ms)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.times_ms, n=10, method="inclusive")[-1]


def configure_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appear_site.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-never-deployed")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ["WHITENOISE_USE_FINDERS"] = "true"


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Point DATABASE_URL at a fresh database for the run; remove it afterwards."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        with tempfile.TemporaryDirectory(prefix="appear-bench-") as directory:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
            yield "SQLite (temporary file)"
        return

    import dj_database_url
    import psycopg
    from psycopg import sql

    settings = dj_database_url.parse(url)
    name = f"appear_bench_{os.getpid()}"
    admin = {
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = url.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield f"PostgreSQL (temporary database {name})"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**admin) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def time_page(client: object, url: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _run in range(WARM_UP):
        response = client.get(url)  # type: ignore[attr-defined]
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)  # type: ignore[attr-defined]
    # Counted now: the next request clears the connection's query log.
    queries = len(captured)
    times: list[float] = []
    for _run in range(runs):
        start = time.perf_counter()
        client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
    return times, queries


def run(*, runs: int, large: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts.models import Membership, Organisation, User
    from demo.reflections import generate_reflections
    from framework.services import framework_data_read, framework_load

    setup_test_environment()
    call_command("migrate", verbosity=0)
    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    organisation = Organisation.objects.create(name="Benchmark Peer Support", slug="bench")
    today: date = timezone.localdate()

    timings: list[Timing] = []
    for count in (SMALL, large):
        worker = User.objects.create_user(username=f"worker-{count}", password=None)
        Membership.objects.create(user=worker, organisation=organisation, is_peer_worker=True)
        start = time.perf_counter()
        generate_reflections(
            author=worker,
            organisation=organisation,
            version=version,
            count=count,
            today=today,
            seed=count,
        )
        print(f"Created {count} reflections in {time.perf_counter() - start:.2f} s")
        client = Client()
        client.force_login(worker, backend="django.contrib.auth.backends.ModelBackend")
        for label, url in PAGES:
            times, queries = time_page(client, url, runs)
            timings.append(Timing(label, count, times, queries))

    print()
    print(f"{'page':36} {'refl.':>6} {'median':>8} {'min':>8} {'p90':>8} {'queries':>8}")
    for timing in timings:
        print(
            f"{timing.page:36} {timing.reflections:>6} {timing.median:>6.1f}ms "
            f"{timing.minimum:>6.1f}ms {timing.p90:>6.1f}ms {timing.queries:>8}"
        )
    print()
    by_key = {(timing.page, timing.reflections): timing for timing in timings}
    for label, _url in PAGES:
        small, big = by_key[(label, SMALL)], by_key[(label, large)]
        print(
            f"{label}: median {large}/{SMALL} = {big.median / small.median:.2f}x, "
            f"queries {small.queries} and {big.queries}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per page (default 15)")
    parser.add_argument(
        "--reflections", type=int, default=1000, help="reflections of the large worker"
    )
    arguments = parser.parse_args()
    if arguments.runs < 2 or arguments.reflections < SMALL:
        parser.error(f"need at least 2 runs and {SMALL} reflections")
    configure_environment()
    os.chdir(ROOT)
    with throwaway_database() as description:
        print(
            f"Database: {description}; {arguments.runs} timed runs per page after {WARM_UP} warm-up"
        )
        run(runs=arguments.runs, large=arguments.reflections)


if __name__ == "__main__":
    main()
