"""Delete what each organisation's retention periods no longer allow (docs/retention.md).

`--dry-run` lists what would be deleted, per organisation and kind, and changes nothing.
The daily Celery beat task runs the same code without --dry-run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from datarights import retention


class Command(BaseCommand):
    help = "Delete material past its organisation's retention period (--dry-run: only list it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be deleted, per organisation and kind; delete nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        now = timezone.now()
        items = retention.plan(now=now) if dry_run else retention.apply(now=now)
        verb = "would delete" if dry_run else "deleted"
        heading = "dry run, nothing deleted" if dry_run else "applied"
        self.stdout.write(f"Retention at {timezone.localtime(now):%Y-%m-%d %H:%M %Z} ({heading})")
        for item in items:
            owner = item.organisation.slug if item.organisation is not None else "(no organisation)"
            ids = ", ".join(str(pk) for pk in item.ids)
            self.stdout.write(
                f"{owner}\t{item.kind.key}\tkept {item.days} days\t{verb} {len(item.ids)}"
                + (f"\tids: {ids}" if ids else "")
            )
