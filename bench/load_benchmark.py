"""Load each page of issue 13's table through gunicorn in production settings, with wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/appear_scale \\
        .venv/bin/python bench/load_benchmark.py [--duration 5] [--connections 20] \\
        [--pages "search,brief"] [--worker scale-w5000] [--json out.json]

Needs a database filled by `manage.py seed_scale`, Redis (--redis-url, default database 3)
and Debian's `wrk`. It starts gunicorn with 2 sync workers, as the issue measured, with the
production settings (DEBUG off, a fresh SECRET_KEY, Redis as the cache) plus one bare signed-in
view that only bench/settings.py mounts. Plain HTTP on 127.0.0.1: SECURE_SSL_REDIRECT and the
secure-cookie flags are off, and static files are served by the finders (no collectstatic).

Sessions for the worker and their supervisor are made in this process, through the session
store the server uses. Each page is first requested once (it must answer 200), then loaded
with `wrk -t2 -c20 --latency` (PDFs at -c2) for --duration seconds. Queries are counted once
per page in this process with the test client. The table gives p50 and p95 in ms, requests
per second, queries, and p50 divided by the bare view's p50 from the same run; then the brief
PDF's p50 against a bare WeasyPrint render of the same HTML in this process.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"p50": %d, "p95": %d, "p99": %d, "requests": %d, "duration_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration, summary.errors.status, errors))
end
"""


@dataclass
class Result:
    page: str
    url: str
    p50_ms: float
    p95_ms: float
    requests_per_second: float
    queries: int | None
    status: int
    errors: int
    ratio_to_bare: float | None = None


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "STATIC_MANIFEST", "WHITENOISE_USE_FINDERS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="false",
        WHITENOISE_USE_FINDERS="true",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore:No directory at:UserWarning",
        # The sign-in limit would only slow the set-up; the pages are what is measured.
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    return env


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "appear_site.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/framework/", timeout=5)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within a minute.")


def fetch_status(url: str, cookie: str) -> tuple[int, float]:
    """The page's status and how long one request took alone, in seconds."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=120) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        status = int(error.code)
    return status, time.perf_counter() - started


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def run_wrk(
    url: str, cookie: str, *, connections: int, duration: int, script: Path
) -> dict[str, Any]:
    threads = min(2, connections)
    completed = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "60s",
            "-s",
            str(script),
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return dict(json.loads(line.removeprefix("WRK_JSON ")))
    raise RuntimeError(f"wrk printed no summary:\n{completed.stdout}\n{completed.stderr}")


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def session_cookie(user: Any) -> tuple[str, Any]:
    """A new signed-in session for `user` in the server's session store, and its test client.

    Made afresh for each page, so a long run never meets the idle timeout.
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}", client


def pages_for(worker_name: str) -> tuple[list[Any], dict[str, Any]]:
    """The pages to load, and the worker and supervisor they are loaded as."""

    from accounts.models import SupervisionLink, User
    from demo.scale import ScalePage, scale_pages
    from framework.selectors import current_version

    worker = User.objects.get(username=worker_name)
    link = SupervisionLink.objects.active().filter(worker=worker).select_related("supervisor")
    supervisor = link.get().supervisor
    version = current_version()
    if version is None:
        raise SystemExit("No framework version is loaded: run seed_scale first.")
    pages = [
        ScalePage("bare view, signed in", "/__bench__/bare/"),
        *scale_pages(worker=worker, supervisor=supervisor, version=version),
    ]
    room = workshop_room_page()
    if room is not None:
        pages.append(room)
    return pages, {"worker": worker, "supervisor": supervisor}


def workshop_room_page() -> Any:
    """The room of an open workshop, as its trainer sees it, when the data set has one."""
    try:
        from demo.scale import ScalePage
        from workshops.models import Workshop
    except ImportError:
        return None
    workshop = Workshop.objects.order_by("-pk").first()
    if workshop is None:
        return None
    return ScalePage("workshop room", f"/workshops/{workshop.pk}/room/")


