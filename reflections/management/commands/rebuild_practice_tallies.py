"""Recompute My practice's tallies from the reflections themselves.

Writes keep the tallies in step (reflections.practice_tally); this is for a database whose
tallies were lost or written by older code, and for rows written outside the services.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reflections.practice_tally import rebuild


class Command(BaseCommand):
    help = "Recompute My practice's per-worker monthly tallies from the reflections."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--author", type=int, action="append", help="Only this author's id (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild(author_ids=options["author"])
        self.stdout.write(f"Wrote {written} practice tallies.")
