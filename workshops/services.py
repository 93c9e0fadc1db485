"""Every write of the workshops app: the vignette library, workshops, joining and answers."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from workshops.models import (
    PRESENCE_MAX,
    Answer,
    AnswerChain,
    AnswerRating,
    Participant,
    Vignette,
    Workshop,
    WorkshopItem,
)

# No 0/O, 1/I/L or 5/S: a code is read off a projector and typed on a phone. 29 symbols over
# six places give 595 million codes; with wrong guesses limited per address (views.py) and a
# code that ends when the workshop closes, guessing one in its lifetime is not practical.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"
CODE_LENGTH = 6
MAX_CHAINS = 3

CONTENT_FIELDS = (
    "title",
    "setting",
    "main_context",
    "text",
    "tensions",
    "went_wrong",
    "intended_ratings",
    "intended_chains",
    "questions",
)


class VignetteDataError(ValueError):
    """The vignette data file cannot be read or is not in the expected shape."""


class JoinError(Exception):
    """Why a code and name could not join a workshop, in words for the person joining."""


# --------------------------------------------------------------------------------------------
# Vignettes
# --------------------------------------------------------------------------------------------


def vignette_data_read(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise VignetteDataError(f"Cannot read {path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("vignettes"), list):
        raise VignetteDataError(f"{path} has no list of vignettes.")
    return data["vignettes"]


def _paragraphs(text: str) -> str:
    """Lines wrapped in the data file joined again: paragraphs are separated by a blank line."""
    return "\n\n".join(
        " ".join(part.split()) for part in text.strip().split("\n\n") if part.strip()
    )


def _content(entry: dict[str, Any]) -> dict[str, Any]:
    intended = entry.get("intended", {})
    return {
        "title": str(entry["title"]).strip(),
        "setting": str(entry["setting"]),
        "main_context": str(entry["main_context"]),
        "text": _paragraphs(str(entry["text"])),
        "tensions": list(entry.get("tensions", [])),
        "went_wrong": bool(entry.get("went_wrong", False)),
        "intended_ratings": dict(intended.get("ratings", {})),
        "intended_chains": [dict(chain) for chain in intended.get("chains", [])],
        "questions": [str(question) for question in entry.get("questions", [])],
    }


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoadReport:
    created: int
    unchanged: int


def _save_version(
    *,
    organisation: Organisation | None,
    key: str,
    content: dict[str, Any],
    author: User | None,
) -> tuple[Vignette, bool]:
    """Keep `content` as the current version of `key`; a change makes a new version."""
    digest = content_hash(content)
    versions = Vignette.objects.select_for_update().filter(organisation=organisation, key=key)
    current = versions.filter(is_current=True).first()
    if current is not None and current.content_hash == digest:
        return current, False
    latest = versions.order_by("-version").values_list("version", flat=True).first() or 0
    versions.filter(is_current=True).update(is_current=False)
    vignette = Vignette(
        organisation=organisation,
        key=key,
        version=latest + 1,
        is_current=True,
        content_hash=digest,
        author=author,
        **content,
    )
    vignette.full_clean()
    vignette.save()
    return vignette, True


@transaction.atomic
def vignettes_load(*, entries: list[dict[str, Any]]) -> LoadReport:
    """Load the shipped library: new or changed vignettes become new versions.

    Loading the same file twice changes nothing; a changed vignette gets the next version
    number and the old version stays, no longer current, for the workshops that used it.
    """
    created = unchanged = 0
    for entry in entries:
        try:
            content = _content(entry)
            key = str(entry["key"])
        except (KeyError, TypeError, AttributeError) as error:
            raise VignetteDataError(
                f"A vignette is missing or misnames a field: {error}"
            ) from error
        try:
            _vignette, made = _save_version(
                organisation=None, key=key, content=content, author=None
            )
        except ValidationError as error:
            raise VignetteDataError(f"Vignette {key!r}: {error}") from error
        created += made
        unchanged += not made
    return LoadReport(created=created, unchanged=unchanged)


@transaction.atomic
def vignette_save(
    *,
    organisation: Organisation,
    author: User,
    content: dict[str, Any],
    key: str | None = None,
) -> Vignette:
    """Create a trainer's own vignette, or a new version of one (`key` given).

    Private to `organisation`. Saving unchanged content changes nothing.
    """
    if key is None:
        key = f"own-{secrets.token_hex(6)}"
    vignette, _made = _save_version(
        organisation=organisation, key=key, content=content, author=author
    )
    return vignette


# --------------------------------------------------------------------------------------------
# Workshops
# --------------------------------------------------------------------------------------------


@transaction.atomic
def workshop_create(
    *,
    organisation: Organisation,
    trainer: User,
    title: str,
    day: date,
    mode: str,
    vignettes: list[Vignette],
) -> Workshop:
    """A workshop not yet open, with its vignettes in the order given."""
    if not vignettes:
        raise ValidationError(_("Choose at least one vignette."))
    workshop = Workshop(
        organisation=organisation, trainer=trainer, title=title, date=day, mode=mode
    )
    workshop.full_clean()
    workshop.save()
    WorkshopItem.objects.bulk_create(
        WorkshopItem(workshop=workshop, vignette=vignette, position=index)
        for index, vignette in enumerate(vignettes)
    )
    return workshop


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def workshop_open(*, workshop: Workshop) -> Workshop:
    """Open a workshop with a fresh join code (reopening a closed one gives a new code)."""
    for _attempt in range(10):
        try:
            with transaction.atomic():
                locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
                if locked.is_open:
                    return locked
                locked.join_code = new_join_code()
                locked.status = Workshop.Status.OPEN
                locked.opened_at = timezone.now()
                locked.closed_at = None
                locked.save(update_fields=["join_code", "status", "opened_at", "closed_at"])
                return locked
        except IntegrityError:
            continue  # the code is taken by another open workshop: draw again
    raise RuntimeError("Could not draw a free join code in ten attempts.")


@transaction.atomic
def workshop_close(*, workshop: Workshop) -> Workshop:
    """Close the workshop; its code stops working at once."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.status == Workshop.Status.OPEN:
        locked.status = Workshop.Status.CLOSED
        locked.join_code = None
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "join_code", "closed_at"])
    return locked


