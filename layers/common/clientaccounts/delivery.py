"""The mailer's use case: send one outbox email through SES, at least once, never lost.

A failure leaves the item `queued` (with the attempt counted) and is raised, so the stream's
event source retries it and finally parks it in the dead-letter queue (R22).
"""

from __future__ import annotations

from email.message import EmailMessage

from botocore.exceptions import BotoCoreError, ClientError

from . import clock, store
from .aws import client
from .config import get_settings
from .emails import RenderedEmail, render
from .models import OutboxEmail
from .observability import logger


class DeliveryFailed(Exception):
    pass


def mime_message(sender: str, recipient: str, message: RenderedEmail) -> bytes:
    """multipart/alternative: the text part for plain readers, the HTML part for the rest."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = recipient
    mime["Subject"] = message.subject
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime.as_bytes()


def deliver_outbox_email(email_id: str) -> bool:
    """Send the email if it is still queued; True when this call sent it."""
    email = store.get_outbox_email(email_id)
    if email is None or email.status == "sent":
        return False  # a redelivered stream record: sent already (or expired)
    settings = get_settings()
    message = render(settings, email.template, dict(email.params or {}))
    try:
        for address in email.to:
            client("sesv2").send_email(
                FromEmailAddress=settings.sender_address,
                Destination={"ToAddresses": [address]},
                Content={"Raw": {"Data": mime_message(settings.sender_address, address, message)}},
            )
    except (ClientError, BotoCoreError) as exc:
        code = exc.response["Error"]["Code"] if isinstance(exc, ClientError) else type(exc).__name__
        logger.warning(
            "email send failed; will retry",
            extra={"email_id": email_id, "template": email.template, "error_code": code},
        )
        email.update(actions=[OutboxEmail.attempts.add(1), OutboxEmail.last_error.set(str(code))])
        raise DeliveryFailed(email_id) from exc
    # The params held the link token and names: drop them once they have served.
    email.update(
        actions=[
            OutboxEmail.status.set("sent"),
            OutboxEmail.sent_at.set(clock.iso(clock.now())),
            OutboxEmail.attempts.add(1),
            OutboxEmail.params.remove(),
        ]
    )
    logger.info("email sent", extra={"email_id": email_id, "template": email.template})
    return True
