"""Reading an export ZIP back in, as the importing worker's own private reflections.

Everything is checked before anything is written: the file is a ZIP with no name that could
point outside it, no entry that claims or expands beyond the limits below (a "zip bomb"), an
export.json that follows the export schema, made for this person (one of their e-mail
addresses), not imported before, not larger than MAX_REFLECTIONS, and written against
framework versions this site has (matched by content hash, parts by key). Only then are the
reflections written, in one transaction: a refusal changes nothing.

What comes in: each reflection with its content, status and amendment history, as the
worker's own, private and unshared. What does not: shares, comments, supervision records and
audit events, which are about other people and the old organisation (docs/export-format.md).
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import IO, Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.models import AuditEvent, Organisation, User
from datarights import schema
from datarights.export import FORMAT, FORMAT_VERSION, JSON_NAME
from datarights.models import Import
from framework.models import Context, Factor, FrameworkVersion, Mechanism, OutcomeDomain
from reflections import practice_tally
from reflections.models import (
    Action,
    Chain,
    ContextRating,
    OutcomeObservation,
    Reflection,
    ReflectionRevision,
)
from reflections.services import reflection_refresh_search_text

MAX_UPLOAD_BYTES = 500 * 1024 * 1024
MAX_ENTRIES = 20_000
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
MAX_REFLECTIONS = 5_000
_DRIVE = re.compile(r"^[A-Za-z]:")


class ImportRefused(Exception):
    """An export that cannot be imported; the message says why, in plain words."""


def _refuse(message: str) -> ImportRefused:
    return ImportRefused(message)


def _safe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        return False
    return ".." not in PurePosixPath(name).parts


def read_export(upload: IO[bytes]) -> dict[str, Any]:
    """The export document inside the ZIP `upload`, or ImportRefused."""
    try:
        archive = zipfile.ZipFile(upload)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _refuse(_("This file is not a ZIP file made by APPEAR Reflect.")) from error
    if len(entries) > MAX_ENTRIES:
        raise _refuse(_("This ZIP holds far more files than an export does."))
    for entry in entries:
        if not _safe_name(entry.filename):
            raise _refuse(
                _("This ZIP holds a file whose name points outside it (%(name)s).")
                % {"name": entry.filename[:80]}
            )
        if entry.flag_bits & 0x1:
            raise _refuse(_("This ZIP is encrypted; an export never is."))
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(_("This ZIP would unpack to far more than an export can be."))
    names = [entry.filename for entry in entries]
    if names.count(JSON_NAME) != 1:
        raise _refuse(_("This ZIP has no export.json, so it is not an APPEAR Reflect export."))
    entry = archive.getinfo(JSON_NAME)
    if entry.file_size > MAX_JSON_BYTES:
        raise _refuse(_("The export.json in this ZIP is too large to be an export."))
    try:
        with archive.open(entry) as handle:
            # Read at most one byte past the limit: a header can lie about the size.
            raw = handle.read(MAX_JSON_BYTES + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ) as error:
        # zlib.error: a damaged deflate stream (found by tests/fuzz/test_import_upload.py).
        raise _refuse(_("The export.json in this ZIP cannot be read.")) from error
    if len(raw) > MAX_JSON_BYTES:
        raise _refuse(_("The export.json in this ZIP is too large to be an export."))
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _refuse(_("The export.json in this ZIP is not readable data.")) from error
    if not isinstance(document, dict):
        raise _refuse(_("The export.json in this ZIP is not an export."))
    return document


@dataclass
class FrameworkParts:
    version: FrameworkVersion
    contexts: dict[str, Context]
    mechanisms: dict[str, Mechanism]
    domains: dict[str, OutcomeDomain]
    factors: dict[tuple[str, str], Factor]


def _parts(version: FrameworkVersion) -> FrameworkParts:
    contexts = {c.key: c for c in Context.objects.filter(version=version)}
    return FrameworkParts(
        version=version,
        contexts=contexts,
        mechanisms={m.key: m for m in Mechanism.objects.filter(version=version)},
        domains={d.key: d for d in OutcomeDomain.objects.filter(version=version)},
        factors={
            (f.context.key, f.key): f
            for f in Factor.objects.filter(context__version=version).select_related("context")
        },
    )


def _addresses(user: User) -> set[str]:
    found = {user.email.lower()} if user.email else set()
    found |= {
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return found


def check_export(*, document: Any, user: User) -> dict[str, FrameworkParts]:
    """Refuse a document that cannot come in for `user`; return its framework versions' parts."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refuse(_("This ZIP's export.json is not an APPEAR Reflect export."))
    if document.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            _("This export uses format version %(found)s; this site reads version %(wanted)s.")
            % {"found": str(document.get("format_version"))[:10], "wanted": FORMAT_VERSION}
        )
    reflections = document.get("reflections")
    if isinstance(reflections, list) and len(reflections) > MAX_REFLECTIONS:
        raise _refuse(
            _(
                "This export holds %(count)s reflections; at most %(most)s can be imported "
                "at once. Ask your site administrator for help."
            )
            % {"count": len(reflections), "most": MAX_REFLECTIONS}
        )
    found = schema.problems(document, limit=3)
    if found:
        raise _refuse(
            _("This export does not follow the export format: %(problems)s")
            % {"problems": "; ".join(found)}
        )
    email = str(document["person"]["email"]).lower()
    if not email or email not in _addresses(user):
        raise _refuse(
            _(
                "This export was made for someone else: it belongs to the person with the "
                "e-mail address it was made for. If it is yours from an old address, add that "
                "address to your account first."
            )
        )
    if Import.objects.filter(user=user, export_id=document["export_id"]).exists():
        raise _refuse(_("You have already imported this export."))
    hashes = {reflection["framework_version"] for reflection in document["reflections"]}
    versions = {v.content_hash: v for v in FrameworkVersion.objects.filter(content_hash__in=hashes)}
    missing = sorted(hashes - set(versions))
    if missing:
        labels = {v["content_hash"]: v["label"] for v in document["framework_versions"]}
        raise _refuse(
            ngettext(
                "This export uses an APPEAR framework version this site does not have (%(names)s). "
                "Ask your site administrator to load it, then import again.",
                "This export uses APPEAR framework versions this site does not have (%(names)s). "
                "Ask your site administrator to load them, then import again.",
                len(missing),
            )
            % {"names": ", ".join(f"{labels.get(h, '?')} {h[:12]}" for h in missing)}
        )
    parts = {content_hash: _parts(version) for content_hash, version in versions.items()}
    for reflection in document["reflections"]:
        _check_keys(reflection, parts[reflection["framework_version"]])
    return parts


