"""E-mail through the task queue: a page never waits for, or fails with, the mail server.

`QueuedEmailBackend` is Django's EMAIL_BACKEND. It turns each message into plain JSON and
enqueues `datarights.tasks.deliver_email` once the surrounding transaction commits (a rolled
back change sends nothing). The task hands the message to EMAIL_DELIVERY_BACKEND (the
EMAIL_BACKEND environment variable), retrying with exponential backoff while the server
refuses, and records a FailedTask when it gives up.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction


def message_to_data(message: EmailMessage) -> dict[str, Any]:
    """A message as JSON-ready data (the queue carries JSON only)."""
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        raw = content.encode() if isinstance(content, str) else bytes(content)
        attachments.append([filename, base64.b64encode(raw).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(address) for address in message.to],
        "cc": [str(address) for address in message.cc],
        "bcc": [str(address) for address in message.bcc],
        "reply_to": [str(address) for address in message.reply_to],
        "headers": {str(key): str(value) for key, value in message.extra_headers.items()},
        "alternatives": [
            [str(content), str(mimetype)]
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def message_from_data(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


def deliver_now(data: dict[str, Any]) -> None:
    """Send one message through the delivery backend; raises when the server refuses it."""
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    message = message_from_data(data)
    message.connection = connection
    message.send(fail_silently=False)


class QueuedEmailBackend(BaseEmailBackend):
    """Enqueue every message for delivery by a background task."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from datarights.tasks import deliver_email

        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            transaction.on_commit(partial(deliver_email.delay, message_to_data(message)))
            count += 1
        return count
