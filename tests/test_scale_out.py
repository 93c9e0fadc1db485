"""Two app servers behind a reverse proxy share sessions and the sign-in limit (issue 13, item 7).

bench/scale_out.py starts two gunicorn servers in production settings on one PostgreSQL
database and one Redis, with HAProxy (or nginx) in front, round-robin, and drives them through
the proxy. It needs PostgreSQL, so it runs in .ci/run's PostgreSQL stage (the suite's
DATABASE_URL, with `_scaleout` added to the database name, or SCALE_OUT_DATABASE_URL), with the
Redis at SCALE_OUT_REDIS_URL (default database 8, which it empties). SCALE_OUT_FIRST_PORT puts
the two servers and the proxy on three ports from there instead of free ones.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/8")
PROXIES = ("haproxy", "nginx")


def installed_proxy() -> str | None:
    for name in PROXIES:
        if shutil.which(name) or Path(f"/usr/sbin/{name}").exists():
            return name
    return None


def redis_answers(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return True
    except OSError:
        return False


def scale_out_database() -> str:
    chosen = os.environ.get("SCALE_OUT_DATABASE_URL", "")
    if chosen:
        return chosen
    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith("postgres"):
        pytest.skip("needs PostgreSQL: .ci/run's PostgreSQL stage runs it (or make scale-out)")
    return f"{suite.rstrip('/')}_scaleout"


@pytest.mark.scale_out
def test_two_servers_behind_a_proxy_share_the_session_and_the_sign_in_limit() -> None:
    database = scale_out_database()
    proxy = installed_proxy()
    if proxy is None:
        pytest.skip(
            "!!! NEITHER haproxy NOR nginx IS INSTALLED: running several app servers was NOT "
            "tested (apt-get install haproxy, or nginx-light)"
        )
    if not redis_answers(REDIS_URL):
        message = f"Redis does not answer at {REDIS_URL} (set SCALE_OUT_REDIS_URL)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    command = [
        sys.executable,
        str(ROOT / "bench" / "scale_out.py"),
        "--database",
        database,
        "--redis",
        REDIS_URL,
        "--proxy",
        proxy,
    ]
    if os.environ.get("SCALE_OUT_FIRST_PORT"):
        command += ["--first-port", os.environ["SCALE_OUT_FIRST_PORT"]]
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }

    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=900, check=False
    )

    print(result.stdout)
    assert result.stdout.strip(), result.stderr[-4000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["ok"], summary.get("problem", "") + "\n" + result.stderr[-4000:]
    assert result.returncode == 0
    proved = "\n".join(summary["proved"])
    assert "carried on, signed in, on server" in proved
    assert "lock the account: both servers refuse even the right password" in proved
    assert "/healthz over plain HTTP" in proved
