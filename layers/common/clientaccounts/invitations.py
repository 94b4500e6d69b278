"""Accepting an invitation (R3, R4): a staff-created client or an invited staff member
chooses username and password through the same route (credentials.py: the link is claimed,
the login made, then one transaction)."""

from __future__ import annotations

from . import clock
from .credentials import set_credentials_through_link, use_claimed_link
from .errors import Gone, NotFound
from .links import Purpose, check_usable, hash_token
from .observability import count
from .outbox import audit_event, get_started_email
from .persistence import store, writes


def accept_invitation(token: str, username: str, password: str) -> str:
    """Returns the account's status after accepting: "active", "pending" or "inactive"."""
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
    # The get-started email says what happens next for a client with no practitioner yet.
    has_practitioner = client is not None and bool(
        store.list_client_associations(link.org_id, client.client_id)
    )

    def commit(claim_id: str, stored_username: str) -> str:
        at = clock.iso(clock.now())
        tx = store.Transaction()
        use_claimed_link(tx, link, claim_id, now)
        if client is not None:
            writes.accept_client_invitation(
                tx,
                client,
                link_hash=link.token_hash,
                username=stored_username,
                at=at,
                on_conflict=link_used,
            )
            tx.save(
                get_started_email(
                    to=client.email,
                    first_name=client.first_name,
                    org_id=org.org_id,
                    org_name=org.name,
                    has_practitioner=has_practitioner,
                )
            )
        elif staff is not None:
            writes.accept_staff_invitation(
                tx,
                staff,
                link_hash=link.token_hash,
                username=stored_username,
                at=at,
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
        tx.commit()
        if client is not None:
            return client.status
        # A staff member deactivated before accepting is told so, not "active".
        return "active" if staff is not None and staff.active else "inactive"

    status = set_credentials_through_link(
        link, Purpose.INVITATION, username=username, password=password, commit=commit
    )
    count("InvitationsAccepted", account_kind=link.account_kind)
    return status
