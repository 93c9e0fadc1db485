"""Configuration from the environment, production mode and the management commands.

Settings are read once, when Django starts, so each configuration is tried in a fresh Python
process with an environment built from scratch: the variables the test suite itself runs with
(tests/environment.py) must not leak into a check of production mode.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.management import get_commands
from django.templatetags.static import static

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILE = BASE_DIR / "appear_site" / "settings.py"

# The variables settings.py reads: every `env_*("NAME"` call, plus DATABASE_URL through the
# same helpers. Read from the source so a new variable is covered (and must be documented).
SETTINGS_VARIABLES = sorted(
    set(re.findall(r"\benv_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", SETTINGS_FILE.read_text()))
)


# Set for the test run itself (the browser tests need the second), never in production.
NOT_IN_PRODUCTION = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def a_secret_key() -> str:
    return secrets.token_urlsafe(50)


def production_environment(**overrides: str | None) -> dict[str, str]:
    """The process environment with no settings variable set but a production SECRET_KEY and host.

    A value of None in `overrides` removes that variable.
    """
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and name not in NOT_IN_PRODUCTION
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="appear_site.settings",
        SECRET_KEY=a_secret_key(),
        ALLOWED_HOSTS="example.org",
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def run_python(
    arguments: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def settings_under(environment: dict[str, str]) -> dict[str, Any]:
    """The settings Django builds from `environment`, as JSON from a fresh process."""
    script = textwrap.dedent(
        """
        import json
        import django
        from django.conf import settings
        django.setup()
        print(json.dumps({
            "DEBUG": settings.DEBUG,
            "ENGINE": settings.DATABASES["default"]["ENGINE"],
            "NAME": str(settings.DATABASES["default"]["NAME"]),
            "HOST": settings.DATABASES["default"].get("HOST", ""),
            "PORT": str(settings.DATABASES["default"].get("PORT", "")),
            "DATABASE_OPTIONS": settings.DATABASES["default"].get("OPTIONS", {}),
            "CACHE": settings.CACHES["default"]["BACKEND"],
            "CACHE_LOCATION": settings.CACHES["default"].get("LOCATION", ""),
            "SESSION_ENGINE": settings.SESSION_ENGINE,
            "SECURE_PROXY_SSL_HEADER": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
            "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
            "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
            "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
            "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
            "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
        }))
        """
    )
    result = run_python(["-c", script], environment)
    assert result.returncode == 0, result.stderr
    settings: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return settings


class TestProductionMode:
    def test_the_deploy_check_passes_with_no_warning(self) -> None:
        result = run_python(
            ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            production_environment(),
        )

        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues" in result.stdout

    def test_production_is_the_default_and_insists_on_https(self) -> None:
        settings = settings_under(production_environment())

        assert settings["DEBUG"] is False
        assert settings["SECURE_SSL_REDIRECT"] is True
        assert settings["SESSION_COOKIE_SECURE"] is True
        assert settings["SECURE_HSTS_SECONDS"] == 31536000
        assert settings["ALLOWED_HOSTS"] == ["example.org"]
        assert settings["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"

    def test_the_site_refuses_to_start_without_a_secret_key(self) -> None:
        result = run_python(["manage.py", "check"], production_environment(SECRET_KEY=None))

        assert result.returncode != 0
        assert "SECRET_KEY is required when DEBUG is off." in result.stderr

    def test_an_empty_secret_key_counts_as_none(self) -> None:
        result = run_python(["manage.py", "check"], production_environment(SECRET_KEY=""))

        assert result.returncode != 0
        assert "SECRET_KEY is required when DEBUG is off." in result.stderr

    def test_development_mode_runs_without_a_secret_key(self) -> None:
        settings = settings_under(production_environment(SECRET_KEY=None, DEBUG="true"))

        assert settings["DEBUG"] is True
        assert settings["SECURE_SSL_REDIRECT"] is False
        assert settings["STATICFILES"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


class TestMalformedValues:
    def test_a_boolean_that_is_neither_true_nor_false_stops_the_site(self) -> None:
        result = run_python(["manage.py", "check"], production_environment(DEBUG="maybe"))

        assert result.returncode != 0
        assert "DEBUG must be true or false, not 'maybe'." in result.stderr

    def test_a_number_that_is_not_a_number_stops_the_site(self) -> None:
        environment = production_environment(SESSION_IDLE_TIMEOUT="half an hour")

        result = run_python(["manage.py", "check"], environment)

        assert result.returncode != 0
        assert "SESSION_IDLE_TIMEOUT must be a whole number, not 'half an hour'." in result.stderr


class TestServices:
    def test_without_a_database_url_the_database_is_sqlite_under_var(self) -> None:
        settings = settings_under(production_environment(DATABASE_URL=None))

        assert settings["ENGINE"] == "django.db.backends.sqlite3"
        assert settings["NAME"] == str(BASE_DIR / "var" / "appear.sqlite3")

    def test_a_postgres_url_selects_postgresql(self) -> None:
        environment = production_environment(
            DATABASE_URL="postgres://appear:secret@db.internal:5433/appear"
        )

        settings = settings_under(environment)

        assert settings["ENGINE"] == "django.db.backends.postgresql"
        assert (settings["NAME"], settings["HOST"], settings["PORT"]) == (
            "appear",
            "db.internal",
            "5433",
        )

    def test_postgresql_is_reached_through_psycopg_3(self) -> None:
        import psycopg

        assert int(psycopg.__version__.split(".")[0]) == 3

    def test_a_redis_url_moves_the_cache_to_redis(self) -> None:
        environment = production_environment(REDIS_URL="redis://127.0.0.1:6379/2")

        settings = settings_under(environment)

        assert settings["CACHE"] == "django.core.cache.backends.redis.RedisCache"
        assert settings["CACHE_LOCATION"] == "redis://127.0.0.1:6379/2"

    def test_with_a_redis_url_sessions_are_read_from_the_cache(self) -> None:
        """Sessions in Redis, written through to the database: a page pays no session query."""
        settings = settings_under(production_environment(REDIS_URL="redis://127.0.0.1:6379/2"))

        assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"

    def test_the_deploy_check_refuses_the_test_suites_fast_password_hashing(self) -> None:
        result = run_python(
            ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            production_environment(FAST_PASSWORD_HASHING="true"),
        )
        assert result.returncode != 0
        assert "appear.W001" in result.stdout + result.stderr

    def test_with_a_redis_url_the_sign_in_throttle_counts_are_shared_through_redis(self) -> None:
        """A value one process caches is seen by another: what throttling across gunicorn
        workers relies on. Uses the Redis server these machines run at 127.0.0.1:6379."""
        environment = production_environment(REDIS_URL="redis://127.0.0.1:6379/3")
        key = f"appear-test-{a_secret_key()[:12]}"
        write = textwrap.dedent(
            f"""
            import django
            django.setup()
            from django.core.cache import cache
            cache.set("{key}", 5, 60)
            """
        )
        read = textwrap.dedent(
            f"""
            import django
            django.setup()
            from django.core.cache import cache
            print(cache.get("{key}"))
            cache.delete("{key}")
            """
        )
        written = run_python(["-c", write], environment)
        assert written.returncode == 0, written.stderr
        result = run_python(["-c", read], environment)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "5"

    def test_a_postgresql_database_that_does_not_answer_fails_within_seconds(self) -> None:
        postgres = "postgres://appear@db.example.org:5432/appear"
        default = settings_under(production_environment(DATABASE_URL=postgres))
        shorter = settings_under(
            production_environment(DATABASE_URL=postgres, DATABASE_CONNECT_TIMEOUT="2")
        )

        assert default["DATABASE_OPTIONS"]["connect_timeout"] == 5
        assert shorter["DATABASE_OPTIONS"]["connect_timeout"] == 2

    def test_without_a_redis_url_the_cache_is_in_process(self) -> None:
        settings = settings_under(production_environment(REDIS_URL=None))

        assert settings["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"

    def test_without_a_redis_url_sessions_stay_in_the_database_alone(self) -> None:
        """Each process's own cache would keep a session that another process ended."""
        settings = settings_under(production_environment(REDIS_URL=None))

        assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"

    def test_behind_a_proxy_the_forwarded_protocol_is_trusted_only_when_asked(self) -> None:
        trusted = settings_under(production_environment(USE_X_FORWARDED_PROTO="true"))
        untrusted = settings_under(production_environment(USE_X_FORWARDED_PROTO=None))

        assert trusted["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
        assert untrusted["SECURE_PROXY_SSL_HEADER"] is None


class TestStaticFilesInProduction:
    def test_collectstatic_then_a_page_renders_with_debug_off(self, tmp_path: Path) -> None:
        """Collect into a temporary STATIC_ROOT, then serve a page and its stylesheet.

        The page links to the hashed, compressed copies that the manifest storage wrote, and
        WhiteNoise serves them: what gunicorn would do in production.
        """
        (tmp_path / "collected_settings.py").write_text(
            "from appear_site.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(tmp_path / 'static')!r}\n"
        )
        script = textwrap.dedent(
            """
            import json, re
            import django
            django.setup()
            from django.core.management import call_command
            from django.test import Client
            call_command("migrate", verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            client = Client(HTTP_HOST="example.org")
            page = client.get("/", secure=True)
            html = page.content.decode()
            stylesheet = re.search(r'href="(/static/css/app\\.[0-9a-f]{12}\\.css)"', html)
            sheet = client.get(stylesheet.group(1), secure=True) if stylesheet else None
            print(json.dumps({
                "page": page.status_code,
                "stylesheet": stylesheet.group(1) if stylesheet else None,
                "sheet": sheet.status_code if sheet else None,
                "sheet_type": sheet["Content-Type"] if sheet else None,
                "sheet_bytes": len(b"".join(sheet.streaming_content)) if sheet else 0,
            }))
            """
        )
        environment = production_environment(
            DJANGO_SETTINGS_MODULE="collected_settings",
            DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
            PYTHONPATH=os.pathsep.join([str(tmp_path), str(BASE_DIR)]),
        )

        result = run_python(["-c", script], environment)

        assert result.returncode == 0, result.stderr
        served = json.loads(result.stdout.strip().splitlines()[-1])
        assert served["page"] == 200
        assert served["stylesheet"] is not None, "the page does not link the hashed app.css"
        assert served["sheet"] == 200
        assert served["sheet_type"].startswith("text/css")
        assert served["sheet_bytes"] > 0
        assert (tmp_path / "static" / "staticfiles.json").is_file()
        assert list((tmp_path / "static" / "css").glob("app.*.css.gz")) != []


class TestCommands:
    def test_load_framework_belongs_to_the_framework_app(self) -> None:
        assert get_commands()["load_framework"] == "framework"

    def test_seed_demo_belongs_to_the_demo_app(self) -> None:
        assert get_commands()["seed_demo"] == "demo"


class TestDocumentation:
    def test_the_readme_documents_every_environment_variable_the_settings_read(self) -> None:
        readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")

        undocumented = [name for name in SETTINGS_VARIABLES if f"`{name}`" not in readme]

        assert SETTINGS_VARIABLES != []
        assert undocumented == []


def test_favicon_ico_points_browsers_at_the_site_icon(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg")
    assert finders.find("img/favicon.svg") is not None