def count_queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm, as the server is by the time wrk measures
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def bare_pdf_render(context: dict[str, Any], runs: int) -> float | None:
    """Median ms of WeasyPrint alone on the brief PDF's own HTML, or None if it cannot be had."""
    try:
        from django.test import RequestFactory

        from framework.selectors import current_version
        from supervision import pdf
        from supervision.records.access import access_brief
        from supervision.records.brief import build_brief, default_period, since_last_supervision
        from supervision.records.views import _brief_context
        from supervision.records.views import _period_form as period_form
    except ImportError as error:
        print(f"(no bare render: {error})")
        return None
    try:
        audience = access_brief(user=context["supervisor"], worker_id=context["worker"].pk)
        version = current_version()
        assert version is not None
        since = since_last_supervision(audience=audience)
        request: Any = RequestFactory().get("/")
        form = period_form(request, default_period(audience=audience, since=since))
        form.is_valid()
        start, end = form.period
        result = build_brief(audience=audience, start=start, end=end, version=version)
        html = pdf.render_html(
            template_name="supervision/pdf/brief.html", context=_brief_context(result, since)
        )
    except Exception as error:  # a bench helper reports, rather than ending the run
        print(f"(no bare render: {error!r})")
        return None
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pdf.html_to_pdf(html)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def print_table(results: list[Result]) -> None:
    print()
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'queries':>7} {'× bare':>7}")
    for r in results:
        ratio = f"{r.ratio_to_bare:.1f}" if r.ratio_to_bare is not None else "-"
        queries = str(r.queries) if r.queries is not None else "-"
        flag = (
            "" if r.status == 200 and not r.errors else f"  (status {r.status}, {r.errors} errors)"
        )
        print(
            f"{r.page:34} {r.p50_ms:8.1f} {r.p95_ms:8.1f} {r.requests_per_second:7.1f} "
            f"{queries:>7} {ratio:>7}{flag}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5, help="Seconds of wrk per page.")
    parser.add_argument(
        "--max-duration", type=int, default=60, help="Longest wrk run for a slow page."
    )
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--pdf-connections", type=int, default=2)
    parser.add_argument("--worker", default="scale-w5000")
    parser.add_argument(
        "--pages", default="", help="Comma-separated words; only pages whose name has one."
    )
    parser.add_argument("--pdf-runs", type=int, default=5, help="Bare WeasyPrint renders.")
    parser.add_argument("--json", type=Path, help="Also write the results here as JSON.")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("Give a PostgreSQL DATABASE_URL filled by manage.py seed_scale.")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk).")

    env = environment(args)
    django_setup(env)
    pages, people = pages_for(args.worker)
    wanted = [word.strip().lower() for word in args.pages.split(",") if word.strip()]
    if wanted:
        pages = [
            page
            for page in pages
            if page.url == "/__bench__/bare/" or any(w in page.name.lower() for w in wanted)
        ]
    base = f"http://127.0.0.1:{args.port}"
    server = start_gunicorn(env, args.port, args.gunicorn_workers)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as temporary:
        script = Path(temporary) / "summary.lua"
        script.write_text(WRK_SCRIPT)
        try:
            for page in pages:
                cookie, client = session_cookie(
                    people["supervisor" if page.as_supervisor else "worker"]
                )
                fetch_status(base + page.url, cookie)  # warm the worker that takes it
                status, alone = fetch_status(base + page.url, cookie)
                connections = args.pdf_connections if page.pdf else args.connections
                # A slow page queues `connections / workers` requests deep: give each client
                # about three answers, within --max-duration.
                needed = math.ceil(3 * alone * connections / args.gunicorn_workers)
                summary = run_wrk(
                    base + page.url,
                    cookie,
                    connections=connections,
                    duration=min(args.max_duration, max(args.duration, needed)),
                    script=script,
                )
                queries = count_queries(client, page.url)
                result = Result(
                    page=page.name + (f" (c{connections})" if page.pdf else ""),
                    url=page.url,
                    p50_ms=summary["p50"] / 1000,
                    p95_ms=summary["p95"] / 1000,
                    requests_per_second=summary["requests"] / (summary["duration_us"] / 1e6),
                    queries=queries,
                    status=status,
                    errors=summary["status_errors"] + summary["socket_errors"],
                )
                results.append(result)
                print(
                    f"{result.page}: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
                    f"{result.requests_per_second:.1f}/s, {queries} queries, status {status}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    bare = next((r for r in results if r.url == "/__bench__/bare/"), None)
    for result in results:
        if bare is not None and bare.p50_ms > 0:
            result.ratio_to_bare = result.p50_ms / bare.p50_ms
    print_table(results)
    pdf_row = next((r for r in results if r.url.endswith("brief.pdf")), None)
    bare_render = bare_pdf_render(people, args.pdf_runs) if pdf_row is not None else None
    if pdf_row is not None and bare_render is not None:
        print(
            f"\nbrief PDF: p50 {pdf_row.p50_ms:.0f} ms under load at c{args.pdf_connections}; "
            f"bare WeasyPrint render of the same HTML {bare_render:.0f} ms (median of "
            f"{args.pdf_runs}, in this process): {pdf_row.p50_ms / bare_render:.2f}×"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "pages": [asdict(r) for r in results],
                    "bare_pdf_render_ms": bare_render,
                    "worker": args.worker,
                    "duration_s": args.duration,
                    "connections": args.connections,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