def _check_keys(reflection: dict[str, Any], parts: FrameworkParts) -> None:
    wanted = [
        *(
            ("context", r["context"], r["context"] in parts.contexts)
            for r in reflection["context_ratings"]
        ),
        *(
            ("factor", f, (r["context"], f) in parts.factors)
            for r in reflection["context_ratings"]
            for f in r["factors"]
        ),
        *(("context", c["context"], c["context"] in parts.contexts) for c in reflection["chains"]),
        *(
            ("mechanism", c["mechanism"], c["mechanism"] in parts.mechanisms)
            for c in reflection["chains"]
        ),
        *(
            ("outcome domain", c["outcome_domain"], c["outcome_domain"] in parts.domains)
            for c in reflection["chains"]
        ),
        *(
            ("outcome domain", o["domain"], o["domain"] in parts.domains)
            for o in reflection["outcome_observations"]
        ),
    ]
    unknown = [f"{kind} “{key}”" for kind, key, known in wanted if not known]
    if unknown:
        raise _refuse(
            _(
                "A reflection of %(date)s names parts of APPEAR that framework version "
                "%(version)s does not have: %(parts)s."
            )
            % {
                "date": reflection["session_date"],
                "version": parts.version.label,
                "parts": ", ".join(unknown[:5]),
            }
        )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _remap_snapshot(snapshot: Any, parts: FrameworkParts) -> Any:
    """An amendment snapshot with the old site's ids replaced by this site's, found by key."""
    if not isinstance(snapshot, dict):
        return snapshot
    copy = dict(snapshot)
    if isinstance(copy.get("framework_version"), dict):
        copy["framework_version"] = {**copy["framework_version"], "id": parts.version.pk}
    by_statement = {m.statement: m for m in parts.mechanisms.values()}
    ratings = []
    for rating in copy.get("context_ratings") or []:
        context = parts.contexts.get(rating.get("context_key", ""))
        factors = []
        for factor in rating.get("factors") or []:
            match = next(
                (
                    f
                    for (ckey, _fkey), f in parts.factors.items()
                    if context is not None and ckey == context.key and f.name == factor.get("name")
                ),
                None,
            )
            factors.append({**factor, "id": match.pk if match else None})
        ratings.append(
            {**rating, "context_id": context.pk if context else None, "factors": factors}
        )
    if "context_ratings" in copy:
        copy["context_ratings"] = ratings
    chains = []
    for chain in copy.get("chains") or []:
        context = parts.contexts.get(chain.get("context_key", ""))
        mechanism = by_statement.get(chain.get("mechanism", ""))
        domain = parts.domains.get(chain.get("outcome_domain_key", ""))
        chains.append(
            {
                **chain,
                "context_id": context.pk if context else None,
                "mechanism_id": mechanism.pk if mechanism else None,
                "outcome_domain_id": domain.pk if domain else None,
            }
        )
    if "chains" in copy:
        copy["chains"] = chains
    if "outcome_observations" in copy:
        copy["outcome_observations"] = [
            {
                **observation,
                "domain_id": (
                    parts.domains[observation["domain_key"]].pk
                    if observation.get("domain_key") in parts.domains
                    else None
                ),
            }
            for observation in copy.get("outcome_observations") or []
        ]
    return copy


