"""Bad input never gives a 500: every data-rights form, and the import upload, answered with
odd values gets a page with a message, and nothing changes."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent, User
from datarights.models import Erasure, FailedTask, Import, RetentionPolicy
from tests.datarights.support import DataRightsTestCase

ODD_VALUES: list[Any] = [
    "",
    " ",
    "0",
    "-1",
    "1e400",
    "99999999999999999999999999",
    "\x00",
    "<script>alert(1)</script>",
    "ü" * 5000,
    "on\r\nX-Injected: 1",
    ["1", "2"],
]


class FormRobustnessTests(DataRightsTestCase):
    def assert_answers_without_error(self, client: Any, url: str, data: dict[str, Any]) -> None:
        response = client.post(url, data)
        assert response.status_code in {200, 302}, (url, data, response.status_code)

    def test_the_erase_form_answers_every_odd_value_and_erases_nobody(self) -> None:
        client = self.p.client_for(self.p.alice)
        for value in ODD_VALUES:
            self.assert_answers_without_error(
                client, reverse("datarights:erase"), {"password": value, "confirm": value}
            )
        assert not Erasure.objects.exists()
        assert User.objects.get(pk=self.p.alice.pk).is_active

    def test_the_retention_form_answers_every_odd_value_and_keeps_the_defaults(self) -> None:
        client = self.p.client_for(self.p.olive)
        url = reverse("datarights:retention", kwargs={"slug": "riverside"})
        for value in ODD_VALUES:
            self.assert_answers_without_error(
                client,
                url,
                {"reflection_days": value, "record_days": value, "audit_days": value},
            )
        assert not RetentionPolicy.objects.exists()

    def test_the_import_upload_answers_odd_files_and_fields_and_imports_nothing(self) -> None:
        client = self.p.client_for(self.p.alice)
        url = reverse("datarights:import")
        uploads = [
            b"",
            b"PK\x05\x06" + b"\x00" * 18,
            b"PK\x03\x04" + b"\xff" * 200,
            io.BytesIO(b"x" * 10_000).getvalue(),
        ]
        for content in uploads:
            for organisation in ["", "0", str(self.p.hillside.pk), "abc", str(self.p.riverside.pk)]:
                upload = SimpleUploadedFile("export.zip", content, "application/zip")
                self.assert_answers_without_error(
                    client, url, {"archive": upload, "organisation": organisation}
                )
        for value in ODD_VALUES:
            self.assert_answers_without_error(
                client, url, {"archive": value, "organisation": value}
            )
        assert not Import.objects.exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_IMPORTED).exists()


class FailedTasksPageTests(DataRightsTestCase):
    def test_the_admin_sees_their_organisations_failures_and_not_anothers(self) -> None:
        FailedTask.objects.create(
            organisation=self.p.riverside,
            task_name="datarights.tasks.deliver_email",
            summary="E-mail “A comment” to alice@example.org",
            error="SMTPConnectError: (421, b'busy')",
            attempts=11,
        )
        FailedTask.objects.create(
            organisation=self.p.hillside, task_name="x", summary="Hillside's own", error="E"
        )
        page = (
            self.p.client_for(self.p.olive)
            .get(reverse("datarights:failed_tasks", kwargs={"slug": "riverside"}))
            .content.decode()
        )
        assert "E-mail “A comment” to alice@example.org" in page
        assert "SMTPConnectError" in page
        assert "Hillside&#x27;s own" not in page
        assert "Hillside's own" not in page
