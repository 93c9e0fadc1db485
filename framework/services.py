"""Writes to the framework: loading a data file as a new, immutable version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from framework.models import (
    Context,
    Factor,
    FeedbackLoop,
    FrameworkVersion,
    Limitation,
    Link,
    Mechanism,
    MechanismGroup,
    OtherStatedLink,
    Outcome,
    OutcomeDomain,
    Reference,
    StakeholderReflection,
    Tension,
)


class FrameworkDataError(ValueError):
    """The data file is not a valid APPEAR framework file."""


@dataclass(frozen=True)
class LoadResult:
    version: FrameworkVersion
    created: bool


def framework_data_read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FrameworkDataError(f"Cannot read {path}: {error}") from error
    if not isinstance(data, dict) or "contexts" not in data:
        raise FrameworkDataError(f"{path} is not an APPEAR framework data file.")
    return data


def framework_content_hash(data: dict[str, Any]) -> str:
    """Hash the parsed content, so comments and formatting changes do not make a new version."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def framework_load(*, data: dict[str, Any]) -> LoadResult:
    """Load framework data as a version, creating it only when the content is new.

    Loading content that was loaded before changes nothing (it only makes that version current
    again if another one had replaced it). New content becomes a new current version; older
    versions are kept untouched because reflections point at them.
    """
    content_hash = framework_content_hash(data)
    existing = FrameworkVersion.objects.filter(content_hash=content_hash).first()
    if existing is not None:
        if not existing.is_current:
            FrameworkVersion.objects.filter(is_current=True).update(is_current=False)
            existing.is_current = True
            existing.save(update_fields=["is_current"])
        return LoadResult(version=existing, created=False)

    try:
        version = _create_version(data, content_hash)
    except (KeyError, TypeError) as error:
        raise FrameworkDataError(
            f"The data file is missing or misnames a field: {error}"
        ) from error
    return LoadResult(version=version, created=True)


