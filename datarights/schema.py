"""The export format's JSON Schema (docs/export-schema.json), checked with jsonschema."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_FILE = settings.BASE_DIR / "docs" / "export-schema.json"


class ExportInvalid(ValueError):
    """A document that does not follow the export format; the message says where."""


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def problems(document: Any, *, limit: int = 5) -> list[str]:
    """Up to `limit` plain descriptions of where `document` breaks the schema."""
    found = []
    for error in validator().iter_errors(document):
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        found.append(f"{where}: {error.message[:200]}")
        if len(found) >= limit:
            break
    return found


def validate_export(document: Any) -> None:
    found = problems(document)
    if found:
        raise ExportInvalid("; ".join(found))
