"""The one way a view obtains supervision records, a pair's supervision link, and a brief.

A record belongs to two people: the worker and the supervisor named on it. Nobody else ever
reaches it (trainers, organisation admins, other supervisors: 404, so existence is not leaked).

- The supervisor reaches it only while they supervise the worker through a live link
  (accounts.access.active_supervision_link): ending the link, or deactivating either person,
  removes the supervisor's access at once. A former supervisor therefore gets a 404.
- The worker may always read their own records while they are an active member of the
  record's organisation; changing or signing one also needs the live link, because a record
  is agreed between two people and the other one must still be able to see the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.access import active_membership, active_supervision_link
from accounts.models import SupervisionLink, User
from supervision.models import SupervisionRecord
from supervision.sharing.access import access_supervisee
from supervision.sharing.selectors import current_supervisor_links

AnyUser = User | AnonymousUser


class RecordPurpose(StrEnum):
    VIEW = "view"
    # Editing, signing, making a new version and marking actions: both people, live link only.
    CHANGE = "change"


def _signed_in(user: AnyUser) -> User:
    if not isinstance(user, User) or not user.is_active:
        raise Http404
    return user


def access_record(*, user: AnyUser, pk: int, purpose: RecordPurpose) -> SupervisionRecord:
    """Return supervision record `pk` if `user` may use it for `purpose`; raise Http404 otherwise.

    VIEW: the worker (active member of the record's organisation) or the supervisor (live
    link to the worker). CHANGE: either of them, and only while the supervisor's link with the
    worker is live. Whether a locked record may change is the service's rule, not access.
    """
    person = _signed_in(user)
    record = (
        SupervisionRecord.objects.select_related(
            "organisation", "worker", "supervisor", "link", "previous"
        )
        .filter(pk=pk)
        .first()
    )
    if record is None or person.pk not in (record.worker_id, record.supervisor_id):
        raise Http404
    link = active_supervision_link(record.supervisor, record.worker)
    live = link is not None and link.organisation_id == record.organisation_id
    if person.pk == record.supervisor_id:
        if not live:
            raise Http404
        return record
    if purpose == RecordPurpose.CHANGE:
        if not live:
            raise Http404
        return record
    if active_membership(person, record.organisation) is None:
        raise Http404
    return record


def access_link_for_records(*, user: AnyUser, link_id: int) -> SupervisionLink:
    """Return supervision link `link_id` if `user` is one of its two people and it is live.

    Used to list and create a pair's records. An ended link, a link of other people and a link
    whose supervisor or worker lost their role all give Http404.
    """
    person = _signed_in(user)
    link = (
        SupervisionLink.objects.select_related("organisation", "supervisor", "worker")
        .filter(pk=link_id)
        .first()
    )
    if link is None or person.pk not in (link.supervisor_id, link.worker_id):
        raise Http404
    live = active_supervision_link(link.supervisor, link.worker)
    if live is None or live.pk != link.pk:
        raise Http404
    return link


@dataclass(frozen=True)
class BriefAudience:
    """Who a brief is for: the worker it describes and the live links it draws on."""

    worker: User
    links: list[SupervisionLink]
    # The supervisor asking, or None when the worker reads their own brief (every live link).
    supervisor: User | None


def access_brief(*, user: AnyUser, worker_id: int) -> BriefAudience:
    """Return what a brief about worker `worker_id` may draw on for `user`; raise Http404 otherwise.

    A supervisor gets the brief of a worker they supervise through a live link, built from
    what was shared with them. The worker gets their own brief, built from what they shared
    with any supervisor whose link is live. Everyone else (a former supervisor, another
    supervisor, a trainer, another organisation) gets Http404, as does a worker with no live
    link (there is nobody to bring the brief to).
    """
    person = _signed_in(user)
    if person.pk == worker_id:
        links = current_supervisor_links(worker=person)
        if not links:
            raise Http404
        return BriefAudience(worker=person, links=links, supervisor=None)
    link = access_supervisee(user=person, user_id=worker_id)
    return BriefAudience(worker=link.worker, links=[link], supervisor=person)
