"""What the mailer sent through the moto SES endpoint (tests and the local stack's mailbox)."""

from __future__ import annotations

import functools
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends


# Parsing costs milliseconds an email and the mailbox is read whole, again and again (after
# every request, before sent_count): parse each message once; moto keeps them all anyway.
@functools.cache
def _parts(raw: str) -> tuple[str, str, str]:
    message = message_from_string(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (
        str(message["Subject"]),
        text.get_content() if text else "",
        html.get_content() if html else "",
    )


def _raw_messages(region: str) -> list[Any]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
    return [m for m in backend.sent_messages if getattr(m, "raw_data", None) is not None]


def sent_count(region: str) -> int:
    """How many emails `sent_emails` lists, without reading them."""
    return len(_raw_messages(region))


def sent_emails(region: str) -> list[dict[str, Any]]:
    """Every email sent so far, oldest first: {to, subject, text, html, email_id}."""
    items = []
    for message in _raw_messages(region):
        raw = message.raw_data
        subject, text, html = _parts(raw)
        # moto lists each recipient twice (the call's and the To header's), maybe with a name.
        to = list(dict.fromkeys(parseaddr(d)[1] for d in message.destinations))
        # The outbox email's id, from the tag the mailer sets (infra.ses_events keeps it).
        tags = {t["Name"]: t["Value"] for t in getattr(message, "email_tags", None) or []}
        items.append(
            {
                "to": to,
                "subject": subject,
                "text": text,
                "html": html,
                "email_id": tags.get("email_id"),
            }
        )
    return items
