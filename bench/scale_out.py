"""Two app servers behind a reverse proxy, on one PostgreSQL and one Redis: a session and the
sign-in limit carry from one server to the other.

    .venv/bin/python bench/scale_out.py
    .venv/bin/python bench/scale_out.py --proxy nginx --first-port 8180 \
        --database postgres://postgres@127.0.0.1:5432/appear_scaleout --redis redis://127.0.0.1:6379/8

It drops and creates the PostgreSQL database named by --database, migrates it and loads the
framework, adds an organisation with two peer workers (no two-factor requirement), and empties
the Redis database named by --redis. Then it starts two gunicorn servers, A and B, in
production settings (DEBUG off, a SECRET_KEY, ALLOWED_HOSTS, HTTPS insisted on) with the same
DATABASE_URL, REDIS_URL and SECRET_KEY, and puts HAProxy (or nginx) in front on a local port,
round-robin. The proxy plays the TLS-ending load balancer: it sets X-Forwarded-Proto, appends
the client to X-Forwarded-For (TRUSTED_PROXY_COUNT=1), and names the server that answered in
an X-Served-By header, which only this set-up adds. HAProxy checks both servers through
/healthz over plain HTTP, as a load balancer would.

Through the proxy it then shows:
- each server answers /healthz over plain HTTP, and HAProxy's own checks mark both up;
- a person signs in on one server and carries on, signed in, on the other; signing out on one
  ends the session on both;
- failed sign-ins answered by both servers add up: the account locks after the limit even
  though neither server alone saw that many, and both servers then refuse the right password;
- the audit trail holds what both servers recorded, each at the address the proxy saw (a
  client-written X-Forwarded-For is not believed).

It prints what each request did and what was proved, then a JSON summary as its last line, and
exits non-zero when a check fails. The servers and the proxy are stopped however it ends;
the database is dropped unless --keep-database.
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import FrameType
from typing import Any, LiteralString

ROOT = Path(__file__).resolve().parent.parent
HOST = "reflect.example.org"
ORIGIN = f"https://{HOST}"
PASSWORD = "scale-out-test-password-7141"  # noqa: S105  (a throwaway database's people)
# Written by the client, so never to be believed: the proxy's own entry comes after it.
SPOOFED_ADDRESS = "203.0.113.66"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/appear_scaleout"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"

# What production sets, apart from plain HTTP between the proxy and the servers (the proxy
# says the request came over HTTPS, as a TLS-ending load balancer does) and static files
# served from static/ (collectstatic is .ci/run's production stage; not what this proves).
SERVER_ENVIRONMENT = {
    "DEBUG": "false",
    "SECRET_KEY": "scale-out-test-only-secret-key-shared-by-both-servers-not-for-deployment",
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": ORIGIN,
    "USE_X_FORWARDED_PROTO": "true",
    "TRUSTED_PROXY_COUNT": "1",
    "WHITENOISE_USE_FINDERS": "true",
    "STATIC_MANIFEST": "false",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "LOG_LEVEL": "WARNING",
}
# Variables of the calling environment that would make the servers something else.
NOT_PASSED_ON = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "FAST_PASSWORD_HASHING",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LOGIN_FAILED_RATE_LIMIT",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
}
LOCKED = "Too many failed sign-in attempts"
MISMATCH = "is not right"


class ScaleOutError(Exception):
    """A check failed: what was expected and what happened."""


# --------------------------------------------------------------------------------------------
# Child processes: started with a death signal, stopped however the run ends
# --------------------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Linux: a server outlives a killed run otherwise, holding its port.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Children:
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                # Safe here: this process starts no threads.
                preexec_fn=_die_with_parent,
            )
        self.processes.append((name, process))

    def check_running(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                raise ScaleOutError(f"{name} stopped (exit code {process.returncode}).")

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------------------------
# A small HTTP client with cookies and CSRF, and the trail of which server answered what
# --------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    server: str
    location: str
    text: str


@dataclass
class Browser:
    port: int
    servers: dict[str, str]
    name: str
    cookies: dict[str, str] = field(default_factory=dict)
    trail: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> Answer:
        headers = {"Host": HOST, "X-Forwarded-For": SPOOFED_ADDRESS}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = ORIGIN
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for cookie_name, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(cookie_name, None)
                    else:
                        self.cookies[cookie_name] = morsel.value
            served_by = response.headers.get("X-Served-By", "")
            answer = Answer(
                status=response.status,
                server=self.servers.get(served_by, served_by or "?"),
                location=response.headers.get("Location", ""),
                text=text,
            )
        finally:
            connection.close()
        shown = f" -> {answer.location}" if answer.location else ""
        self.trail.append(
            f"  [{self.name:<5}] {method:<4} {path:<22} server {answer.server}: {answer.status}{shown}"
        )
        print(self.trail[-1], flush=True)
        return answer

    def sign_in(self, username: str, password: str) -> Answer:
        self.request("GET", "/accounts/login/")
        return self.request("POST", "/accounts/login/", {"login": username, "password": password})


def signed_in(answer: Answer) -> bool:
    return answer.status == 200


def sent_to_sign_in(answer: Answer) -> bool:
    return answer.status == 302 and answer.location.startswith("/accounts/login/")


# --------------------------------------------------------------------------------------------
# Set-up (Django in this process, against the same database and Redis as the servers)
# --------------------------------------------------------------------------------------------


def _postgres(database: str, *statements: LiteralString) -> None:
    import psycopg
    from psycopg import sql

    parsed = urllib.parse.urlparse(database)
    name = sql.Identifier(parsed.path.lstrip("/"))
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        for statement in statements:
            connection.execute(sql.SQL(statement).format(name=name))


def build(database: str) -> dict[str, Any]:
    """A fresh, migrated, framework-loaded database with two peer workers; an empty cache."""
    _postgres(database, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", "CREATE DATABASE {name}")
    import django

    django.setup()
    from allauth.core.internal import ratelimit
    from django.core.cache import cache
    from django.core.management import call_command

    from accounts.models import Membership, Organisation, User

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_framework", verbosity=0)
    cache.clear()
    organisation = Organisation.objects.create(
        name="Scale-out", slug="scale-out", requires_two_factor=False
    )
    people = {}
    for username in ("robin", "kit"):
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=PASSWORD,
            display_name=username.capitalize(),
        )
        Membership.objects.create(user=user, organisation=organisation, is_peer_worker=True)
        people[username] = user.pk
    rates = ratelimit.get_rates(app="allauth.account", action="login_failed")
    per_account = [rate.amount for rate in rates if rate.per == "key"]
    if not per_account:
        raise ScaleOutError("ACCOUNT_RATE_LIMITS['login_failed'] has no per-account limit.")
    return {"people": people, "limit": min(per_account)}


def audit_trail(people: dict[str, int]) -> list[dict[str, Any]]:
    from django.db import connection

    from accounts.models import AuditEvent

    connection.close()  # The servers wrote since; read afresh.
    return [
        dict(event)
        for event in AuditEvent.objects.filter(subject_id__in=people.values())
        .order_by("pk")
        .values("action", "subject__username", "ip_address")
    ]


# --------------------------------------------------------------------------------------------
# The servers and the proxy
# --------------------------------------------------------------------------------------------


def free_ports(first: int, count: int) -> list[int]:
    if first:
        return list(range(first, first + count))
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def find_proxy(choice: str) -> tuple[str, str]:
    """The proxy to use and its program: HAProxy first (it checks /healthz itself), then nginx."""
    found = {
        name: shutil.which(name)
        or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else "")
        for name in ("haproxy", "nginx")
    }
    names = ["haproxy", "nginx"] if choice == "auto" else [choice]
    for name in names:
        if found[name]:
            return name, found[name]
    raise ScaleOutError(
        f"No {' or '.join(names)} here: install Debian's haproxy or nginx-light to run this."
    )


def haproxy_config(workdir: Path, port: int, backends: dict[str, int]) -> list[str]:
    servers = "\n".join(
        f"    server {name} 127.0.0.1:{backend} check inter 2s fall 3 rise 1"
        for name, backend in backends.items()
    )
    (workdir / "haproxy.cfg").write_text(
        f"""
