"""The one way a view obtains a workshop, a vignette or the participant behind a cookie.

Trainers reach workshops and vignettes of the organisations where they actively hold the
trainer role, and nothing else; everyone else gets a 404, so existence is not revealed. A
participant is never a user: they are the row a signed cookie names, and only while their
workshop is open. Nothing here ever returns a reflection.
"""

from __future__ import annotations

from django.core import signing
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from accounts.access import AnyUser, organisations_where
from accounts.models import Membership, Organisation
from workshops.models import Participant, Vignette, Workshop

PARTICIPANT_COOKIE = "appear_workshop"
PARTICIPANT_SALT = "workshops.participant"
# A cookie older than this is refused even if its workshop is still open: a day covers any
# workshop, and a copied cookie stops working by the next one.
PARTICIPANT_COOKIE_AGE = 24 * 60 * 60


def trainer_organisations(user: AnyUser) -> QuerySet[Organisation]:
    return organisations_where(user, Membership.Role.TRAINER)


def trainer_workshops(user: AnyUser) -> QuerySet[Workshop]:
    """Workshops of every organisation where `user` is an active trainer."""
    return Workshop.objects.filter(organisation__in=trainer_organisations(user))


def access_workshop(*, user: AnyUser, pk: int) -> Workshop:
    """Return the workshop if `user` is an active trainer of its organisation; else Http404."""
    workshop = trainer_workshops(user).select_related("organisation").filter(pk=pk).first()
    if workshop is None:
        raise Http404
    return workshop


def visible_vignettes(user: AnyUser) -> QuerySet[Vignette]:
    """Current vignettes a trainer may use: the shipped library and their organisations' own."""
    organisations = trainer_organisations(user)
    if not organisations.exists():
        return Vignette.objects.none()
    return Vignette.objects.filter(
        Q(organisation__isnull=True) | Q(organisation__in=organisations), is_current=True
    )


def access_vignette(*, user: AnyUser, pk: int, to_edit: bool = False) -> Vignette:
    """Return a vignette `user` may read (or, with `to_edit`, write a new version of).

    Any version can be read (a workshop may have used an older one); only the current version
    of an organisation's own vignette can be edited, and the shipped library never.
    """
    organisations = trainer_organisations(user)
    found = Vignette.objects.filter(pk=pk).filter(
        Q(organisation__isnull=True) | Q(organisation__in=organisations)
    )
    vignette = found.select_related("organisation").first()
    if vignette is None or not organisations.exists():
        raise Http404
    if to_edit and (vignette.organisation_id is None or not vignette.is_current):
        raise Http404
    return vignette


def participant_cookie_set(
    response: HttpResponse, participant: Participant, *, secure: bool
) -> None:
    response.set_signed_cookie(
        PARTICIPANT_COOKIE,
        participant.token,
        salt=PARTICIPANT_SALT,
        max_age=PARTICIPANT_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def access_participant(request: HttpRequest) -> Participant | None:
    """The participant the request's signed cookie names, while their workshop is open.

    None for no cookie, a forged or tampered one, one older than a day, one whose participant
    was deleted, or one whose workshop has closed.
    """
    try:
        token = request.get_signed_cookie(
            PARTICIPANT_COOKIE, salt=PARTICIPANT_SALT, max_age=PARTICIPANT_COOKIE_AGE
        )
    except (KeyError, signing.BadSignature):
        return None
    return (
        Participant.objects.select_related("workshop")
        .filter(token=token, workshop__status=Workshop.Status.OPEN)
        .first()
    )
