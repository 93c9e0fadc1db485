"""The export of one person's material: a versioned JSON document, a PDF of each reflection
and record, and a README in plain words, written into one ZIP.

The JSON format is documented in docs/export-format.md and described by the JSON Schema in
docs/export-schema.json; every document written here is checked against it before the ZIP is
finished, so an export that does not match its own documentation is never handed out.
Framework parts are named by their keys and framework versions by their content hash, so an
export can be read back on another installation whose database ids differ.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from accounts.models import AuditEvent, User
from datarights import schema, selectors
from framework.selectors import current_version
from reflections.models import Reflection
from reflections.reading import Reader, read_reflection
from supervision import pdf
from supervision.models import SupervisionRecord
from supervision.records.selectors import records_with_detail

FORMAT = "appear-reflect-export"
FORMAT_VERSION = 1
JSON_NAME = "export.json"
README_NAME = "README.txt"

Progress = Callable[[int, int], None]


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def reflection_pdf_name(reflection: Reflection) -> str:
    return f"reflections/{reflection.session_date.isoformat()}-reflection-{reflection.pk}.pdf"


def record_pdf_name(record: SupervisionRecord) -> str:
    return (
        f"supervision-records/{record.held_on.isoformat()}-record-{record.pk}-v{record.version}.pdf"
    )


def reflection_data(reflection: Reflection, *, user: User, with_pdf: bool) -> dict[str, Any]:
    """One reflection with its history, shares and comments; needs `export_reflections` rows."""
    return {
        "id": reflection.pk,
        "organisation_id": reflection.organisation_id,
        "framework_version": reflection.framework_version.content_hash,
        "status": reflection.status,
        "revision": reflection.revision,
        "created_at": _when(reflection.created_at),
        "updated_at": _when(reflection.updated_at),
        "submitted_at": _when(reflection.submitted_at),
        "amended_at": _when(reflection.amended_at),
        "session_date": _when(reflection.session_date),
        "duration_minutes": reflection.duration_minutes,
        "setting": reflection.setting,
        "contact_stage": reflection.contact_stage,
        "person_label": reflection.person_label,
        "what_happened": reflection.what_happened,
        "how_i_felt": reflection.how_i_felt,
        "went_well": reflection.went_well,
        "was_hard": reflection.was_hard,
        "unintended_effects": reflection.unintended_effects,
        "learning": reflection.learning,
        "bring_to_supervision": reflection.bring_to_supervision,
        "privacy_confirmed": list(reflection.privacy_confirmed or []),
        # A draft's answers kept as typed (not valid yet) are the worker's words too.
        "unsent_answers": {
            str(name): str(text) for name, text in (reflection.unsent_answers or {}).items()
        },
        "context_ratings": [
            {
                "context": rating.context.key,
                "presence": rating.presence,
                "factors": sorted(factor.key for factor in rating.factors.all()),
                "evidence": rating.evidence,
            }
            for rating in reflection.context_ratings.all()
        ],
        "chains": [
            {
                "order": chain.order,
                "context": chain.context.key,
                "mechanism": chain.mechanism.key,
                "outcome_domain": chain.outcome_domain.key,
                "description": chain.description,
                "confidence": chain.confidence,
            }
            for chain in reflection.chains.all()
        ],
        "outcome_observations": [
            {"domain": observation.domain.key, "observation": observation.observation}
            for observation in reflection.outcome_observations.all()
        ],
        "actions": [
            {
                "order": action.order,
                "text": action.text,
                "due_on": _when(action.due_on),
                "done_at": _when(action.done_at),
            }
            for action in reflection.actions.all()
        ],
        "open_amendment_base": reflection.amendment_base,
        "amendment_history": [
            {
                "revision": revision.revision,
                "created_at": _when(revision.created_at),
                "snapshot": revision.snapshot,
            }
            for revision in reflection.revisions.all()
        ],
        "shares": [
            {
                "supervisor": share.supervisor.get_display_name(),
                "shared_at": _when(share.shared_at),
                "withdrawn_at": _when(share.withdrawn_at),
                "discussed_at": _when(share.discussed_at),
            }
            for share in reflection.shares.all()
        ],
        "comments": [
            {
                "id": comment.pk,
                "parent_id": comment.parent_id,
                "author": comment.author.get_display_name(),
                "by_me": comment.author_id == user.pk,
                "body": comment.body,
                "created_at": _when(comment.created_at),
            }
            for comment in reflection.comments.all()
        ],
        "pdf": reflection_pdf_name(reflection) if with_pdf else None,
    }


def record_data(record: SupervisionRecord, *, user: User, with_pdf: bool) -> dict[str, Any]:
    return {
        "id": record.pk,
        "organisation_id": record.organisation_id,
        "my_role": "worker" if record.worker_id == user.pk else "supervisor",
        "worker": record.worker.get_display_name(),
        "supervisor": record.supervisor.get_display_name(),
        "held_on": _when(record.held_on),
        "attendees": record.attendees,
        "explored": record.explored,
        "version": record.version,
        "previous_id": record.previous_id,
        "worker_signed_at": _when(record.worker_signed_at),
        "supervisor_signed_at": _when(record.supervisor_signed_at),
        "created_at": _when(record.created_at),
        "updated_at": _when(record.updated_at),
        "discussed_reflection_ids": sorted(r.pk for r in record.reflections.all()),
        "checks": [
            {"context": check.context.key, "rating": check.rating, "note": check.note}
            for check in record.checks.all()
        ],
        "actions": [
            {
                "text": action.text,
                "owner": action.owner.get_display_name(),
                "due_on": _when(action.due_on),
                "done_at": _when(action.done_at),
            }
            for action in record.actions.all()
        ],
        "pdf": record_pdf_name(record) if with_pdf else None,
    }


def _event(event: AuditEvent, *, with_ip: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "occurred_at": _when(event.occurred_at),
        "action": event.action,
        "description": str(event.get_action_display()),
        "organisation_id": event.organisation_id,
        "actor": event.actor.get_display_name() if event.actor is not None else None,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "detail": event.detail,
    }
    if with_ip:
        data["ip_address"] = event.ip_address
    return data


def build_document(
    *, user: User, with_pdfs: bool = True
) -> tuple[dict[str, Any], list[Reflection], list[SupervisionRecord]]:
    """The export document for `user`, and the reflections and records it prints."""
    reflections = list(selectors.export_reflections(user=user))
    records = list(selectors.export_records(user=user))
    versions = {r.framework_version.content_hash: r.framework_version for r in reflections}
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "export_id": uuid.uuid4().hex,
        "exported_at": _when(timezone.now()),
        "site": settings.SITE_URL,
        "person": {
            "id": user.pk,
            "username": user.username,
            "display_name": user.get_display_name(),
            "email": user.email,
        },
        "organisations": [
            {
                "id": membership.organisation_id,
                "name": membership.organisation.name,
                "slug": membership.organisation.slug,
                "roles": membership.roles,
                "active": membership.is_active,
                "joined_at": _when(membership.joined_at),
            }
            for membership in selectors.export_memberships(user=user)
        ],
        "framework_versions": [
            {"content_hash": key, "label": version.label, "name": version.name}
            for key, version in sorted(versions.items())
        ],
        "reflections": [
            reflection_data(reflection, user=user, with_pdf=with_pdfs) for reflection in reflections
        ],
        "supervision_records": [
            record_data(record, user=user, with_pdf=with_pdfs) for record in records
        ],
        "my_activity": [_event(event, with_ip=True) for event in selectors.audit_by(user=user)],
        "audit_about_my_material": [
            _event(event, with_ip=False) for event in selectors.audit_about(user=user)
        ],
    }
    return document, reflections, records


class PdfRenderer:
    """supervision.pdf's rendering, with fonts and images loaded once for the whole export.

    The same templates, fetcher and PDF options as the site's own PDF downloads; keeping
    WeasyPrint's font configuration and image cache between documents makes each PDF about
    a third faster, which matters for an export of hundreds.
    """

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        self.cache: dict[str, Any] = {}
        self.version = current_version()

    def _render(self, template_name: str, context: dict[str, Any]) -> bytes:
        html = pdf.render_html(template_name=template_name, context=context)
        document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.StaticFilesOnly())
        result = document.write_pdf(
            font_config=self.font_config, cache=self.cache, **pdf.PDF_OPTIONS
        )
        assert isinstance(result, bytes)
        return result

    def reflection(self, reflection: Reflection) -> bytes:
        """The reflection as its author reads it (reflections.reading), as the site prints it."""
        reading = read_reflection(reflection=reflection, reader=Reader.AUTHOR, history=False)
        return self._render(
            "supervision/pdf/reflection.html",
            {
                "reflection": reflection,
                "content": reading.content,
                "as_shared_copy": False,
                "version": reflection.framework_version,
            },
        )

    def record(self, record: SupervisionRecord) -> bytes:
        detailed = records_with_detail(SupervisionRecord.objects.filter(pk=record.pk)).get()
        return self._render(
            "supervision/pdf/record.html", {"record": detailed, "version": self.version}
        )


def readme_text(document: dict[str, Any]) -> str:
    return render_to_string(
        "datarights/export_readme.txt",
        {
            "document": document,
            "reflection_count": len(document["reflections"]),
            "record_count": len(document["supervision_records"]),
        },
    )


def write_zip(
    *,
    user: User,
    path: Path,
    with_pdfs: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write `user`'s export to `path` and return its JSON document.

    `progress(done, total)` is called as the PDFs are written. Without PDFs (`with_pdfs`
    False) the document says so (each "pdf" is null): the round-trip test compares only the
    JSON, and making a hundred PDFs twice would only slow it down.
    """
    document, reflections, records = build_document(user=user, with_pdfs=with_pdfs)
    schema.validate_export(document)
    total = (len(reflections) + len(records) if with_pdfs else 0) + 1
    done = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(README_NAME, readme_text(document))
        if with_pdfs:
            renderer = PdfRenderer()
            for reflection in reflections:
                archive.writestr(reflection_pdf_name(reflection), renderer.reflection(reflection))
                done += 1
                if progress is not None:
                    progress(done, total)
            for record in records:
                archive.writestr(record_pdf_name(record), renderer.record(record))
                done += 1
                if progress is not None:
                    progress(done, total)
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=2))
        done += 1
        if progress is not None:
            progress(done, total)
    return document
