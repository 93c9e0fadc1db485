"""Import: an export ZIP comes in as the worker's own private reflections, or is refused whole.

The round trip exports demo-worker from the seeded demo, erases that account (as if the
worker had left), brings the ZIP into a new organisation as the same person (same user name
and address, as on another installation), and exports again: the two documents are equal
apart from ids, organisations and timestamps, for everything an import carries.
"""

from __future__ import annotations

import io
import json
import struct
import tempfile
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db.models import Model
from django.test import TestCase
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Organisation, User
from datarights import erasure, export, importer
from datarights.models import Import
from reflections.flow_selectors import reflection_snapshot, reflection_with_content
from reflections.models import (
    Action,
    Chain,
    ContextRating,
    PracticeTally,
    Reflection,
    ReflectionRevision,
)
from reflections.services import reflection_amend
from supervision.models import Comment, Share
from tests.base import make_member, make_user
from tests.datarights.support import DataRightsTestCase
from tests.reflections.flow_support import load_framework

# What an import does not carry (docs/export-format.md): other people's words and actions.
NOT_CARRIED = {
    "shares",
    "comments",
    "supervision_records",
    "my_activity",
    "audit_about_my_material",
}
CHANGED_BY_DESIGN = {"export_id", "site", "organisations"}


def comparable(value: Any) -> Any:
    """`value` without ids, organisations and timestamps, and without what an import drops."""
    if isinstance(value, dict):
        return {
            key: comparable(item)
            for key, item in value.items()
            if key not in NOT_CARRIED | CHANGED_BY_DESIGN
            and key != "id"
            and not key.endswith(("_id", "_ids", "_at"))
        }
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def zip_of(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def export_zip(user: User) -> tuple[dict[str, Any], io.BytesIO]:
    path = Path(tempfile.mkdtemp()) / "export.zip"
    document = export.write_zip(user=user, path=path, with_pdfs=False)
    return document, io.BytesIO(path.read_bytes())


class RoundTripTests(TestCase):
    def test_demo_worker_exported_imported_elsewhere_and_exported_again_is_the_same(
        self,
    ) -> None:
        load_framework()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", "--allow-production", stdout=StringIO())
        worker = User.objects.get(username="demo-worker")
        # History the demo lacks: one amendment kept, and one open.
        kept, open_one = Reflection.objects.filter(
            author=worker, status=Reflection.Status.SUBMITTED
        )[:2]
        snapshot = reflection_snapshot(reflection_with_content(reflection=kept))
        ReflectionRevision.objects.create(reflection=kept, revision=1, snapshot=snapshot)
        reflection_amend(reflection=open_one, by=worker)
        Reflection.objects.filter(pk=worker.reflections.filter(status="draft")[0].pk).update(
            unsent_answers={"session_date": "31/02/2026"}
        )
        first, archive = export_zip(worker)
        assert len(first["reflections"]) > 20
        assert sum(bool(r["amendment_history"]) for r in first["reflections"]) == 1
        assert sum(bool(r["open_amendment_base"]) for r in first["reflections"]) == 1
        erasure.account_erase(user_id=worker.pk)

        elsewhere = Organisation.objects.create(name="Elsewhere Peer Support", slug="elsewhere")
        again = User.objects.create_user(
            username="demo-worker", email="demo-worker@example.org", display_name="Dee Worker"
        )
        again.display_name = first["person"]["display_name"]
        again.save()
        make_member(again, elsewhere, Membership.Role.PEER_WORKER)
        record = importer.import_upload(upload=archive, user=again, organisation=elsewhere)
        assert record.reflections == len(first["reflections"])

        second, _archive = export_zip(again)
        assert comparable(second) == comparable(first)
        compared = comparable(first)
        assert compared["person"]["username"] == "demo-worker"
        assert all(reflection["context_ratings"] for reflection in compared["reflections"][:5])
        assert second["organisations"][0]["name"] == "Elsewhere Peer Support"
        assert not Share.objects.filter(reflection__author=again).exists()
        assert not Comment.objects.filter(reflection__author=again).exists()
        assert again.reflections.filter(unsent_answers={"session_date": "31/02/2026"}).exists()
        imported_actions = Action.objects.filter(reflection__author=again)
        assert imported_actions.exists()
        assert set(imported_actions.values_list("author", flat=True)) == {again.pk}


def counts() -> dict[str, int]:
    models: list[type[Model]] = [
        Reflection,
        ContextRating,
        Chain,
        ReflectionRevision,
        Import,
        AuditEvent,
    ]
    return {model.__name__: model._default_manager.count() for model in models}


class ImportTests(DataRightsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Alice has moved to Hillside: same person, same address, a new membership.
        make_member(cls.p.alice, cls.p.hillside, Membership.Role.PEER_WORKER)

    def setUp(self) -> None:
        self.document, archive = export_zip(self.p.alice)
        self.archive = archive.getvalue()

    def refused(self, upload: io.BytesIO, *, user: User | None = None) -> str:
        before = counts()
        try:
            importer.import_upload(
                upload=upload, user=user or self.p.alice, organisation=self.p.hillside
            )
        except importer.ImportRefused as refusal:
            assert counts() == before
            return str(refusal)
        raise AssertionError("The import was not refused.")

    def with_document(self, document: Any, **extra: bytes) -> io.BytesIO:
        return zip_of({"export.json": json.dumps(document).encode(), **extra})

    def test_reflections_come_in_as_the_workers_own_private_unshared_ones(self) -> None:
        client = self.p.client_for(self.p.alice)
        upload = io.BytesIO(self.archive)
        upload.name = "export.zip"
        response = client.post(
            reverse("datarights:import"),
            {"archive": upload, "organisation": self.p.hillside.pk},
        )
        assert response.status_code == 302
        imported = Reflection.objects.filter(organisation=self.p.hillside, author=self.p.alice)
        assert imported.count() == 2
        assert not Share.objects.filter(reflection__in=imported).exists()
        assert not Comment.objects.filter(reflection__in=imported).exists()
        first = imported.get(session_date=self.first.session_date)
        assert first.what_happened == self.first.what_happened
        assert first.revisions.count() == 1
        assert first.context_ratings.count() == self.first.context_ratings.count()
        assert first.framework_version == self.version
        event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_IMPORTED)
        assert (event.actor, event.organisation, event.detail) == (
            self.p.alice,
            self.p.hillside,
            {"reflections": 2},
        )

    def test_imported_reflections_count_in_my_practice_at_once(self) -> None:
        client = self.p.client_for(self.p.alice)
        upload = io.BytesIO(self.archive)
        upload.name = "export.zip"

        client.post(
            reverse("datarights:import"),
            {"archive": upload, "organisation": self.p.hillside.pk},
        )

        imported = Reflection.objects.filter(
            organisation=self.p.hillside, author=self.p.alice, status=Reflection.Status.SUBMITTED
        )
        counted = PracticeTally.objects.filter(
            author=self.p.alice,
            organisation=self.p.hillside,
            kind=PracticeTally.Kind.REFLECTIONS,
        )
        assert imported.exists()
        assert sum(tally.count for tally in counted) == imported.count()

    def test_the_page_refuses_a_bad_file_next_to_the_field(self) -> None:
        client = self.p.client_for(self.p.alice)
        upload = io.BytesIO(b"not a zip")
        upload.name = "export.zip"
        response = client.post(
            reverse("datarights:import"), {"archive": upload, "organisation": self.p.hillside.pk}
        )
        assert response.status_code == 200
        assert "This file is not a ZIP file made by APPEAR Reflect." in response.content.decode()

    def test_a_file_that_is_not_a_zip_is_refused(self) -> None:
        assert "not a ZIP file" in self.refused(io.BytesIO(b"PK\x03\x04 but not really"))

    def test_a_document_of_the_wrong_schema_is_refused_with_where_it_is_wrong(self) -> None:
        broken = {**self.document, "reflections": [{"id": "seven"}]}
        message = self.refused(self.with_document(broken))
        assert "does not follow the export format" in message
        assert "reflections/0" in message
        newer = {**self.document, "format_version": 2}
        assert "format version 2" in self.refused(self.with_document(newer))

    def test_another_persons_export_is_refused(self) -> None:
        message = self.refused(io.BytesIO(self.archive), user=self.p.bob)
        assert "made for someone else" in message

    def test_names_that_point_outside_the_zip_are_refused(self) -> None:
        for name in ("../../etc/passwd", "/etc/passwd", "reflections/../../x", "C:\\x.txt"):
            upload = self.with_document(self.document, **{name: b"x"})
            assert "points outside it" in self.refused(upload), name

    def test_a_zip_bomb_is_refused_without_being_unpacked(self) -> None:
        # 65 MB of spaces compresses to about 64 kB.
        bomb = zip_of({"export.json": b" " * (importer.MAX_JSON_BYTES + 1)})
        assert "too large" in self.refused(bomb)

    def test_a_zip_whose_entries_claim_to_unpack_beyond_the_limit_is_refused(self) -> None:
        data = bytearray(
            self.with_document(self.document, **{f"r{i}.pdf": b"x" for i in range(3)}).getvalue()
        )
        # Rewrite each central directory entry's uncompressed size to nearly 4 GB.
        start = 0
        while (start := data.find(b"PK\x01\x02", start)) != -1:
            struct.pack_into("<I", data, start + 24, 0xFFFFFF00)
            start += 4
        assert "far more than an export" in self.refused(io.BytesIO(bytes(data)))

    def test_ten_thousand_reflections_are_refused(self) -> None:
        many = {**self.document, "reflections": [self.document["reflections"][0]] * 10_000}
        message = self.refused(self.with_document(many))
        assert "holds 10000 reflections" in message

    def test_a_framework_version_this_site_does_not_have_is_named(self) -> None:
        unknown = "f" * 64
        document = json.loads(json.dumps(self.document))
        document["reflections"][0]["framework_version"] = unknown
        document["framework_versions"].append(
            {"content_hash": unknown, "label": "2031.1", "name": "APPEAR"}
        )
        message = self.refused(self.with_document(document))
        assert "framework version this site does not have (2031.1 ffffffffffff)" in message

    def test_a_part_of_the_framework_the_version_does_not_have_is_named(self) -> None:
        document = json.loads(json.dumps(self.document))
        document["reflections"][0]["chains"][0]["mechanism"] = "i_can_fly"
        assert "mechanism “i_can_fly”" in self.refused(self.with_document(document))

    def test_the_same_export_cannot_be_imported_twice(self) -> None:
        importer.import_upload(
            upload=io.BytesIO(self.archive), user=self.p.alice, organisation=self.p.hillside
        )
        assert "already imported" in self.refused(io.BytesIO(self.archive))

    def test_someone_who_is_not_a_peer_worker_anywhere_is_told_so(self) -> None:
        page = self.p.client_for(self.p.sam).get(reverse("datarights:import")).content.decode()
        assert "not an active peer worker" in page
        trainer = make_user("trainer2")
        assert self.p.client_for(trainer).get(reverse("datarights:import")).status_code == 200