@transaction.atomic
def workshop_move(*, workshop: Workshop, step: int) -> Workshop:
    """Move to the next (+1) or previous (-1) vignette; the room's reveal is hidden again."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    last = locked.items.count() - 1
    target = min(max(locked.position + step, 0), max(last, 0))
    if target != locked.position:
        locked.position = target
        locked.revealed = False
        locked.save(update_fields=["position", "revealed"])
    return locked


def workshop_reveal(*, workshop: Workshop, revealed: bool) -> Workshop:
    Workshop.objects.filter(pk=workshop.pk).update(revealed=revealed)
    workshop.revealed = revealed
    return workshop


def code_expires_at(workshop: Workshop) -> datetime | None:
    if workshop.opened_at is None:
        return None
    return workshop.opened_at + timedelta(hours=settings.WORKSHOP_CODE_HOURS)


# --------------------------------------------------------------------------------------------
# Participants and answers
# --------------------------------------------------------------------------------------------


@transaction.atomic
def participant_join(*, code: str, display_name: str) -> Participant:
    """Add a participant to the open workshop with `code`.

    Raises JoinError with a message for the person when the code is unknown, closed or
    expired, or the workshop is full. The workshop row is locked while counting, so two
    phones joining at once cannot take the room past its limit.
    """
    workshop = Workshop.objects.select_for_update().filter(join_code=code).first()
    if workshop is None or not workshop.is_open:
        raise JoinError(
            _("No open workshop has this code. Check the code on the screen, or ask the trainer.")
        )
    expires = code_expires_at(workshop)
    if expires is not None and timezone.now() >= expires:
        raise JoinError(_("This code has expired. Ask the trainer for the workshop's new code."))
    if workshop.participants.count() >= settings.WORKSHOP_MAX_PARTICIPANTS:
        raise JoinError(
            _("This workshop is full. Ask the trainer; you could join a table on one device.")
        )
    participant = Participant(
        workshop=workshop, display_name=display_name, token=secrets.token_urlsafe(32)
    )
    participant.full_clean()
    participant.save()
    return participant


def _check_answer(
    *, ratings: dict[str, int], chains: list[tuple[str, str, str]], contexts: set[str]
) -> None:
    if set(ratings) != contexts:
        raise ValidationError(_("Rate how present each of the five contexts was."))
    if any(not 0 <= value <= PRESENCE_MAX for value in ratings.values()):
        raise ValidationError(_("Ratings run from 0 (not present) to 3 (strongly present)."))
    if not 1 <= len(chains) <= MAX_CHAINS:
        raise ValidationError(_("Choose one to three chains."))


@transaction.atomic
def answer_save(
    *,
    participant: Participant,
    item: WorkshopItem,
    ratings: dict[str, int],
    chains: list[tuple[str, str, str]],
    reasoning: str,
    contexts: set[str],
) -> Answer:
    """Save the participant's answer to the current vignette, replacing an earlier one.

    Refused once the trainer has moved on or the workshop has closed: the answer then belongs
    to a discussion that has already happened.
    """
    workshop = Workshop.objects.select_for_update().get(pk=participant.workshop_id)
    if (
        not workshop.is_open
        or item.workshop_id != workshop.pk
        or item.position != workshop.position
    ):
        raise ValidationError(
            _("The trainer has moved on, so this answer can no longer be changed.")
        )
    _check_answer(ratings=ratings, chains=chains, contexts=contexts)
    answer, _created = Answer.objects.update_or_create(
        item=item, participant=participant, defaults={"reasoning": reasoning}
    )
    answer.ratings.all().delete()
    answer.chains.all().delete()
    AnswerRating.objects.bulk_create(
        AnswerRating(answer=answer, context=context, presence=value)
        for context, value in sorted(ratings.items())
    )
    AnswerChain.objects.bulk_create(
        AnswerChain(answer=answer, order=index, context=c, mechanism=m, domain=d)
        for index, (c, m, d) in enumerate(chains, start=1)
    )
    return answer


@transaction.atomic
def participants_purge(*, now: datetime, days: int) -> int:
    """Delete the participants of workshops closed more than `days` days before `now`.

    Their answers stay without a name or free text, so the results (aggregates) survive.
    Returns the number of participants deleted.
    """
    workshops = Workshop.objects.filter(
        status=Workshop.Status.CLOSED, closed_at__lte=now - timedelta(days=days)
    )
    Answer.objects.filter(item__workshop__in=workshops, participant__isnull=False).update(
        participant=None, reasoning=""
    )
    deleted, _by_model = Participant.objects.filter(workshop__in=workshops).delete()
    workshops.filter(participants_deleted_at__isnull=True).update(participants_deleted_at=now)
    return deleted
