"""How one worker's pages grow with their history, and with everyone else's (issue 13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/appear_scale \\
        .venv/bin/python bench/growth_benchmark.py [--runs 7] \\
        [--empty-database-url postgres://postgres@127.0.0.1:5432/appear_bench_empty]

In a database filled by `manage.py seed_scale`, times My practice (all time), search
?q=listened and search with a context filter for the workers with 10, 1,000, 5,000 and
20,000 reflections (in-process, Django's test client, a warm-up then --runs timed requests,
median), and prints each time as a multiple of the 10-reflection worker's.

With --empty-database-url, the 10-reflection worker is also timed in a database holding only
that worker (filled here with the same code, `--reflections 0`, if it has no scale accounts),
and the ratio large database / empty database is printed. Each database is measured in a
process of its own, so settings and caches never mix.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKERS = ["scale-w10", "scale-w1000", "scale-w5000", "scale-w20000"]


def pages(context_key: str) -> dict[str, str]:
    return {
        "My practice (all time)": "/reflections/practice/?period=all",
        "search ?q=listened": "/reflections/?q=listened",
        "search + context filter": f"/reflections/?q=listened&context={context_key}",
    }


def measure(workers: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Median ms per page for each worker present, in the database DATABASE_URL names."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from accounts.models import User
    from framework.selectors import current_version

    version = current_version()
    if version is None:
        raise SystemExit("No framework is loaded here: run manage.py seed_scale first.")
    first = version.contexts.order_by("order").first()
    assert first is not None
    timings: dict[str, dict[str, float]] = {}
    for username in workers:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        timings[username] = {}
        for name, url in pages(first.key).items():
            client.get(url)
            times = []
            for _ in range(runs):
                # Caches that hold per-worker results would hide the growth being measured.
                cache.clear()
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url} as {username} answered {response.status_code}")
            timings[username][name] = statistics.median(times)
    return timings


def fill_empty() -> None:
    """Give the database only the 10-reflection worker and a supervisor, if it has no one."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User

    if connection.vendor != "postgresql":
        raise SystemExit("The empty database must be PostgreSQL too.")
    call_command("migrate", verbosity=0)
    if User.objects.filter(username="scale-w10").exists():
        return
    from demo.scale import ScalePlan, fill_scale
    from framework.selectors import current_version

    if current_version() is None:
        call_command("load_framework")
    version = current_version()
    assert version is not None
    plan = ScalePlan(reflections=10, workers=0, organisations=1, special={"scale-w10": 10})
    fill_scale(plan=plan, version=version)


def in_child(database_url: str, action: str, runs: int, workers: list[str]) -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "appear_site.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "growth-benchmark-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "WHITENOISE_USE_FINDERS": "true",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        "LOG_LEVEL": "WARNING",
    }
    completed = subprocess.run(
        [sys.executable, __file__, "--child", action, "--runs", str(runs), *workers],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--empty-database-url", default="")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", choices=["measure", "fill-empty"], help=argparse.SUPPRESS)
    parser.add_argument("workers", nargs="*", default=WORKERS)
    args = parser.parse_args()

    if args.child == "measure":
        print(json.dumps(measure(args.workers, args.runs)))
        return 0
    if args.child == "fill-empty":
        fill_empty()
        print("{}")
        return 0

    if not args.database_url.startswith("postgres"):
        raise SystemExit("Give a PostgreSQL DATABASE_URL filled by manage.py seed_scale.")
    large = in_child(args.database_url, "measure", args.runs, args.workers)
    base = large.get("scale-w10", {})
    names = list(pages("").keys())
    print(f"\nmedian ms of {args.runs} runs (× the 10-reflection worker)")
    print(f"{'worker':16}" + "".join(f"{name:>34}" for name in names))
    for worker, timings in large.items():
        cells = []
        for name in names:
            ratio = timings[name] / base[name] if base.get(name) else float("nan")
            cells.append(f"{timings[name]:>22.1f} ({ratio:>7.2f}×)")
        print(f"{worker:16}" + "".join(f"{cell:>34}" for cell in cells))
    result: dict[str, Any] = {"large": large, "runs": args.runs}
    if args.empty_database_url:
        in_child(args.empty_database_url, "fill-empty", args.runs, [])
        empty = in_child(args.empty_database_url, "measure", args.runs, ["scale-w10"])
        result["empty"] = empty
        print("\nthe 10-reflection worker: large database / database with only them")
        for name in names:
            alone = empty["scale-w10"][name]
            print(f"  {name:28} {base[name]:8.1f} ms / {alone:8.1f} ms = {base[name] / alone:.2f}×")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