def _create_version(data: dict[str, Any], content_hash: str) -> FrameworkVersion:
    source = data["source"]
    project = data.get("project") or {}
    FrameworkVersion.objects.filter(is_current=True).update(is_current=False)
    version = FrameworkVersion.objects.create(
        label=str(project.get("version_label") or content_hash[:8]),
        content_hash=content_hash,
        is_current=True,
        name=data["framework"]["name"],
        expansion=data["framework"]["expansion"],
        summary=data["framework"]["summary"],
        intended_use=data["framework"].get("intended_use", ""),
        interaction_note=data["framework"].get("interaction_note", ""),
        structure_note=data["framework"].get("structure_note", ""),
        citation=source["citation"],
        doi_url=source["url"],
        licence_name=source["licence"]["name"],
        licence_url=source["licence"]["url"],
        attribution=source["licence"]["attribution"],
        changes_note=source["changes_note"],
        extraction_scope=source.get("extraction_scope", ""),
        project_notes=project.get("notes", []),
    )

    references = {
        item["number"]: Reference(
            version=version,
            number=item["number"],
            kind=Reference.Kind.STUDY,
            short=item["short"],
            full=item.get("full", ""),
            note=item.get("note", ""),
        )
        for item in data["references"]
    }
    for item in data.get("theory_references", []):
        references.setdefault(
            item["number"],
            Reference(
                version=version,
                number=item["number"],
                kind=Reference.Kind.THEORY,
                short=item["short"],
            ),
        )
    Reference.objects.bulk_create(references.values())

    theories = {item["key"]: item for item in data.get("theory", [])}

    contexts: dict[str, Context] = {}
    factors: dict[str, Factor] = {}
    for item in data["contexts"]:
        context = Context.objects.create(
            version=version,
            key=item["key"],
            order=item["order"],
            letter=item["letter"],
            acronym_part=item["acronym_part"],
            name=item["name"],
            aliases=item.get("aliases", []),
            summary=item.get("summary", ""),
            papers_coded=item["papers_coded"],
            figure=item["figure"],
            prompts=item.get("prompts", []),
        )
        contexts[context.key] = context
        for order, factor_item in enumerate(item["factors"], start=1):
            factors[factor_item["key"]] = Factor.objects.create(
                context=context,
                key=factor_item["key"],
                order=order,
                name=factor_item["name"],
                papers_coded=factor_item["papers_coded"],
                definition=factor_item.get("definition", ""),
            )

    groups: dict[str, MechanismGroup] = {}
    for order, item in enumerate(data["mechanism_groups"], start=1):
        theory = theories.get(item.get("theory", ""), {})
        groups[item["key"]] = MechanismGroup.objects.create(
            version=version,
            key=item["key"],
            order=order,
            name=item["name"],
            theory_name=theory.get("name", ""),
            theory_summary=theory.get("summary", ""),
        )

    mechanisms: dict[str, Mechanism] = {}
    for order, item in enumerate(data["mechanisms"], start=1):
        mechanisms[item["key"]] = Mechanism.objects.create(
            version=version,
            group=groups[item["group"]],
            key=item["key"],
            order=order,
            statement=item["statement"],
            short_name=item.get("short_name") or item["statement"],
            preferred_wording=item.get("preferred_wording", ""),
            preferred_wording_note=item.get("preferred_wording_note", ""),
            first_person=item.get("first_person", True),
            theory_note=item.get("theory_note", ""),
            aliases=item.get("aliases", []),
        )

    outcomes: dict[str, Outcome] = {}
    for item in data["outcome_domains"]:
        domain = OutcomeDomain.objects.create(
            version=version,
            key=item["key"],
            number=item["number"],
            name=item["name"],
            summary=item.get("summary", ""),
        )
        for order, outcome_item in enumerate(item["outcomes"], start=1):
            outcomes[outcome_item["key"]] = Outcome.objects.create(
                domain=domain,
                key=outcome_item["key"],
                order=order,
                name=outcome_item["name"],
                wording_in_text=outcome_item.get("wording_in_text", []),
                mapping=outcome_item.get("mapping", ""),
                mapping_note=outcome_item.get("mapping_note", ""),
            )

    for item in data["cmocs"]:
        quote = item.get("paper_page_quote") or {}
        link = Link.objects.create(
            version=version,
            code=item["id"],
            statement_group=item["statement"],
            context=contexts[item["context"]],
            mechanism=mechanisms[item["mechanism"]],
            outcome=outcomes[item["outcome"]],
            context_wording=item.get("context_wording", ""),
            mechanism_wording=item.get("mechanism_wording", ""),
            outcome_wording=item.get("outcome_wording", ""),
            strength=item.get("strength", ""),
            outcome_qualifier=item.get("outcome_qualifier", ""),
            mechanism_qualifier=item.get("mechanism_qualifier", ""),
            citations_as_printed=item.get("citations_as_printed", ""),
            study_count=len(set(item["citations"])),
            quote_text=quote.get("text", ""),
            quote_reference=references[quote["ref"]] if quote.get("ref") else None,
            quote_page=str(quote.get("page", "")),
        )
        link.factors.set([factors[key] for key in item.get("context_factors", [])])
        link.additional_mechanisms.set(
            [mechanisms[key] for key in item.get("additional_mechanisms", [])]
        )
        link.citations.set([references[number] for number in item["citations"]])

    tensions: dict[str, Tension] = {}
    for order, item in enumerate(data.get("tensions", []), start=1):
        tension = Tension.objects.create(
            version=version,
            key=item["key"],
            order=order,
            name=item["name"],
            summary=item.get("summary", ""),
            source=item.get("source", ""),
            prompts=item.get("prompts", []),
        )
        tension.contexts.set([contexts[key] for key in item.get("contexts", [])])
        tensions[tension.key] = tension

    for item in data["contexts"]:
        for order, reflection in enumerate(item.get("stakeholder_reflections", []), start=1):
            StakeholderReflection.objects.create(
                context=contexts[item["key"]],
                key=reflection["key"],
                order=order,
                summary=reflection.get("summary", ""),
                tension=tensions.get(reflection.get("related_tension") or ""),
            )

    for order, item in enumerate(data.get("feedback_loops", []), start=1):
        loop = FeedbackLoop.objects.create(
            version=version,
            key=item["key"],
            order=order,
            name=item["name"],
            summary=item.get("summary", ""),
        )
        mechanism_keys = [
            item.get(field) for field in ("from_mechanism", "via_mechanism", "to_mechanism")
        ]
        outcome_keys = [item.get(field) for field in ("from_outcome", "via_outcome", "to_outcome")]
        loop.mechanisms.set({mechanisms[key] for key in mechanism_keys if key})
        loop.outcomes.set({outcomes[key] for key in outcome_keys if key})

    for item in data.get("other_stated_links", []):
        other = OtherStatedLink.objects.create(
            version=version,
            code=item["id"],
            evidence=item["evidence"],
            source=item["source"],
            summary=item.get("summary", ""),
        )
        other.contexts.set([contexts[key] for key in item.get("contexts") or []])
        other.mechanisms.set([mechanisms[key] for key in item.get("mechanisms") or []])
        other.outcomes.set([outcomes[key] for key in item.get("outcomes") or []])

    Limitation.objects.bulk_create(
        Limitation(version=version, key=item["key"], order=order, summary=item["summary"])
        for order, item in enumerate(data.get("limitations", []), start=1)
    )
    return version
