"""Single-use emailed links: the token goes only into the email; its SHA-256 is stored."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from . import clock, rules
from .answers import LinkView
from .errors import Conflict, Gone, NotFound
from .persistence import store, writes
from .persistence.keys import hash_token as hash_token
from .persistence.models import Client, Link, Staff

HOUSEKEEPING_DAYS = 30  # TTL deletes the record this long after expiry; expiry itself is exact


class Purpose(StrEnum):
    EMAIL_CONFIRMATION = "email_confirmation"
    INVITATION = "invitation"
    # R23; a purpose, not a password (ruff and bandit flag the word)
    PASSWORD_RESET = "password_reset"  # noqa: S105  # nosec B105
    EMAIL_CHANGE = "email_change"  # R24: kept apart on the account (email_change_link_hash)


Account = Client | Staff


def account_kind(account: Account) -> str:
    return "client" if isinstance(account, Client) else "staff"


def account_id(account: Account) -> str:
    return account.client_id if isinstance(account, Client) else account.staff_id


def has_credentials(account: Account) -> bool:
    return account.username is not None


def new_link(
    purpose: Purpose,
    *,
    org_id: str,
    account_kind: str,
    account_id: str,
    valid_hours: int,
    new_email: str | None = None,
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
        new_email=new_email,
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


def replace_account_link(
    tx: store.Transaction, account: Account, purpose: Purpose, *, valid_hours: int
) -> str:
    """A new invitation, confirmation or password-reset link for the account (R3, R9, R23: a
    newer link voids the older), added to `tx`; returns its token for the email. The account
    must still be as read: same live link, and still needing what the link is for."""
    token, link = new_link(
        purpose,
        org_id=account.org_id,
        account_kind=account_kind(account),
        account_id=account_id(account),
        valid_hours=valid_hours,
    )
    writes.replace_link(
        tx,
        account,
        link,
        on_conflict=Conflict("The account changed meanwhile; try again.", code="concurrent_change"),
    )
    return token


def replace_client_link(
    tx: store.Transaction, client: Client, purpose: Purpose, *, valid_hours: int
) -> str:
    """`replace_account_link` for a client (R3, R9)."""
    return replace_account_link(tx, client, purpose, valid_hours=valid_hours)


def link_delivery(account: Account) -> str | None:
    """R31: "bounced" or "complained" when SES reported so for the email of the account's
    newest link; None for an older link's report (a resend starts afresh) or none."""
    if account.link_hash is None or account.link_delivery_hash != account.link_hash:
        return None
    return account.link_delivery


def link_view(account: Account) -> LinkView | None:
    """The newest invitation, confirmation or reset link and its state (API.md's `link`);
    None if there never was one."""
    if not account.link_purpose:
        return None
    if isinstance(account, Client):
        email_confirmed, credentials_set = account.email_confirmed, account.credentials_set
    else:
        email_confirmed = credentials_set = account.username is not None
    state = rules.link_state(
        purpose=account.link_purpose,
        email_confirmed=email_confirmed,
        credentials_set=credentials_set,
        used=account.link_used_at is not None,
        live=account.link_hash is not None,
        expires_at=account.link_expires_at,
        now_iso=clock.iso(clock.now()),
        delivery=link_delivery(account),
    )
    return {
        "purpose": account.link_purpose,
        "state": state.value,
        "sent_at": account.link_sent_at,
        "expires_at": account.link_expires_at,
    }
