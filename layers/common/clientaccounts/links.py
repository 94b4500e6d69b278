"""Single-use emailed links: the token goes only into the email; its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from . import clock, store
from .errors import Conflict, Gone, NotFound
from .models import Client, Link

HOUSEKEEPING_DAYS = 30  # TTL deletes the record this long after expiry; expiry itself is exact


class Purpose(StrEnum):
    EMAIL_CONFIRMATION = "email_confirmation"
    INVITATION = "invitation"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(
    purpose: Purpose, *, org_id: str, account_kind: str, account_id: str, valid_hours: int
) -> tuple[str, Link]:
    token = secrets.token_urlsafe(32)
    created = clock.now()
    expires = created + timedelta(hours=valid_hours)
    link = Link(
        hash_token(token),
        purpose=purpose.value,
        org_id=org_id,
        account_kind=account_kind,
        account_id=account_id,
        created_at=clock.iso(created),
        expires_at=clock.iso(expires),
        expires_ttl=expires + timedelta(days=HOUSEKEEPING_DAYS),
    )
    return token, link


def check_usable(link: Link | None, purpose: Purpose, now: datetime) -> Link:
    """404 for a link that never was; 410 for one used, replaced or expired."""
    if link is None or link.purpose != purpose.value:
        raise NotFound("This link is not valid.", code="link_not_found")
    if link.used_at:
        raise Gone("This link was already used.", code="link_used")
    if link.voided_at:
        raise Gone("A newer link was sent; please use the latest email.", code="link_replaced")
    if clock.iso(now) >= link.expires_at:
        raise Gone("This link has expired; please ask for a new one.", code="link_expired")
    return link


def replace_client_link(
    tx: store.Transaction, client: Client, purpose: Purpose, *, valid_hours: int
) -> str:
    """A new link for the client (R3, R9: a newer link voids the older), added to `tx`;
    returns its token for the email. The client must still be as read: same live link, and
    not yet done with what the link asks for."""
    token, link = new_link(
        purpose,
        org_id=client.org_id,
        account_kind="client",
        account_id=client.client_id,
        valid_hours=valid_hours,
    )
    tx.save(link, Link.token_hash.does_not_exist())
    if client.link_hash:
        tx.update(
            Link(client.link_hash), [Link.voided_at.set(link.created_at)], Link.token_hash.exists()
        )
    not_done = (
        Client.credentials_set == False  # noqa: E712
        if purpose is Purpose.INVITATION
        else Client.email_confirmed == False  # noqa: E712
    )
    same_link = (
        Client.link_hash == client.link_hash
        if client.link_hash
        else Client.link_hash.does_not_exist()
    )
    tx.update(
        client,
        [
            Client.link_hash.set(link.token_hash),
            Client.link_purpose.set(link.purpose),
            Client.link_sent_at.set(link.created_at),
            Client.link_expires_at.set(link.expires_at),
        ],
        not_done & same_link,
        on_conflict=Conflict("The client changed meanwhile; try again.", code="concurrent_change"),
    )
    return token
