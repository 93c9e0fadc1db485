"""The data-rights pages are valid HTML, by the same Nu HTML Checker as tests/test_html_validity.py:
the export page in each state, import, erasure (own and an admin's), retention and failed work."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from datarights.models import Export, FailedTask
from tests.datarights.support import DataRightsTestCase
from tests.test_html_validity import JAVA, html_errors

pytestmark = pytest.mark.skipif(
    JAVA is None, reason="the Nu HTML Checker needs Java (.ci/run installs it)"
)


class DataRightsPagesHtmlTests(DataRightsTestCase):
    def test_every_data_rights_page_is_valid_html(self) -> None:
        p = self.p
        FailedTask.objects.create(organisation=p.riverside, task_name="x", summary="S", error="E")
        running = Export.objects.create(user=p.bob, status=Export.Status.RUNNING, total=3, done=1)
        Export.objects.create(
            user=p.alice,
            status=Export.Status.READY,
            file_name="x.zip",
            size_bytes=2048,
            expires_at=timezone.now() + timedelta(hours=1),
        )
        bob_membership = Membership.objects.get(user=p.bob, organisation=p.riverside)
        pages = {
            p.alice: [
                reverse("datarights:export"),
                reverse("datarights:import"),
                reverse("datarights:erase"),
                reverse("home"),
            ],
            p.bob: [reverse("datarights:export")],
            p.olive: [
                reverse("datarights:retention", args=["riverside"]),
                reverse("datarights:failed_tasks", args=["riverside"]),
                reverse("datarights:member_erase", args=["riverside", bob_membership.pk]),
            ],
        }
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory, True)
        files: dict[str, str] = {}
        for person, urls in pages.items():
            client = p.client_for(person)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, url
                name = re.sub(r"[^a-z0-9]+", "-", f"{person.username}{url}").strip("-") + ".html"
                (directory / name).write_bytes(response.content)
                files[name] = f"{person.username} at {url}"
        fragment = p.client_for(p.bob).get(
            reverse("datarights:export_status", args=[running.pk]), headers={"HX-Request": "true"}
        )
        (directory / "fragment.html").write_text(
            "<!DOCTYPE html><html lang=en><title>t</title>" + fragment.content.decode()
        )
        files["fragment.html"] = "the export status fragment"
        errors = html_errors(directory, files)
        assert errors == [], "\n".join(errors)
