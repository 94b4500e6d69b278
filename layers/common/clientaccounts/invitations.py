"""Accepting an invitation (R3, R4): a staff-created client or an invited staff member
chooses username and password through the same route.

As in registration, the Cognito login comes first and one transaction follows; if the
transaction fails the login is deleted again (docs/decisions.md).
"""

from __future__ import annotations

from . import clock, identity, rules, store
from .errors import Gone, NotFound
from .links import Purpose, check_usable, hash_token
from .models import Client, Link, Staff
from .outbox import audit_event, queue_email


def accept_invitation(token: str, username: str, password: str) -> str:
    """Returns the account's status ("active", or "pending"/"inactive" for a client)."""
    now = clock.now()
    link = check_usable(store.get_link(hash_token(token)), Purpose.INVITATION, now)
    org = store.get_organization(link.org_id)
    client = (
        store.get_client(link.org_id, link.account_id) if link.account_kind == "client" else None
    )
    staff = store.get_staff(link.org_id, link.account_id) if link.account_kind == "staff" else None
    if org is None or (client is None and staff is None):
        raise NotFound("This link is not valid.", code="link_not_found")
    link_used = Gone("This link was already used.", code="link_used")
    if (client and client.credentials_set) or (staff and staff.username):
        raise link_used
    rules.check_password(password)
    identity.create_login(
        username=username,
        password=password,
        org_id=org.org_id,
        account_kind=link.account_kind,
        account_id=link.account_id,
    )
    tx = store.Transaction()
    tx.update(
        link,
        [Link.used_at.set(clock.iso(now))],
        Link.used_at.does_not_exist() & Link.voided_at.does_not_exist(),
        on_conflict=link_used,
    )
    stored_username = identity.normalize_username(username)
    if client is not None:
        tx.update(
            client,
            [
                Client.credentials_set.set(True),
                Client.email_confirmed.set(True),  # R4: the invitation proved the address
                Client.username.set(stored_username),
                Client.link_hash.remove(),
                Client.updated_at.set(clock.iso(now)),
            ],
            (Client.credentials_set == False) & (Client.link_hash == link.token_hash),  # noqa: E712
            on_conflict=link_used,
        )
        tx.save(
            queue_email(
                "get_started",
                client.email,
                org.org_id,
                {"first_name": client.first_name, "org_name": org.name, "org_slug": org.org_id},
            )
        )
    elif staff is not None:
        tx.update(
            staff,
            [Staff.username.set(stored_username), Staff.updated_at.set(clock.iso(now))],
            Staff.username.does_not_exist(),
            on_conflict=link_used,
        )
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind=link.account_kind,
            subject_id=link.account_id,
            action=f"{link.account_kind}.invitation_accepted",
            actor_kind=link.account_kind,
            actor_id=link.account_id,
        )
    )
    try:
        tx.commit()
    except Exception:
        identity.delete_login(username)
        raise
    return client.status if client is not None else "active"
