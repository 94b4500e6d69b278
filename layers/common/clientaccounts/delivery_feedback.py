"""R31: what SES reports of a sent email reaches the link it carried and the staff who sent it.

SES publishes the configuration set's bounce, complaint and delivery events to EventBridge;
each names the outbox email by the `email_id` tag the mailer set (delivery.EMAIL_ID_TAG). A
permanent bounce or a complaint marks the account's live link `bounced` or `complained`
(links.link_view) and, for an invitation a staff member sent, emails them a notice, all in
one transaction that succeeds once per link: a redelivered event changes nothing. A report
for a link a newer one replaced is stale: the state follows the newer link.

Transient (soft) bounces and deliveries only count: SES gave up on a full mailbox or a
passing refusal, the address itself is good, and a resend may well arrive. Events without
a tag, or naming an email or link that is gone, are counted and dropped, never retried.
Nothing of the event's addresses or headers is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from .delivery import EMAIL_ID_TAG
from .errors import Conflict
from .links import Account, Purpose, account_id, account_kind
from .observability import count, logger
from .outbox import audit_event, queue_email
from .persistence import store, writes
from .persistence.models import OutboxEmail
from .rules import LinkState


class Outcome(StrEnum):
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    DELIVERED = "delivered"
    TRANSIENT_BOUNCE = "transient_bounce"  # not marked: the address is good (module doc)
    REPEATED = "repeated"  # this link's report was recorded already (or raced a resend)
    NO_TAG = "no_tag"  # not an email of ours, or tagged before R31
    UNKNOWN_EMAIL = "unknown_email"  # the outbox row expired (14 days) or never was
    NO_LINK = "no_link"  # a notice, a get-started email...: no link state to change
    STALE_LINK = "stale_link"  # a newer link replaced it, or the account is gone
    UNKNOWN_EVENT = "unknown_event"  # an event type the destination should not send


EMAIL_ID_LENGTH = 32  # uuid4().hex (outbox.queue_email)


def _email_id(mail: Mapping[str, Any]) -> str | None:
    """The outbox email id SES echoes in `mail.tags` ({name: [values]}), if it looks like one."""
    tags = mail.get("tags")
    values = tags.get(EMAIL_ID_TAG) if isinstance(tags, Mapping) else None
    if not isinstance(values, list) or len(values) != 1:
        return None
    value = values[0]
    if not isinstance(value, str) or len(value) != EMAIL_ID_LENGTH or not value.isalnum():
        return None
    return value


def _failure_state(detail: Mapping[str, Any]) -> LinkState | Outcome:
    """What the event says of the address: bounced, complained, or an outcome to count."""
    kind = detail.get("eventType")
    if kind == "Delivery":
        return Outcome.DELIVERED
    if kind == "Complaint":
        return LinkState.COMPLAINED
    if kind == "Bounce":
        bounce = detail.get("bounce")
        permanent = isinstance(bounce, Mapping) and bounce.get("bounceType") == "Permanent"
        return LinkState.BOUNCED if permanent else Outcome.TRANSIENT_BOUNCE
    return Outcome.UNKNOWN_EVENT


def record_delivery_event(event: Mapping[str, Any]) -> Outcome:
    """One SES event as EventBridge delivers it (`detail` is SES's event record). Raises only
    when DynamoDB fails, so that the invocation is retried."""
    detail = event.get("detail")
    detail = detail if isinstance(detail, Mapping) else {}
    mail = detail.get("mail")
    email_id = _email_id(mail) if isinstance(mail, Mapping) else None
    state = _failure_state(detail)
    if isinstance(state, Outcome):
        outcome = state
    elif email_id is None:
        outcome = Outcome.NO_TAG
    else:
        outcome = _record_failure(email_id, state)
    count("DeliveryEvents", outcome=outcome.value)
    logger.info("delivery event", extra={"email_id": email_id, "outcome": outcome.value})
    return outcome


def _record_failure(email_id: str, state: LinkState) -> Outcome:
    email = store.get_outbox_email(email_id)
    if email is None:
        return Outcome.UNKNOWN_EMAIL
    if not email.link_hash:
        return Outcome.NO_LINK
    link = store.get_link(email.link_hash)
    account: Account | None = None
    if link is not None and link.account_kind == "client":
        account = store.get_client(link.org_id, link.account_id)
    elif link is not None and link.account_kind == "staff":
        account = store.get_staff(link.org_id, link.account_id)
    if link is None or account is None or account.link_hash != email.link_hash:
        return Outcome.STALE_LINK
    if account.link_delivery_hash == email.link_hash:
        return Outcome.REPEATED
    tx = store.Transaction()
    writes.record_link_delivery(
        tx,
        account,
        token_hash=email.link_hash,
        state=state.value,
        on_conflict=Conflict("Recorded already.", code="recorded"),
    )
    if link.purpose == Purpose.INVITATION.value:
        notice = _sender_notice(email, account, state)
        if notice is not None:
            tx.save(notice)
    tx.save(
        audit_event(
            org_id=account.org_id,
            subject_kind=account_kind(account),
            subject_id=account_id(account),
            action=f"{account_kind(account)}.link_{state.value}",
            actor_kind="system",
        )
    )
    try:
        tx.commit()
    except Conflict:  # the same event, delivered twice at once, or a resend meanwhile
        return Outcome.REPEATED
    return Outcome(state.value)


def _sender_notice(email: OutboxEmail, account: Account, state: LinkState) -> OutboxEmail | None:
    """The notice to the staff member who sent the invitation, if they are still active."""
    if not email.requested_by:
        return None  # asked for by the person (forgot login, a known address registering)
    sender = store.get_staff(account.org_id, email.requested_by)
    if sender is None or not sender.active:
        return None
    params = {
        "first_name": sender.first_name,
        "org_slug": account.org_id,
        "account_kind": account_kind(account),
        "account_id": account_id(account),
        "state": state.value,
    }
    return queue_email("invitation_undelivered", sender.email, account.org_id, params)
