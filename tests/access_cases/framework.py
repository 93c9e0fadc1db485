"""Matrix entries for the public framework explorer: every page is open to everyone.

The world loads the project's APPEAR data, as a site does after `manage.py load_framework`.
Unknown keys are a 404 for everyone; the explorer takes no POST.
"""

from __future__ import annotations

from django.conf import settings

from framework.services import framework_data_read, framework_load
from tests.access_cases.core import NOT_ALLOWED, NOT_FOUND, OK, Case, World


def extend_world(world: World) -> None:
    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    world.objects["mechanism_key"] = version.mechanisms.order_by("pk").first().key  # type: ignore[union-attr]
    world.objects["domain_key"] = version.outcome_domains.order_by("pk").first().key  # type: ignore[union-attr]


def key(value: str) -> object:
    return lambda world: {"key": value}


def key_from(name: str) -> object:
    return lambda world: {"key": world.objects[name]}


CASES = [
    Case("framework:overview", default=OK),
    Case("framework:overview", default=NOT_ALLOWED, method="post"),
    Case("framework:context", default=OK, kwargs=key("accepting")),
    Case("framework:context", default=NOT_FOUND, kwargs=key("no-such-context"), note="unknown"),
    Case("framework:mechanism", default=OK, kwargs=key_from("mechanism_key")),
    Case("framework:mechanism", default=NOT_FOUND, kwargs=key("no-such-mechanism"), note="unknown"),
    Case("framework:outcome", default=OK, kwargs=key_from("domain_key")),
    Case("framework:outcome", default=NOT_FOUND, kwargs=key("no-such-domain"), note="unknown"),
    Case("framework:references", default=OK),
    Case("framework:search", default=OK, query="q=accepting"),
    Case("framework:search", default=OK, query="q=%3Cscript%3E" + "x" * 300, note="odd query"),
    Case("framework:search", default=NOT_ALLOWED, method="post"),
]
