"""Load the workshop vignette library from its data file (idempotent, versioned)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workshops.services import VignetteDataError, vignette_data_read, vignettes_load


class Command(BaseCommand):
    help = "Load the vignette library. Unchanged vignettes change nothing; changed ones get a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.VIGNETTE_DATA_FILE),
            help="The YAML data file (default: the project's own).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = vignettes_load(entries=vignette_data_read(Path(options["path"])))
        except VignetteDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Vignettes: {report.created} new or changed, {report.unchanged} unchanged."
        )
