"""Reading query plans and counting page queries, for the scale tests."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from demo.scale import LARGE_TABLES, ScalePage

# A table on the list counts as large from this many rows: a sequential scan of a few pages is
# what the planner rightly does on a tiny table, and says nothing about growth. (The test's
# fill has about 900 supervision-record actions, a sixth of them open, which PostgreSQL reads
# whole; at 500,000 reflections there are about 7,000, a thirtieth open, read through the
# partial index of open actions.)
LARGE_FROM_ROWS = 1000


@dataclass(frozen=True)
class SeqScan:
    page: str
    table: str
    filter: str
    sql: str

    def __str__(self) -> str:
        where = self.sql.find(" WHERE ")
        shown = self.sql[:160] + (" …" + self.sql[where : where + 400] if where > 160 else "")
        return f"{self.page}: Seq Scan on {self.table} (Filter: {self.filter})\n    {shown}"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def large_tables() -> set[str]:
    """The tables of LARGE_TABLES that hold at least LARGE_FROM_ROWS rows by the statistics."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND reltuples >= %s",
            [list(LARGE_TABLES), LARGE_FROM_ROWS],
        )
        return {row[0] for row in cursor.fetchall()}


def page_selects(client: Client, page: ScalePage) -> tuple[int, list[str]]:
    """Request the page; return its status and the SELECTs it ran, parameters filled in."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    selects = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    return response.status_code, selects


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def seq_scans(*, page: str, sql: str, tables: set[str]) -> list[SeqScan]:
    """The sequential scans over `tables` in the plan PostgreSQL chooses for `sql`."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    document = json.loads(raw) if isinstance(raw, str) else raw
    return [
        SeqScan(page=page, table=node["Relation Name"], filter=node.get("Filter", "-"), sql=sql)
        for node in _nodes(document[0]["Plan"])
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in tables
    ]


def page_queries(client: Client, page: ScalePage) -> list[str]:
    """The page's queries, leaving out the session write the idle clock makes once a minute."""
    with CaptureQueriesContext(connection) as captured:
        client.get(page.url)
    return [
        query["sql"]
        for query in captured.captured_queries
        if not (
            "django_session" in query["sql"]
            and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        )
    ]


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def query_shapes(queries: list[str]) -> Counter[str]:
    """The queries with their values taken out, counted: what differs between two runs."""
    return Counter(_LITERALS.sub("?", sql)[:300] for sql in queries)
