"""Small builders for the My reflections and My practice tests.

`write_reflection` spells out one reflection with only what a test cares about; everything
else takes a plain default. `load_framework` loads the project's APPEAR data the same way as
the `framework_version` fixture in tests/conftest.py, for `setUpTestData`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.conf import settings

from accounts.models import Organisation, User
from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load
from reflections import practice_tally
from reflections.models import Chain, ContextRating, OutcomeObservation, Reflection
from reflections.services import reflection_refresh_search_text


def load_framework() -> FrameworkVersion:
    """The project's APPEAR data as the current version (as the `framework_version` fixture)."""
    return framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version


def write_reflection(
    *,
    author: User,
    organisation: Organisation,
    version: FrameworkVersion,
    session_date: date,
    presence: Mapping[str, int | None] | None = None,
    chains: Iterable[tuple[str, str, str]] = (),
    observations: Iterable[str] = (),
    status: str = Reflection.Status.SUBMITTED,
    **fields: object,
) -> Reflection:
    """One reflection with ratings (by context key), chains and observations (by key)."""
    reflection = Reflection.objects.create(
        author=author,
        organisation=organisation,
        framework_version=version,
        session_date=session_date,
        status=status,
        **fields,
    )
    contexts = {context.key: context for context in version.contexts.all()}
    mechanisms = {mechanism.key: mechanism for mechanism in version.mechanisms.all()}
    domains = {domain.key: domain for domain in version.outcome_domains.all()}
    for key, value in (presence or {}).items():
        ContextRating.objects.create(reflection=reflection, context=contexts[key], presence=value)
    for order, (context, mechanism, domain) in enumerate(chains, start=1):
        Chain.objects.create(
            reflection=reflection,
            order=order,
            context=contexts[context],
            mechanism=mechanisms[mechanism],
            outcome_domain=domains[domain],
        )
    for key in observations:
        OutcomeObservation.objects.create(reflection=reflection, domain=domains[key])
    # Written directly, not through the services, so the tallies are refreshed here.
    practice_tally.refresh(author=author, months=[session_date])
    # Rows written here, not through the services, so the search copy is refreshed by hand.
    reflection_refresh_search_text(reflections=Reflection.objects.filter(pk=reflection.pk))
    return reflection
