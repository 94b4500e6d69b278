"""Single-use emailed links: the token goes only into the email; its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from . import clock
from .errors import Gone, NotFound
from .models import Link

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
