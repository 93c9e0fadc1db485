"""Delete workshop participants a set number of days after their workshop closed.

Run it daily (cron or a systemd timer). Answers stay, without names or free text, so the
trainer keeps the results.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from workshops.services import participants_purge


class Command(BaseCommand):
    help = (
        "Delete participants of workshops closed more than WORKSHOP_PARTICIPANT_RETENTION_DAYS ago."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.WORKSHOP_PARTICIPANT_RETENTION_DAYS,
            help="Days after closing (default: the WORKSHOP_PARTICIPANT_RETENTION_DAYS setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = participants_purge(now=timezone.now(), days=max(options["days"], 0))
        self.stdout.write(f"Deleted {deleted} workshop participants.")
