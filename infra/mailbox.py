"""What the mailer sent through the moto SES endpoint (tests and the local stack's mailbox)."""

from __future__ import annotations

from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends


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


def sent_emails(region: str) -> list[dict[str, Any]]:
    """Every email sent so far, oldest first: {to, subject, text, html}."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
    items = []
    for message in backend.sent_messages:
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        subject, text, html = _parts(raw)
        # moto lists each recipient twice (the call's and the To header's), maybe with a name.
        to = list(dict.fromkeys(parseaddr(d)[1] for d in message.destinations))
        items.append({"to": to, "subject": subject, "text": text, "html": html})
    return items
