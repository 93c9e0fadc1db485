"""Shared set-up for the sharing, feedback and dashboard tests.

The personas (tests/base.py) plus the project's framework data, built once per class, and
small builders for reflections and shares. Shares are made directly here, not through the
service, so a test of the service or of the audit trail starts from a known state.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone

from accounts.models import Organisation, SupervisionLink, User
from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load
from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection
from supervision.models import Comment, Share
from tests.accounts.support import PersonasTestCase

# Free text that must never leave the reflection page: e-mails and audit details are searched
# for each of these.
SECRET_TEXTS = {
    "what_happened": "We walked by the canal and J talked about the hostel move.",
    "how_i_felt": "Worried I said too much about my own admission.",
    "went_well": "Sat with the silence instead of filling it.",
    "was_hard": "Ending on time when J was upset.",
    "unintended_effects": "J may have felt rushed at the end.",
    "learning": "Offer a clearer ending next time.",
}


class SharingTestCase(PersonasTestCase):
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version

    def reflection(
        self,
        author: User | None = None,
        *,
        organisation: Organisation | None = None,
        status: str = Reflection.Status.SUBMITTED,
        session_date: date | None = None,
        **fields: Any,
    ) -> Reflection:
        """A reflection of `author` (default Alice), submitted unless told otherwise."""
        return Reflection.objects.create(
            author=author or self.p.alice,
            organisation=organisation or self.p.riverside,
            framework_version=self.version,
            status=status,
            session_date=session_date or timezone.localdate(),
            submitted_at=timezone.now() if status == Reflection.Status.SUBMITTED else None,
            **fields,
        )

    def full_reflection(self, author: User | None = None, **fields: Any) -> Reflection:
        """A submitted reflection with every part filled in, its free text from SECRET_TEXTS."""
        reflection = self.reflection(
            author, **{"person_label": "J", "duration_minutes": 50, **SECRET_TEXTS, **fields}
        )
        contexts = list(self.version.contexts.order_by("order"))
        mechanism = self.version.mechanisms.order_by("order").first()
        domain = self.version.outcome_domains.order_by("number").first()
        assert mechanism is not None
        assert domain is not None
        for index, context in enumerate(contexts):
            rating = ContextRating.objects.create(
                reflection=reflection,
                context=context,
                presence=index % 4,
                evidence=f"Evidence for {context.key}: I listened.",
            )
            rating.factors.set(list(context.factors.all()[:1]))
        Chain.objects.create(
            reflection=reflection,
            context=contexts[0],
            mechanism=mechanism,
            outcome_domain=domain,
            description="Because I was accepting, J opened up.",
        )
        OutcomeObservation.objects.create(
            reflection=reflection, domain=domain, observation="J laughed for the first time."
        )
        Action.objects.create(reflection=reflection, text="Call the hostel with J")
        return reflection

    def share(
        self, reflection: Reflection, link: SupervisionLink | None = None, **fields: Any
    ) -> Share:
        """An open share of `reflection` through `link` (default Sam supervising Alice)."""
        link = link or self.p.sam_alice
        return Share.objects.create(
            reflection=reflection, supervisor=link.supervisor, link=link, **fields
        )

    def comment(self, reflection: Reflection, author: User, body: str, **fields: Any) -> Comment:
        return Comment.objects.create(reflection=reflection, author=author, body=body, **fields)
