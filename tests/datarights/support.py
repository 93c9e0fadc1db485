"""Shared set-up for the data-rights tests: personas with reflections, comments and a record."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

from django.test import TestCase, override_settings
from django.utils import timezone

from framework.models import Context, FrameworkVersion
from reflections.models import Reflection, ReflectionRevision
from supervision.models import Comment, RecordAction, Share, SupervisionCheck, SupervisionRecord
from tests.base import Personas, make_personas
from tests.reflections.flow_support import draft, load_framework

# Words that appear nowhere but in Alice's own writing, to look for after an erasure.
ALICE_TEXT = "Zanzibar-quokka-7341"


def submitted(personas: Personas, version: FrameworkVersion, **fields: Any) -> Reflection:
    reflection = draft(
        author=fields.pop("author", personas.alice),
        organisation=fields.pop("organisation", personas.riverside),
        version=version,
        chains=1,
        actions=1,
        **fields,
    )
    reflection.status = Reflection.Status.SUBMITTED
    reflection.submitted_at = timezone.now() - timedelta(days=1)
    reflection.save(update_fields=["status", "submitted_at"])
    return reflection


def read_zip(content: bytes) -> tuple[dict[str, Any], list[str], zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("export.json")), sorted(archive.namelist()), archive


class DataRightsTestCase(TestCase):
    p: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]
    first: ClassVar[Reflection]
    second: ClassVar[Reflection]
    record: ClassVar[SupervisionRecord]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.version = load_framework()
        cls.p = make_personas()
        p = cls.p
        today = timezone.localdate()
        cls.first = submitted(
            p,
            cls.version,
            session_date=today - timedelta(days=20),
            person_label="J",
            what_happened=f"We walked by the river. {ALICE_TEXT}",
        )
        cls.second = submitted(p, cls.version, session_date=today - timedelta(days=5))
        ReflectionRevision.objects.create(
            reflection=cls.first,
            revision=1,
            snapshot={"schema": 1, "what_happened": "An earlier telling."},
        )
        Share.objects.create(reflection=cls.first, supervisor=p.sam, link=p.sam_alice)
        question = Comment.objects.create(
            reflection=cls.first, author=p.sam, body="What helped most?"
        )
        Comment.objects.create(
            reflection=cls.first,
            author=p.alice,
            parent=question,
            body=f"Listening without hurry. {ALICE_TEXT}",
        )
        cls.record = SupervisionRecord.objects.create(
            organisation=p.riverside,
            link=p.sam_alice,
            worker=p.alice,
            supervisor=p.sam,
            held_on=today - timedelta(days=3),
            attendees="Alice, Sam",
            explored="Walking sessions and pacing.",
            worker_signed_at=timezone.now(),
            supervisor_signed_at=timezone.now(),
        )
        cls.record.reflections.set([cls.first])
        SupervisionCheck.objects.create(
            record=cls.record,
            context=Context.objects.get(version=cls.version, key="accepting"),
            rating=2,
        )
        RecordAction.objects.create(
            record=cls.record, text="Plan shorter walks", owner=p.alice, due_on=date(2026, 7, 1)
        )
        # Someone else's material, which must never appear in Alice's export.
        submitted(p, cls.version, author=p.bob, what_happened="Bob's own session")


def export_root(tmp: Path) -> Any:
    return override_settings(EXPORT_ROOT=tmp)
