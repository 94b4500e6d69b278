"""The mailer's use case: send one outbox email through SES, at least once, never lost.

Any failure (SES, rendering, a header) leaves the item `queued` with the attempt and an error
code counted, and is raised, so the stream's event source retries that record alone and
finally parks it in the dead-letter queue (R22); the rest of the batch is sent.
"""

from __future__ import annotations

from email.message import EmailMessage

from botocore.exceptions import ClientError

from . import clock
from .aws import client
from .config import get_settings
from .emails import RenderedEmail, render
from .observability import logger
from .persistence import store, writes
from .persistence.models import OutboxEmail
from .text import header_safe


class DeliveryFailed(Exception):
    pass


def mime_message(sender: str, recipient: str, message: RenderedEmail) -> bytes:
    """multipart/alternative: the text part for plain readers, the HTML part for the rest.
    Header values lose line breaks and controls (R27): validation refuses them in names,
    this is the second defence, for whatever an older row or a bootstrap holds."""
    mime = EmailMessage()
    mime["From"] = header_safe(sender)
    mime["To"] = header_safe(recipient)
    mime["Subject"] = header_safe(message.subject)
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime.as_bytes()


def _error_code(exc: Exception) -> str:
    """What the row and the log say of a failure: an AWS error code or the exception's type,
    never its message (it may quote the address or a name)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def deliver_outbox_email(email_id: str) -> bool:
    """Send the email if it is still queued; True when this call sent it."""
    email = store.get_outbox_email(email_id)
    if email is None or email.status == "sent":
        return False  # a redelivered stream record: sent already (or expired)
    try:
        _send(email)
    except Exception as exc:
        # Whatever failed (SES, a template, a header), the attempt is counted and the record
        # reported failed, so the event source retries it, then parks it in the dead-letter
        # queue; the rest of the batch goes on.
        code = _error_code(exc)
        logger.warning(
            "email send failed; will retry",
            extra={"email_id": email_id, "template": email.template, "error_code": code},
        )
        writes.count_failed_attempt(email, error_code=code)
        raise DeliveryFailed(email_id) from exc
    # The address, the link token and the names have served: the row keeps ids only.
    writes.mark_email_sent(email, at=clock.iso(clock.now()))
    logger.info("email sent", extra={"email_id": email_id, "template": email.template})
    return True


# R31: the SES message tag naming the outbox email; SES returns it in every event it
# publishes for the message (bounce, complaint, delivery). An id only, nothing personal.
EMAIL_ID_TAG = "email_id"


def _send(email: OutboxEmail) -> None:
    settings = get_settings()
    message = render(settings, email.template, dict(email.params or {}))
    extra: dict[str, object] = {"EmailTags": [{"Name": EMAIL_ID_TAG, "Value": email.email_id}]}
    if settings.email_configuration_set:
        extra["ConfigurationSetName"] = settings.email_configuration_set
    for address in email.to or []:
        client("sesv2").send_email(
            FromEmailAddress=settings.sender_address,
            Destination={"ToAddresses": [address]},
            Content={"Raw": {"Data": mime_message(settings.sender_address, address, message)}},
            **extra,
        )
