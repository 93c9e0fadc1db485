"""A worker's export: asked for on their page, made in the background, downloaded once."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from datarights import schema
from datarights.models import Export, FailedTask
from reflections.models import Reflection
from tests.datarights.support import ALICE_TEXT, DataRightsTestCase, export_root, read_zip
from tests.supervision.records_support import pdf_text, response_bytes


class ExportTests(DataRightsTestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.settings_override = export_root(self.tmp)
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)
        self.client = self.p.client_for(self.p.alice)

    def ask(self) -> Export:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("datarights:export_create"))
        assert response.status_code == 302
        return Export.objects.get(user=self.p.alice)

    def download(self, item: Export) -> bytes:
        response = self.client.post(reverse("datarights:export_download", args=[item.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Cache-Control"] == "private, no-store"
        return response_bytes(response)

    def test_the_export_page_offers_an_export_to_every_signed_in_person(self) -> None:
        response = self.client.get(reverse("datarights:export"))
        assert response.status_code == 200
        assert "Make a new export" in response.content.decode()

    def test_an_export_is_built_in_the_background_and_its_owner_gets_an_email_without_content(
        self,
    ) -> None:
        item = self.ask()
        assert item.status == Export.Status.READY
        assert item.percent == 100
        assert item.expires_at is not None
        assert item.expires_at > timezone.now()
        assert (self.tmp / item.file_name).is_file()
        assert item.size_bytes == (self.tmp / item.file_name).stat().st_size
        [message] = mail.outbox
        assert message.to == [self.p.alice.email]
        assert "ready" in message.subject
        assert reverse("datarights:export") in message.body
        assert ALICE_TEXT not in message.body
        assert "river" not in message.body
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.DATA_EXPORT_REQUESTED, actor=self.p.alice
        ).exists()

    def test_the_zip_holds_the_json_a_pdf_of_each_reflection_and_record_and_a_readme(
        self,
    ) -> None:
        document, names, archive = read_zip(self.download(self.ask()))
        schema.validate_export(document)
        assert names == sorted(
            [
                "README.txt",
                "export.json",
                f"reflections/{self.first.session_date}-reflection-{self.first.pk}.pdf",
                f"reflections/{self.second.session_date}-reflection-{self.second.pk}.pdf",
                f"supervision-records/{self.record.held_on}-record-{self.record.pk}-v1.pdf",
            ]
        )
        assert document["person"]["username"] == "alice"
        assert [r["id"] for r in document["reflections"]] == [self.first.pk, self.second.pk]
        first = document["reflections"][0]
        assert ALICE_TEXT in first["what_happened"]
        assert first["amendment_history"][0]["snapshot"]["what_happened"] == "An earlier telling."
        assert [c["body"] for c in first["comments"]] == [
            "What helped most?",
            f"Listening without hurry. {ALICE_TEXT}",
        ]
        assert first["comments"][1]["by_me"] is True
        assert first["shares"][0]["supervisor"] == "Sam"
        assert first["context_ratings"][0]["context"] == "accepting"
        assert first["chains"][0]["mechanism"] == "i_am_acceptable_or_worthwhile"
        [record] = document["supervision_records"]
        assert record["my_role"] == "worker"
        assert record["discussed_reflection_ids"] == [self.first.pk]
        assert record["actions"][0]["text"] == "Plan shorter walks"
        assert {e["action"] for e in document["my_activity"]} >= {"data_export_requested"}
        assert "Bob's own session" not in json.dumps(document)
        printed = pdf_text(archive.read(first["pdf"]))
        assert "We walked by the river" in printed
        assert "Walking sessions and pacing" in pdf_text(archive.read(record["pdf"]))
        readme = archive.read("README.txt").decode()
        assert "2 reflections" in readme
        assert "Keep this file somewhere safe" in readme

    def test_a_drafts_answers_kept_as_typed_are_exported_with_it(self) -> None:
        Reflection.objects.filter(pk=self.second.pk).update(
            unsent_answers={"session_date": "31/02/2026"}
        )

        document, _names, _archive = read_zip(self.download(self.ask()))

        schema.validate_export(document)
        second = next(r for r in document["reflections"] if r["id"] == self.second.pk)
        assert second["unsent_answers"] == {"session_date": "31/02/2026"}

    def test_the_download_works_once_is_audited_and_removes_the_file(self) -> None:
        item = self.ask()
        self.download(item)
        item.refresh_from_db()
        assert item.status == Export.Status.DOWNLOADED
        assert not (self.tmp / item.file_name).exists()
        event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORT_DOWNLOADED)
        assert (event.actor, event.subject, event.target_id) == (
            self.p.alice,
            self.p.alice,
            str(item.pk),
        )
        again = self.client.post(reverse("datarights:export_download", args=[item.pk]), follow=True)
        assert "already been downloaded or has expired" in again.content.decode()

    def test_an_expired_export_is_refused(self) -> None:
        item = self.ask()
        Export.objects.filter(pk=item.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        response = self.client.post(
            reverse("datarights:export_download", args=[item.pk]), follow=True
        )
        assert "already been downloaded or has expired" in response.content.decode()
        assert "<strong>Expired</strong>" in response.content.decode()
        assert not AuditEvent.objects.filter(
            action=AuditEvent.Action.DATA_EXPORT_DOWNLOADED
        ).exists()

    def test_nobody_else_reaches_an_export_not_even_the_supervisor(self) -> None:
        item = self.ask()
        for person in (self.p.sam, self.p.olive, self.p.bob):
            client = self.p.client_for(person)
            assert (
                client.post(reverse("datarights:export_download", args=[item.pk])).status_code
                == 404
            )
            assert (
                client.get(reverse("datarights:export_status", args=[item.pk])).status_code == 404
            )

    def test_the_progress_partial_polls_while_the_export_is_being_made_and_stops_after(
        self,
    ) -> None:
        item = Export.objects.create(
            user=self.p.alice, status=Export.Status.RUNNING, total=4, done=1
        )
        url = reverse("datarights:export_status", args=[item.pk])
        running = self.client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert 'data-hx-trigger="every 2s"' in running
        assert 'value="25"' in running
        page = self.client.get(reverse("datarights:export")).content.decode()
        assert "Refresh to see how far it has got" in page
        assert "Make a new export" not in page
        Export.objects.filter(pk=item.pk).update(status=Export.Status.FAILED)
        failed = self.client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert "data-hx-trigger" not in failed
        assert self.client.get(url).status_code == 302

    def test_asking_twice_while_one_is_being_made_does_not_start_a_second(self) -> None:
        running = Export.objects.create(user=self.p.alice, status=Export.Status.QUEUED)
        self.client.post(reverse("datarights:export_create"))
        assert list(Export.objects.filter(user=self.p.alice)) == [running]


class ExportSchemaTests(DataRightsTestCase):
    def test_the_schema_file_is_a_valid_json_schema(self) -> None:
        assert schema.validator().schema["title"].startswith("APPEAR Reflect export")

    def test_a_document_that_breaks_the_schema_is_described_by_where_it_breaks(self) -> None:
        problems = schema.problems({"format": "appear-reflect-export", "format_version": 2})
        assert any(problem.startswith("format_version:") for problem in problems)
        assert any("'person' is a required property" in problem for problem in problems)


class ExportFailureTests(DataRightsTestCase):
    def test_an_export_that_keeps_failing_is_marked_failed_and_shown_to_the_admin(self) -> None:
        blocked = Path(tempfile.mkdtemp()) / "not-a-directory"
        blocked.write_text("a file where the export directory should be")
        client = self.p.client_for(self.p.alice)
        with export_root(blocked), self.captureOnCommitCallbacks(execute=True):
            client.post(reverse("datarights:export_create"))
        item = Export.objects.get(user=self.p.alice)
        assert item.status == Export.Status.FAILED
        page = client.get(reverse("datarights:export")).content.decode()
        assert "Something went wrong while making it" in page
        failure = FailedTask.objects.get(task_name="datarights.tasks.build_export")
        assert failure.organisation == self.p.riverside
        assert failure.summary == "Export of Alice's material"
        assert failure.attempts == 4
        assert mail.outbox == []