TEXT_FIELDS = (
    "person_label",
    "what_happened",
    "how_i_felt",
    "went_well",
    "was_hard",
    "unintended_effects",
    "learning",
    "setting",
    "contact_stage",
)


@transaction.atomic
def import_export(
    *,
    document: dict[str, Any],
    parts: dict[str, FrameworkParts],
    user: User,
    organisation: Organisation,
) -> Import:
    """Write the checked `document`'s reflections as `user`'s own in `organisation`."""
    incoming = document["reflections"]
    reflections = Reflection.objects.bulk_create(
        [
            Reflection(
                author=user,
                organisation=organisation,
                framework_version=parts[item["framework_version"]].version,
                status=item["status"],
                revision=item["revision"],
                session_date=date.fromisoformat(item["session_date"]),
                duration_minutes=item["duration_minutes"],
                bring_to_supervision=item["bring_to_supervision"],
                submitted_at=_datetime(item["submitted_at"]),
                amended_at=_datetime(item["amended_at"]),
                amendment_base=_remap_snapshot(
                    item["open_amendment_base"], parts[item["framework_version"]]
                ),
                privacy_confirmed=item["privacy_confirmed"],
                # Files exported before drafts kept unsent answers have none.
                unsent_answers=item.get("unsent_answers", {}),
                **{name: item[name] for name in TEXT_FIELDS},
            )
            for item in incoming
        ]
    )
    ratings: list[tuple[ContextRating, list[Factor]]] = []
    chains, observations, actions, revisions = [], [], [], []
    for reflection, item in zip(reflections, incoming, strict=True):
        p = parts[item["framework_version"]]
        for rating in item["context_ratings"]:
            ratings.append(
                (
                    ContextRating(
                        reflection=reflection,
                        context=p.contexts[rating["context"]],
                        presence=rating["presence"],
                        evidence=rating["evidence"],
                    ),
                    [p.factors[(rating["context"], key)] for key in rating["factors"]],
                )
            )
        chains += [
            Chain(
                reflection=reflection,
                order=chain["order"],
                context=p.contexts[chain["context"]],
                mechanism=p.mechanisms[chain["mechanism"]],
                outcome_domain=p.domains[chain["outcome_domain"]],
                description=chain["description"],
                confidence=chain["confidence"],
            )
            for chain in item["chains"]
        ]
        observations += [
            OutcomeObservation(
                reflection=reflection,
                domain=p.domains[observation["domain"]],
                observation=observation["observation"],
            )
            for observation in item["outcome_observations"]
        ]
        actions += [
            Action(
                reflection=reflection,
                author_id=reflection.author_id,
                order=action["order"],
                text=action["text"],
                due_on=_date(action["due_on"]),
                done_at=_datetime(action["done_at"]),
            )
            for action in item["actions"]
        ]
        revisions += [
            ReflectionRevision(
                reflection=reflection,
                revision=revision["revision"],
                snapshot=_remap_snapshot(revision["snapshot"], p),
                created_at=_datetime(revision["created_at"]) or timezone.now(),
            )
            for revision in item["amendment_history"]
        ]
    created = ContextRating.objects.bulk_create([rating for rating, _factors in ratings])
    through = ContextRating.factors.through
    through.objects.bulk_create(
        [
            through(contextrating_id=rating.pk, factor_id=factor.pk)
            for rating, (_unused, factors) in zip(created, ratings, strict=True)
            for factor in factors
        ]
    )
    Chain.objects.bulk_create(chains)
    OutcomeObservation.objects.bulk_create(observations)
    Action.objects.bulk_create(actions)
    ReflectionRevision.objects.bulk_create(revisions)
    practice_tally.refresh_reflections(reflections)
    reflection_refresh_search_text(
        reflections=Reflection.objects.filter(pk__in=[reflection.pk for reflection in reflections])
    )
    record = Import.objects.create(
        user=user,
        organisation=organisation,
        export_id=document["export_id"],
        reflections=len(reflections),
    )
    audit_record(
        action=AuditEvent.Action.DATA_IMPORTED,
        actor=user,
        organisation=organisation,
        subject=user,
        target=record,
        reflections=len(reflections),
    )
    return record


def import_upload(*, upload: IO[bytes], user: User, organisation: Organisation) -> Import:
    """Check and import the export ZIP `upload`; ImportRefused changes nothing."""
    document = read_export(upload)
    parts = check_export(document=document, user=user)
    return import_export(document=document, parts=parts, user=user, organisation=organisation)