global
    stats socket {workdir}/haproxy.sock mode 600 level user

defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    # A sync worker answers one request at a time: a check queued behind a sign-in (a slow
    # password hash on a busy machine) must not mark a healthy server down.
    timeout check 10s
    option forwardfor

frontend site
    bind 127.0.0.1:{port}
    # TLS would end here; the servers believe this header (USE_X_FORWARDED_PROTO=true).
    http-request set-header X-Forwarded-Proto https
    default_backend app

backend app
    balance roundrobin
    # The load balancer's check: plain HTTP to each server, with the site's host name.
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host {HOST}
    http-check expect status 200
    http-response set-header X-Served-By %[srv_name]
{servers}
"""
    )
    return ["-db", "-f", str(workdir / "haproxy.cfg")]


def nginx_config(workdir: Path, port: int, backends: dict[str, int]) -> list[str]:
    servers = "\n".join(f"        server 127.0.0.1:{backend};" for backend in backends.values())
    temp = "\n".join(
        f"    {kind}_temp_path {workdir}/nginx-{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (workdir / "nginx.conf").write_text(
        f"""
worker_processes 1;
pid {workdir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    upstream app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            # Pages pass straight through: no temporary files for the worker to write.
            proxy_buffering off;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # TLS would end here; the servers believe this header (USE_X_FORWARDED_PROTO=true).
            proxy_set_header X-Forwarded-Proto https;
            add_header X-Served-By $upstream_addr always;
        }}
    }}
}}
"""
    )
    return [
        "-p",
        str(workdir),
        "-c",
        str(workdir / "nginx.conf"),
        "-e",
        str(workdir / "nginx-error.log"),
        "-g",
        "daemon off;",
    ]


def plain_get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def wait_for(what: str, ready: Any, children: Children, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children.check_running()
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise ScaleOutError(f"{what} was not ready within {seconds:.0f} seconds.")


def haproxy_checks(workdir: Path) -> dict[str, str]:
    """Each server's state and last health-check result, from HAProxy's stats socket."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(workdir / "haproxy.sock"))
        sock.sendall(b"show stat\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    rows = csv.DictReader(io.StringIO(b"".join(chunks).decode().lstrip("# ")))
    return {
        row["svname"]: f"{row['status']} {row['check_status']}"
        for row in rows
        if row["pxname"] == "app" and row["svname"] not in {"FRONTEND", "BACKEND"}
    }


# --------------------------------------------------------------------------------------------
# What it proves
# --------------------------------------------------------------------------------------------


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise ScaleOutError(message)


def prove_health(ports: dict[str, int], proxy: str, workdir: Path) -> list[str]:
    proved = []
    for name, port in ports.items():
        status, body = plain_get(port, "/healthz")
        expect(
            status == 200 and json.loads(body)["status"] == "ok",
            f"server {name} answered /healthz over plain HTTP with {status}: {body[:200]}",
        )
        page, _ = plain_get(port, "/")
        expect(page == 301, f"server {name} served a page over plain HTTP ({page}), not a redirect")
    proved.append(
        "each server answers /healthz over plain HTTP (200, database and cache ok) while its "
        "pages redirect to HTTPS"
    )
    if proxy == "haproxy":
        states = haproxy_checks(workdir)
        expect(
            all(state == "UP L7OK" for state in states.values()) and len(states) == len(ports),
            f"HAProxy's checks of /healthz: {states}",
        )
        proved.append(f"HAProxy's own /healthz checks mark both servers up ({states})")
    return proved


def prove_shared_session(port: int, servers: dict[str, str]) -> list[str]:
    browser = Browser(port, servers, "robin")
    answer = browser.sign_in("robin", PASSWORD)
    expect(answer.status == 302, f"robin's sign-in answered {answer.status}, not a redirect")
    first = answer.server
    later = [browser.request("GET", "/reflections/") for _ in range(3)]
    expect(all(signed_in(page) for page in later), "a page after signing in was not served")
    others = sorted({page.server for page in later} - {first})
    expect(others != [], f"every page after signing in came from server {first} again")
    signed_out_on = browser.request("POST", "/accounts/logout/", {})
    expect(signed_out_on.status == 302, f"signing out answered {signed_out_on.status}")
    after = [browser.request("GET", "/reflections/") for _ in range(2)]
    expect(
        all(sent_to_sign_in(page) for page in after),
        "after signing out, a server still served robin's page",
    )
    expect(
        {page.server for page in after} == set(servers.values()),
        f"the pages after signing out did not come from both servers: {after}",
    )
    return [
        f"robin signed in on server {first} and carried on, signed in, on server "
        f"{', '.join(others)} with the same session cookie",
        f"robin signed out on server {signed_out_on.server}, and both servers then sent the "
        "old session cookie to sign in",
    ]


def prove_shared_limit(port: int, servers: dict[str, str], limit: int) -> list[str]:
    browser = Browser(port, servers, "kit")
    browser.request("GET", "/accounts/login/")
    failures: dict[str, int] = {}
    for attempt in range(limit):
        answer = browser.request(
            "POST", "/accounts/login/", {"login": "kit", "password": f"wrong-{attempt}"}
        )
        expect(
            answer.status == 200 and MISMATCH in answer.text,
            f"wrong password {attempt + 1} was not refused as one ({answer.status})",
        )
        failures[answer.server] = failures.get(answer.server, 0) + 1
    expect(
        set(failures) == set(servers.values()) and max(failures.values()) < limit,
        f"the failed sign-ins were not split so that no server alone reached {limit}: {failures}",
    )
    refused_on: set[str] = set()
    for _ in range(4):
        answer = browser.request("POST", "/accounts/login/", {"login": "kit", "password": PASSWORD})
        expect(
            answer.status == 200 and LOCKED in answer.text,
            f"the right password after {limit} failures was not refused as locked "
            f"({answer.status} from server {answer.server})",
        )
        refused_on.add(answer.server)
        if refused_on == set(servers.values()):
            break
    expect(refused_on == set(servers.values()), f"only server(s) {refused_on} refused kit")
    split = " and ".join(f"{count} on server {name}" for name, count in sorted(failures.items()))
    return [
        f"{limit} wrong passwords for kit, {split} (the limit is {limit} per account, so "
        f"neither server alone saw enough), lock the account: both servers refuse even the "
        f"right password ({LOCKED!r})"
    ]


def prove_one_audit_trail(people: dict[str, int]) -> list[str]:
    events = audit_trail(people)
    actions = [(event["subject__username"], event["action"]) for event in events]
    for needed in [("robin", "sign_in"), ("robin", "sign_out"), ("kit", "locked_out")]:
        expect(needed in actions, f"the audit trail lacks {needed}: {actions}")
    addresses = {event["ip_address"] for event in events}
    expect(
        addresses == {"127.0.0.1"},
        f"the audit trail recorded {addresses}, not the address the proxy saw (127.0.0.1); "
        f"{SPOOFED_ADDRESS} was written by the client",
    )
    counts: dict[str, int] = {}
    for _username, action in actions:
        counts[action] = counts.get(action, 0) + 1
    listed = ", ".join(f"{count} {action}" for action, count in sorted(counts.items()))
    return [
        f"one audit trail holds what both servers recorded ({listed}), each at 127.0.0.1, the "
        f"address the proxy saw, not the {SPOOFED_ADDRESS} the client claimed"
    ]


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, children: Children) -> dict[str, Any]:
    proxy, program = find_proxy(args.proxy)
    port_a, port_b, proxy_port = free_ports(args.first_port, 3)
    ports = {"A": port_a, "B": port_b}
    environment = {
        **{k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON},
        **SERVER_ENVIRONMENT,
        "DJANGO_SETTINGS_MODULE": "appear_site.settings",
        "DATABASE_URL": args.database,
        "REDIS_URL": args.redis,
    }
    os.environ.clear()
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))

    database_name = urllib.parse.urlparse(args.database).path.lstrip("/")
    print(f"Database {database_name}: migrating, loading the framework.")
    plan = build(args.database)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    for name, port in ports.items():
        children.start(
            f"gunicorn {name}",
            [
                gunicorn,
                "appear_site.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                # Two servers on one machine would otherwise share one control socket path.
                "--no-control-socket",
            ],
            environment,
            workdir / f"gunicorn-{name}.log",
        )
    make_config = haproxy_config if proxy == "haproxy" else nginx_config
    children.start(
        proxy,
        [program, *make_config(workdir, proxy_port, {"A": port_a, "B": port_b})],
        environment,
        workdir / f"{proxy}.log",
    )
    # HAProxy names a server by its name in the config; nginx by its address.
    servers = {"A": "A", "B": "B", f"127.0.0.1:{port_a}": "A", f"127.0.0.1:{port_b}": "B"}
    for name, port in ports.items():
        wait_for(
            f"server {name}", lambda port=port: plain_get(port, "/healthz")[0] == 200, children
        )
    wait_for(f"{proxy}", lambda: plain_get(proxy_port, "/healthz")[0] == 200, children)
    if proxy == "haproxy":
        wait_for(
            "HAProxy's checks",
            lambda: all(s == "UP L7OK" for s in haproxy_checks(workdir).values()),
            children,
        )
    print(
        f"Servers A (:{port_a}) and B (:{port_b}), {args.workers} gunicorn worker(s) each, "
        f"behind {proxy} (:{proxy_port}), round-robin; Redis {args.redis}."
    )

    proved = prove_health(ports, proxy, workdir)
    proved += prove_shared_session(proxy_port, servers)
    proved += prove_shared_limit(proxy_port, servers, plan["limit"])
    proved += prove_one_audit_trail(plan["people"])
    children.check_running()
    for name in ports:
        log = (workdir / f"gunicorn-{name}.log").read_text()
        expect("Traceback" not in log, f"server {name} logged a traceback:\n{log[-3000:]}")
    return {"proxy": proxy, "proved": proved}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default=DEFAULT_DATABASE, help="a postgres:// URL; dropped and created"
    )
    parser.add_argument(
        "--redis", default=DEFAULT_REDIS, help="a redis:// URL; its database is emptied"
    )
    parser.add_argument("--proxy", choices=["auto", "haproxy", "nginx"], default="auto")
    parser.add_argument(
        "--first-port",
        type=int,
        default=0,
        help="A, B and the proxy from here (default: free ports)",
    )
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per server")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    if not args.database.startswith(("postgres://", "postgresql://")):
        parser.error("--database must be a postgres:// URL: both servers share one PostgreSQL.")

    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="appear-scale-out-"))
    children = Children()
    summary: dict[str, Any] = {"ok": False}
    try:
        summary = {"ok": True, **run(args, workdir, children)}
    except Exception as error:
        if not isinstance(error, ScaleOutError):
            traceback.print_exc()
        problem = str(error) if isinstance(error, ScaleOutError) else repr(error)
        summary = {"ok": False, "problem": problem}
        for log in sorted(workdir.glob("*.log")):
            tail = log.read_text(errors="replace")[-2000:]
            if tail.strip():
                print(f"--- {log.name} (last lines)\n{tail}", file=sys.stderr)
    finally:
        # A second Ctrl-C or SIGTERM must not cut the clean-up short and leave servers running.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        children.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_database:
            try:
                _postgres(args.database, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            # Whatever went wrong dropping it, the run's own result is still printed.
            except Exception as error:
                print(f"Could not drop the database: {error}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    if summary["ok"]:
        print("Proved:")
        for line in summary["proved"]:
            print(f"  - {line}")
    else:
        print(f"FAILED: {summary['problem']}")
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
