"""Load the APPEAR framework data file as a (possibly new) framework version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from framework.services import FrameworkDataError, framework_data_read, framework_load


class Command(BaseCommand):
    help = "Load the APPEAR framework from its data file. Unchanged content changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.FRAMEWORK_DATA_FILE),
            help="The YAML data file (default: the project's own).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            result = framework_load(data=framework_data_read(path))
        except FrameworkDataError as error:
            raise CommandError(str(error)) from error
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {result.version} as a new version."))
        else:
            self.stdout.write(f"{result.version} is already loaded; nothing changed.")
