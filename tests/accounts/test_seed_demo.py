"""The seed_demo command: the demo organisations and sign-ins, idempotent, refused in production."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from accounts import access
from accounts.models import Membership, Organisation, SupervisionLink, User
from demo.people import DEMO_PASSWORD
from framework.services import framework_data_read, framework_load

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the project's models know about, in primary key order."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        tables[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return tables


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class SeedDemoTests(TestCase):
    def test_it_refuses_to_run_with_debug_off(self) -> None:
        with pytest.raises(CommandError, match="--allow-production"):
            seed()
        assert not User.objects.exists()

    @override_settings(DEBUG=True)
    def test_with_debug_on_it_runs_without_the_flag(self) -> None:
        seed()
        assert User.objects.filter(username="demo-worker").exists()

    def test_it_creates_both_organisations_and_every_sign_in(self) -> None:
        output = seed("--allow-production")
        riverside = Organisation.objects.get(name="Riverside Peer Support")
        hillside = Organisation.objects.get(name="Hillside Recovery Service")
        expected = {
            "demo-worker": (riverside, ["peer_worker"]),
            "demo-worker-2": (riverside, ["peer_worker"]),
            "demo-supervisor": (riverside, ["supervisor"]),
            "demo-trainer": (riverside, ["trainer"]),
            "demo-admin": (riverside, ["org_admin"]),
            "other-worker": (hillside, ["peer_worker"]),
            "other-supervisor": (hillside, ["supervisor"]),
        }
        for username, (organisation, roles) in expected.items():
            membership = Membership.objects.get(user__username=username)
            assert membership.organisation == organisation, username
            assert membership.roles == roles, username
            assert membership.user.check_password(DEMO_PASSWORD), username
            assert username in output
        assert User.objects.get(username="demo-site-admin").is_superuser

    def test_the_demo_supervisor_supervises_both_workers_and_nobody_needs_two_factor(self) -> None:
        seed("--allow-production")
        users = {user.username: user for user in User.objects.all()}
        assert access.is_supervisor_of(users["demo-supervisor"], users["demo-worker"])
        assert access.is_supervisor_of(users["demo-supervisor"], users["demo-worker-2"])
        assert access.is_supervisor_of(users["other-supervisor"], users["other-worker"])
        assert not access.is_supervisor_of(users["other-supervisor"], users["demo-worker"])
        assert not Organisation.objects.filter(requires_two_factor=True).exists()
        assert not apps.get_model("mfa", "Authenticator").objects.exists()

    def test_running_twice_leaves_the_database_as_after_once(self) -> None:
        seed("--allow-production")
        once = snapshot()
        seed("--allow-production")
        assert snapshot() == once
        assert SupervisionLink.objects.count() == 3

    def test_with_the_framework_loaded_twice_is_still_as_once_including_demo_reflections(
        self,
    ) -> None:
        framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
        output = seed("--allow-production")
        once = snapshot()
        seed("--allow-production")
        assert snapshot() == once
        assert "Demo reflections" in output
        assert once["reflections.Reflection"], "the demo workers have reflections"

    def test_a_second_run_restores_what_a_demo_visitor_changed(self) -> None:
        seed("--allow-production")
        once = snapshot()
        Organisation.objects.filter(slug="riverside").update(requires_two_factor=True)
        Membership.objects.filter(user__username="demo-worker").update(is_active=False)
        worker = User.objects.get(username="demo-worker")
        worker.set_password("changed-by-a-visitor")
        worker.save()
        seed("--allow-production")
        assert snapshot()["accounts.Organisation"] == once["accounts.Organisation"]
        assert Membership.objects.get(user=worker).is_active
        worker.refresh_from_db()
        assert worker.check_password(DEMO_PASSWORD)

    def test_if_empty_does_nothing_when_people_exist(self) -> None:
        User.objects.create(username="someone")
        output = seed("--allow-production", "--if-empty")
        assert "no demo data added" in output
        assert "demo-worker" not in output
        assert User.objects.count() == 1

    def test_if_empty_on_a_seeded_database_shows_the_sign_ins_again(self) -> None:
        seed("--allow-production")
        before = snapshot()
        output = seed("--allow-production", "--if-empty")
        assert "still here" in output
        assert f"demo-worker / {DEMO_PASSWORD}" in output
        assert snapshot() == before
