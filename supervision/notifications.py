"""E-mails that tell a person something happened in supervision, never what was written.

A reflection is sensitive practice data and e-mail is neither private nor under the
organisation's control, so each message says only who did what and links to sign in. The
subject and body templates receive names, a count and a link: no reflection or comment object
is ever passed to them, so their content cannot leak by a template change.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User

logger = logging.getLogger(__name__)


def sign_in_url(next_path: str) -> str:
    """Return an absolute sign-in link that lands on `next_path` afterwards."""
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{reverse('account_login')}?{urlencode({'next': next_path})}"


def _send(*, recipient: User, template: str, context: dict[str, object]) -> None:
    if not recipient.email:
        return
    context = {**context, "recipient_name": recipient.get_display_name()}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    try:
        send_mail(subject, body, None, [recipient.email])
    except Exception:
        # The share or comment is already saved; a mail server outage must not undo it or
        # show the person an error page for something that did work.
        logger.exception("Could not send the %s notification to user %s", template, recipient.pk)


def notify_reflections_shared(*, worker: User, supervisor: User, count: int) -> None:
    """Tell `supervisor` that `worker` shared `count` reflections with them."""
    path = reverse("supervision:worker", kwargs={"user_id": worker.pk})
    _send(
        recipient=supervisor,
        template="email/supervision/shared",
        context={
            "worker_name": worker.get_display_name(),
            "count": count,
            "sign_in_url": sign_in_url(path),
        },
    )


def notify_comment(*, author: User, recipient: User, path: str) -> None:
    """Tell `recipient` that `author` commented; `path` is where they can read it."""
    _send(
        recipient=recipient,
        template="email/supervision/comment",
        context={"author_name": author.get_display_name(), "sign_in_url": sign_in_url(path)},
    )


def notify_record_to_sign(*, signer: User, recipient: User, path: str) -> None:
    """Tell `recipient` that `signer` signed a supervision record that now waits for them."""
    _send(
        recipient=recipient,
        template="email/supervision/record_to_sign",
        context={"signer_name": signer.get_display_name(), "sign_in_url": sign_in_url(path)},
    )
