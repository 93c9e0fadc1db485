"""Shared set-up for the supervision record, brief and PDF tests.

Builds on the sharing tests' set-up (personas, the project's framework data, reflection and
share builders) and adds varied reflections and supervision records. Rows are made directly
with the models so each test starts from a known state; the services are tested on their own.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from pypdf import PdfReader

from accounts.models import SupervisionLink, User
from framework.models import Context
from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection
from supervision.models import RecordAction, SupervisionCheck, SupervisionRecord
from tests.supervision.sharing_support import SharingTestCase

CONTEXT_NAMES = ["Accepting", "Personalised Practice", "Empowering", "Available", "Reciprocal"]


def pdf_text(content: bytes) -> str:
    """All the text pypdf extracts from a PDF, pages joined, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def response_bytes(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


class RecordsTestCase(SharingTestCase):
    def contexts(self) -> list[Context]:
        return list(self.version.contexts.order_by("order"))

    def varied_reflection(
        self,
        index: int,
        *,
        author: User | None = None,
        session_date: date | None = None,
        **fields: Any,
    ) -> Reflection:
        """A submitted reflection whose ratings, chains and actions vary with `index`.

        Index 0 rates Accepting strongly and nothing else; other indexes spread ratings,
        chains and outcome observations over the framework so coverage and the map have
        something to count.
        """
        fields.setdefault("person_label", f"P{index % 7}")
        fields.setdefault("learning", f"Learning number {index}: slow down and ask what they want.")
        reflection = self.reflection(
            author,
            session_date=session_date or timezone.localdate() - timedelta(days=index + 1),
            **fields,
        )
        contexts = self.contexts()
        mechanisms = list(self.version.mechanisms.order_by("order"))
        domains = list(self.version.outcome_domains.order_by("number"))
        for position, context in enumerate(contexts):
            presence = 3 if position == 0 else (index + position) % 3
            ContextRating.objects.create(reflection=reflection, context=context, presence=presence)
        for offset in range(2):
            Chain.objects.create(
                reflection=reflection,
                order=offset + 1,
                context=contexts[(index + offset) % 3],
                mechanism=mechanisms[(index + offset) % len(mechanisms)],
                outcome_domain=domains[(index * 2 + offset) % 4],
                description=f"Chain {offset} of reflection {index}.",
            )
        OutcomeObservation.objects.create(
            reflection=reflection, domain=domains[index % 4], observation="Noticed something."
        )
        Action.objects.create(reflection=reflection, text=f"Reflection action {index}")
        return reflection

    def shared_reflections(
        self, count: int, link: SupervisionLink | None = None
    ) -> list[Reflection]:
        link = link or self.p.sam_alice
        made = []
        for index in range(count):
            reflection = self.varied_reflection(index, author=link.worker)
            self.share(reflection, link)
            made.append(reflection)
        return made

    def record(
        self,
        link: SupervisionLink | None = None,
        *,
        held_on: date | None = None,
        signed: bool = False,
        actions: tuple[str, ...] = ("Book a reflective session on endings",),
        **fields: Any,
    ) -> SupervisionRecord:
        """A record for `link` (default Sam and Alice), with five checks and the actions given."""
        link = link or self.p.sam_alice
        now = timezone.now()
        record = SupervisionRecord.objects.create(
            organisation=link.organisation,
            link=link,
            worker=link.worker,
            supervisor=link.supervisor,
            held_on=held_on or timezone.localdate(),
            attendees="Alice, Sam",
            explored="Endings, and how to say goodbye well.",
            worker_signed_at=now if signed else None,
            supervisor_signed_at=now if signed else None,
            **fields,
        )
        for position, context in enumerate(self.contexts()):
            SupervisionCheck.objects.create(
                record=record, context=context, rating=position % 4, note=f"Note {position}"
            )
        for text in actions:
            RecordAction.objects.create(
                record=record,
                text=text,
                owner=link.worker,
                due_on=timezone.localdate() + timedelta(days=14),
            )
        return record
