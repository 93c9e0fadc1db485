"""No page reads a large table sequentially, and no page's query count grows with the data.

PostgreSQL only (skipped on SQLite): the plans are PostgreSQL's. A moderate data set is written
with the same code as `manage.py seed_scale` (demo/scale.py), other workers' data included,
then ANALYZEd, so the planner chooses as it would on a big database with the same shape. Every
page of issue 13's table is requested as a worker and as their supervisor, and every SELECT it
ran is EXPLAINed with its parameters.
"""

from __future__ import annotations

from dataclasses import replace
from unittest import skipUnless

from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from demo.scale import (
    SCALE_SUPERVISOR,
    ScalePage,
    ScalePlan,
    add_reflection_parts,
    add_reflections,
    add_supervision,
    analyze,
    fill_scale,
    scale_pages,
)
from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load
from tests.scale.support import (
    client_for,
    large_tables,
    page_queries,
    page_selects,
    query_shapes,
    seq_scans,
)

on_postgresql = skipUnless(
    connection.vendor == "postgresql", "query plans are PostgreSQL's (set DATABASE_URL)"
)

# About 30,000 reflections over 64 workers: the worker measured ("scale-w5000", scaled to 300)
# holds one percent of them, as a worker does among hundreds.
EXPLAIN_PLAN = ScalePlan(reflections=30_000, workers=150, organisations=3, seed=13)
MEASURED_WORKER = "scale-w5000"


def _load_framework() -> FrameworkVersion:
    return framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version


@on_postgresql
class PageQueryPlansTests(TestCase):
    version: FrameworkVersion
    worker: User
    supervisor: User
    pages: list[ScalePage]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.version = _load_framework()
        # Loaded as the command loads (indexes built after the rows): the plans are the point
        # here, and PageQueryCountsTests fills with every constraint trigger on.
        fill_scale(plan=EXPLAIN_PLAN, version=cls.version, fast=True)
        cls.worker = User.objects.get(username=MEASURED_WORKER)
        cls.supervisor = User.objects.get(username=SCALE_SUPERVISOR)
        cls.pages = scale_pages(worker=cls.worker, supervisor=cls.supervisor, version=cls.version)

    def test_no_page_query_scans_a_large_table_sequentially(self) -> None:
        """A sequential scan makes a page's cost grow with everyone's history, not the reader's."""
        # Statistics again here: tests before this one (in the same database, rolled back)
        # may have left the planner counting a table at the size they saw.
        analyze()
        tables = large_tables()
        assert "reflections_reflection" in tables
        clients = {False: client_for(self.worker), True: client_for(self.supervisor)}
        failures: list[str] = []
        for page in self.pages:
            status, selects = page_selects(clients[page.as_supervisor], page)
            assert status == 200, f"{page.name} ({page.url}) answered {status}"
            for sql in selects:
                failures.extend(
                    str(scan) for scan in seq_scans(page=page.name, sql=sql, tables=tables)
                )
        assert not failures, "Sequential scans on large tables:\n" + "\n".join(failures)


@on_postgresql
class PageQueryCountsTests(TestCase):
    def test_each_page_makes_as_many_queries_after_the_data_grows_fourfold(self) -> None:
        """Counted after one warm-up request each, so caches filled once do not count.

        A third of the reflections are shared, and the worker is the busiest (80 reflections
        at the smaller size), so every list on the pages, the brief's included, has rows at
        both sizes: an empty list that skips its queries would pass for growth otherwise.
        """
        version = _load_framework()
        report = fill_scale(
            plan=ScalePlan(reflections=2_000, workers=8, organisations=2, share_fraction=0.3),
            version=version,
        )
        worker = User.objects.get(username="scale-w20000")
        supervisor = User.objects.get(username=SCALE_SUPERVISOR)
        pages = scale_pages(worker=worker, supervisor=supervisor, version=version)
        clients = {False: client_for(worker), True: client_for(supervisor)}

        def queries() -> dict[str, list[str]]:
            for page in pages:
                clients[page.as_supervisor].get(page.url)
            return {page.name: page_queries(clients[page.as_supervisor], page) for page in pages}

        before = queries()
        more = [
            replace(fill, submitted=fill.submitted * 3, drafts=1) for fill in report.people.workers
        ]
        after_id = add_reflections(
            workers=more, version=version, today=timezone.localdate(), seed=14
        )
        add_reflection_parts(version=version, after=after_id)
        add_supervision(
            workers=more, after=after_id, today=timezone.localdate(), share_fraction=0.3
        )
        analyze()

        after = queries()
        grown = {
            page: (
                len(before[page]),
                len(after[page]),
                query_shapes(after[page]) - query_shapes(before[page]),
            )
            for page in before
            if len(after[page]) != len(before[page])
        }
        assert not grown, (
            "Query counts changed with the data (before, after, new queries):\n"
            + "\n".join(
                f"{page}: {old} → {new}; {dict(extra)}" for page, (old, new, extra) in grown.items()
            )
        )
