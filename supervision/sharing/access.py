"""The one way supervision views obtain shared reflections, supervisees and shares.

A supervisor reaches a reflection only while all of this holds, checked on every request:

- the reflection is submitted (a draft is never shared);
- a share of it to this supervisor is open (not withdrawn);
- the share's supervision link is live: started, not ended, linking this supervisor to the
  reflection's author in the reflection's organisation;
- both people are active accounts with active memberships there, the supervisor holding the
  supervisor role and the author the peer worker role.

Ending the link, withdrawing the share, removing a role or deactivating either person ends the
access at once, because nothing is cached. Every failure is a 404, so a supervisor cannot learn
whether a reflection exists.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.access import live_links
from accounts.models import Membership, SupervisionLink, User
from reflections.models import Reflection
from supervision.models import Comment, Share

AnyUser = User | AnonymousUser


def _signed_in(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_active:
        return user
    return None


def live_shares() -> QuerySet[Share]:
    """Return open shares of submitted reflections whose link currently gives access.

    The link must join the share's supervisor to the reflection's author within the
    reflection's organisation, so a share cannot outlive a change of supervisor or a move
    between organisations.
    """
    links = live_links().filter(
        pk=OuterRef("link"),
        supervisor=OuterRef("supervisor"),
        worker=OuterRef("reflection__author"),
        organisation=OuterRef("reflection__organisation"),
    )
    return Share.objects.filter(
        Exists(links),
        withdrawn_at__isnull=True,
        reflection__status=Reflection.Status.SUBMITTED,
    )


def open_shares_through(links: Sequence[SupervisionLink]) -> QuerySet[Share]:
    """The shares `live_shares()` gives through `links`, which the caller obtained as live.

    For pages that have just read the supervisor's live links (`live_links()`, in the same
    request): the same rows, matched by the share's link and checked against that link's two
    people and organisation, without checking each link again per share. The per-share check
    hides from the planner how few shares a supervisor has, and at scale it then reads whole
    tables; this form starts from the share index that leads with the link.
    """
    return Share.objects.filter(
        link__in=[link.pk for link in links],
        withdrawn_at__isnull=True,
        supervisor=F("link__supervisor"),
        reflection__author=F("link__worker"),
        reflection__organisation=F("link__organisation"),
        reflection__status=Reflection.Status.SUBMITTED,
    )


def reflections_shared_with(user: AnyUser) -> QuerySet[Reflection]:
    """Return the reflections `user` may read as a supervisor; empty for anyone else."""
    person = _signed_in(user)
    if person is None:
        return Reflection.objects.none()
    shares = live_shares().filter(supervisor=person, reflection=OuterRef("pk"))
    return Reflection.objects.filter(Exists(shares))


def access_shared_reflection(*, user: AnyUser, pk: int) -> Reflection:
    """Return reflection `pk` if it is shared with `user` as their supervisee's; else Http404.

    The rules are in the module docstring. The author reading their own reflection goes
    through `reflections.access`, not here. Viewing must be audited by the caller
    (`supervision.sharing.services.reflection_view_record`).
    """
    reflection = (
        reflections_shared_with(user)
        .select_related("author", "organisation", "framework_version")
        .filter(pk=pk)
        .first()
    )
    if reflection is None:
        raise Http404
    return reflection


def access_open_share(*, user: AnyUser, reflection: Reflection) -> Share:
    """Return the live share of `reflection` to supervisor `user`; Http404 if there is none."""
    person = _signed_in(user)
    if person is None:
        raise Http404
    share = (
        live_shares()
        .select_related("link")
        .filter(supervisor=person, reflection=reflection)
        .first()
    )
    if share is None:
        raise Http404
    return share


def access_supervisee(*, user: AnyUser, user_id: int) -> SupervisionLink:
    """Return the live link from supervisor `user` to worker `user_id`; Http404 otherwise.

    A former supervisor (link ended), another supervisor and the worker themself all get 404.
    """
    person = _signed_in(user)
    if person is None:
        raise Http404
    link = (
        live_links()
        .select_related("supervisor", "worker", "organisation")
        .filter(supervisor=person, worker_id=user_id)
        .first()
    )
    if link is None:
        raise Http404
    return link


def access_supervisor(*, user: AnyUser) -> User:
    """Return `user` if they hold the supervisor role in an active membership; else Http404.

    Used by the dashboard: a supervisor with no supervisees yet still gets the page.
    """
    person = _signed_in(user)
    if (
        person is None
        or not Membership.objects.filter(user=person, is_active=True, is_supervisor=True).exists()
    ):
        raise Http404
    return person


def access_peer_worker(*, user: AnyUser) -> User:
    """Return `user` if they hold the peer worker role in an active membership; else Http404."""
    person = _signed_in(user)
    if (
        person is None
        or not Membership.objects.filter(user=person, is_active=True, is_peer_worker=True).exists()
    ):
        raise Http404
    return person


def access_own_reflection_for_sharing(*, user: AnyUser, pk: int) -> Reflection:
    """Return the author's own reflection `pk` for sharing or withdrawing; else Http404.

    Only the author, with an active membership of the reflection's organisation, may share it.
    Whether it may be shared (a draft may not) is a rule of `services.share_create`, which
    answers with a message rather than a 404.
    """
    person = _signed_in(user)
    if person is None:
        raise Http404
    active_here = Membership.objects.filter(
        user=person, organisation=OuterRef("organisation"), is_active=True
    )
    reflection = (
        Reflection.objects.filter(Exists(active_here), pk=pk, author=person)
        .select_related("organisation")
        .first()
    )
    if reflection is None:
        raise Http404
    return reflection


def access_own_share(*, user: AnyUser, pk: int) -> Share:
    """Return share `pk` of one of `user`'s own reflections; Http404 otherwise.

    Withdrawing stays possible after the link has ended, so the link is not checked here.
    """
    person = _signed_in(user)
    if person is None:
        raise Http404
    active_here = Membership.objects.filter(
        user=person, organisation=OuterRef("reflection__organisation"), is_active=True
    )
    share = (
        Share.objects.filter(Exists(active_here), pk=pk, reflection__author=person)
        .select_related("reflection", "reflection__organisation", "supervisor")
        .first()
    )
    if share is None:
        raise Http404
    return share


def access_reflection_for_feedback(*, user: AnyUser, pk: int) -> Reflection:
    """Return reflection `pk` if `user` may read and write its feedback thread; else Http404.

    Two people may: its author (active member of its organisation, reflection submitted) and a
    supervisor it is currently shared with (the rules of `access_shared_reflection`).
    """
    person = _signed_in(user)
    if person is None:
        raise Http404
    active_here = Membership.objects.filter(
        user=person, organisation=OuterRef("organisation"), is_active=True
    )
    shared = live_shares().filter(supervisor=person, reflection=OuterRef("pk"))
    reflection = (
        Reflection.objects.filter(
            Q(author=person, status=Reflection.Status.SUBMITTED) & Q(Exists(active_here))
            | Q(Exists(shared)),
            pk=pk,
        )
        .select_related("author", "organisation")
        .first()
    )
    if reflection is None:
        raise Http404
    return reflection


def comment_audience(*, reflection: Reflection) -> QuerySet[User]:
    """Return the supervisors who may currently read `reflection` (and so its comments)."""
    shares = live_shares().filter(reflection=reflection, supervisor=OuterRef("pk"))
    return User.objects.filter(Exists(shares))


def may_comment(*, user: User, reflection: Reflection) -> bool:
    """Return True when `user` may write on `reflection`'s thread right now.

    The author may write only while someone can read it (a live share), so a comment never
    goes into a thread nobody else will see; a supervisor only through a live share.
    """
    shares = live_shares().filter(reflection=reflection)
    if user.pk == reflection.author_id:
        return shares.exists()
    return shares.filter(supervisor=user).exists()


def comment_in_thread(*, reflection: Reflection, pk: int) -> Comment | None:
    """Return comment `pk` if it belongs to `reflection`'s thread, else None."""
    return Comment.objects.filter(reflection=reflection, pk=pk).first()
