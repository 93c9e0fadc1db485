"""Access matrix entries for My reflections and My practice (reflections/urls_practice.py).

Both pages show only the signed-in person's own reflections, so every signed-in persona gets
the page (a supervisor, trainer or admin without reflections of their own sees an empty one,
never anyone else's; tests/reflections/test_list_page.py and test_practice_page.py check the
content). Visitors are sent to sign in. Bad filter values are reported on the page, never an
error. Both take GET only, and answer 405 to POST before any sign-in check.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from framework.services import framework_data_read, framework_load
from reflections.models import Reflection
from tests.access_cases.core import LOGIN, NOT_ALLOWED, OK, Case, World, everyone


def extend_world(world: World) -> None:
    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    Reflection.objects.create(
        author=world.p.alice,
        organisation=world.p.riverside,
        framework_version=version,
        status=Reflection.Status.SUBMITTED,
        submitted_at=timezone.now(),
        what_happened="A walk to the garden",
    )


SIGNED_IN = everyone(OK, anonymous=LOGIN)

CASES = [
    Case("reflections:list", answers=SIGNED_IN),
    Case(
        "reflections:list",
        answers=SIGNED_IN,
        query="q=garden&context=accepting&status=submitted&period=3m&page=2",
        note="filters",
    ),
    Case(
        "reflections:list",
        answers=SIGNED_IN,
        query="context=no-such&date_from=2025-02-30&q=" + "x" * 300 + "&page=-1",
        note="bad filters",
    ),
    Case("reflections:list", default=NOT_ALLOWED, method="post"),
    Case("reflections:practice", answers=SIGNED_IN),
    Case("reflections:practice", answers=SIGNED_IN, query="period=all", note="all time"),
    Case(
        "reflections:practice",
        answers=SIGNED_IN,
        query="date_from=2025-06-01&date_to=2025-01-01",
        note="bad period",
    ),
    Case("reflections:practice", default=NOT_ALLOWED, method="post"),
]
