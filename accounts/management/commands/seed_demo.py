"""Create demo data so every page of a development site shows something."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User

DEMO_PASSWORD = "appear-demo-2025"  # noqa: S105


class Command(BaseCommand):
    help = "Create demo data. Idempotent. Refuses to run with DEBUG off unless --allow-production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has people in it.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off (never on a real service).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with a published password; with DEBUG off it "
                "needs --allow-production."
            )
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has people in it; no demo data added.")
            return
        admin, created = User.objects.get_or_create(
            username="demo-site-admin",
            defaults={"email": "demo-site-admin@example.org", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Site admin: demo-site-admin / {DEMO_PASSWORD} (Django admin at /admin/)"
            )
        )
