"""Time the one-page supervision brief: its HTML and its PDF, for 5 and for 50 reflections.

Run from the repository root:

    .venv/bin/python bench/brief_benchmark.py            # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/appear .venv/bin/python bench/brief_benchmark.py

With DATABASE_URL set, Django's test-database machinery creates a throwaway `test_…`
database beside it and drops it afterwards; without it, a SQLite file in a temporary
directory is migrated and deleted. Either way nothing of yours is touched.

It loads the project's framework, makes a worker and a supervisor with a live supervision
link, and two data sets: 5 and 50 shared reflections (each with five context ratings, two
chains, an outcome observation and an action). For each it times, N times over:

- html: building the brief (supervision.records.brief.build_brief) and rendering its PDF template;
- pdf:  the same, then WeasyPrint turning that HTML into the tagged PDF;
- bare: WeasyPrint alone turning that same HTML (rendered once beforehand) into the PDF,
  the floor the PDF is measured against (PDF / bare should stay at most 1.2x).

The four measurements take turns run by run, so a busy moment on the machine slows them all.
It prints the median, minimum and 90th percentile of each, the queries each build ran, and
the ratios PDF/HTML, PDF/bare (of medians and of minimums) and 50/5 reflections. The
machines are shared and noisy: read the medians and the ratios, which are measured in the
same run, rather than single times.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(temporary: Path) -> bool:
    """Point Django at a throwaway database; True when it is PostgreSQL from DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appear_site.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-any-deployment")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
    if os.environ.get("DATABASE_URL"):
        return True
    os.environ["DATABASE_URL"] = f"sqlite:///{temporary / 'brief-benchmark.sqlite3'}"
    return False


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed_together(actions: dict[str, Callable[[], Any]], runs: int) -> dict[str, list[float]]:
    """Time every action `runs` times, taking turns, so load on a shared machine hits all alike.

    Each action runs once first, untimed, to warm caches (templates, fonts).
    """
    for action in actions.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _run in range(runs):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def seed(count: int, suffix: str) -> Any:
    """A worker with `count` reflections shared with their supervisor; returns the audience."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Membership, Organisation, SupervisionLink, User
    from framework.services import framework_data_read, framework_load
    from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection
    from supervision.models import RecordAction, Share, SupervisionRecord
    from supervision.records.access import access_brief

    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    organisation, _created = Organisation.objects.get_or_create(
        slug="bench", defaults={"name": "Benchmark Peer Support"}
    )
    worker = User.objects.create_user(username=f"worker-{suffix}", display_name="Bench Worker")
    supervisor = User.objects.create_user(
        username=f"supervisor-{suffix}", display_name="Bench Supervisor"
    )
    Membership.objects.create(user=worker, organisation=organisation, is_peer_worker=True)
    Membership.objects.create(user=supervisor, organisation=organisation, is_supervisor=True)
    link = SupervisionLink.objects.create(
        organisation=organisation, supervisor=supervisor, worker=worker
    )
    contexts = list(version.contexts.order_by("order"))
    mechanisms = list(version.mechanisms.order_by("order"))
    domains = list(version.outcome_domains.order_by("number"))
    today = timezone.localdate()
    for index in range(count):
        reflection = Reflection.objects.create(
            author=worker,
            organisation=organisation,
            framework_version=version,
            status=Reflection.Status.SUBMITTED,
            submitted_at=timezone.now(),
            session_date=today - timedelta(days=index + 1),
            person_label=f"P{index % 7}",
            learning="Slowing down helped; next time ask what they want from the session first.",
        )
        ContextRating.objects.bulk_create(
            ContextRating(reflection=reflection, context=context, presence=(index + i) % 4)
            for i, context in enumerate(contexts)
        )
        Chain.objects.bulk_create(
            Chain(
                reflection=reflection,
                order=offset + 1,
                context=contexts[(index + offset) % len(contexts)],
                mechanism=mechanisms[(index + offset) % len(mechanisms)],
                outcome_domain=domains[(index * 2 + offset) % len(domains)],
            )
            for offset in range(2)
        )
        OutcomeObservation.objects.create(
            reflection=reflection, domain=domains[index % len(domains)], observation="Noticed."
        )
        Action.objects.create(reflection=reflection, text=f"Follow-up {index}")
        Share.objects.create(reflection=reflection, supervisor=supervisor, link=link)
    record = SupervisionRecord.objects.create(
        organisation=organisation,
        link=link,
        worker=worker,
        supervisor=supervisor,
        held_on=today - timedelta(days=90),
    )
    RecordAction.objects.create(record=record, text="Read about endings", owner=worker)
    return access_brief(user=supervisor, worker_id=worker.pk)


@dataclass
class Subject:
    """One data set: how the brief is built from it, and what building it costs."""

    html: Callable[[], str]
    document: Callable[[], bytes]
    bare: Callable[[], bytes]
    queries: int
    pages: int
    size: int


def subject(audience: Any) -> Subject:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from pypdf import PdfReader

    from framework.selectors import current_version
    from supervision import pdf
    from supervision.records.brief import build_brief

    version = current_version()
    assert version is not None
    end = timezone.localdate()
    start = end - timedelta(days=365)

    def html() -> str:
        brief = build_brief(audience=audience, start=start, end=end, version=version)
        return pdf.render_html(
            template_name="supervision/pdf/brief.html",
            context={"brief": brief, "period_text": f"{start} to {end}", "version": version},
        )

    def document() -> bytes:
        return pdf.html_to_pdf(html())

    with CaptureQueriesContext(connection) as queries:
        build_brief(audience=audience, start=start, end=end, version=version)
    sample = document()
    rendered = html()

    def bare() -> bytes:
        return pdf.html_to_pdf(rendered)

    return Subject(
        html=html,
        document=document,
        bare=bare,
        queries=len(queries),
        pages=len(PdfReader(io.BytesIO(sample)).pages),
        size=len(sample),
    )


def summary(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):7.1f} ms   min {min(times):7.1f} ms   "
        f"p90 {percentile(times, 0.9):7.1f} ms   (n={len(times)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="brief-bench-") as temporary:
        postgres = configure(Path(temporary))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        test_database = None
        if postgres:
            test_database = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False
            )
        else:
            call_command("migrate", verbosity=0)
        try:
            print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
            subjects = {count: subject(seed(count, str(count))) for count in (5, 50)}
            times = timed_together(
                {
                    **{f"html {count}": item.html for count, item in subjects.items()},
                    **{f"pdf {count}": item.document for count, item in subjects.items()},
                    **{f"bare {count}": item.bare for count, item in subjects.items()},
                },
                args.runs,
            )
        finally:
            if test_database is not None:
                connection.creation.destroy_test_db(test_database, verbosity=0)

    median = {name: statistics.median(values) for name, values in times.items()}
    for count, item in subjects.items():
        print(f"\n{count} shared reflections: {item.queries} queries to build the brief")
        print(f"  html  {summary(times[f'html {count}'])}")
        print(f"  pdf   {summary(times[f'pdf {count}'])}")
        print(f"  bare  {summary(times[f'bare {count}'])}")
        print(f"        {item.pages} page(s), {item.size} bytes")
    print()
    for count in subjects:
        print(
            f"PDF / HTML, {count} reflections: {median[f'pdf {count}'] / median[f'html {count}']:.1f}x"
        )
    fastest = {name: min(values) for name, values in times.items()}
    for count in subjects:
        # The fastest runs too: on a machine shared with other work, the minimum is the time
        # least disturbed by it, and the ratio of minimums the steadiest comparison.
        print(
            f"PDF / bare WeasyPrint render, {count} reflections: "
            f"{median[f'pdf {count}'] / median[f'bare {count}']:.2f}x of medians, "
            f"{fastest[f'pdf {count}'] / fastest[f'bare {count}']:.2f}x of minimums"
        )
    for kind in ("html", "pdf"):
        print(f"50 / 5 reflections, {kind}: {median[f'{kind} 50'] / median[f'{kind} 5']:.2f}x")
    small, large = subjects[5].queries, subjects[50].queries
    same = "the same" if small == large else "DIFFERENT"
    print(f"Queries, 5 and 50 reflections: {small} and {large} ({same})")
    return 0 if small == large else 1


if __name__ == "__main__":
    raise SystemExit(main())
