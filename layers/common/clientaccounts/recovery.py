"""Account recovery (R23): forgot login, password reset (by the person, or sent by a manager).

Nobody ever sees or sets another person's password: a reset is always an emailed single-use
link (1 h, a newer one voids the older) to the account's own address, and the password is
chosen on it. Completing a reset ends every session first, then sets the password, then
records it (credentials.py's claim keeps two uses of one link from both going through):
- sessions first, because a password set while an attacker's refresh token still works
  would leave them in; if Cognito fails after that, nothing is recorded and the same link
  works again;
- the transaction last: the link is marked used, "your password was changed" is queued and
  the change is audited, together.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime

from . import clock, identity, rules
from .associations import associations_to_change
from .auth import Action, Caller, authorize, caller_organization
from .clients import caller_client
from .config import get_settings
from .credentials import claim_link, release_link
from .email_limits import OverEmailLimit, count_public_email
from .errors import Conflict, Gone, NotFound
from .links import (
    Account,
    Purpose,
    account_id,
    account_kind,
    check_usable,
    hash_token,
    replace_account_link,
)
from .observability import logger
from .outbox import audit_by, audit_event, queue_email
from .persistence import keys, store, writes
from .persistence.models import AuditEvent, Client, Link, Organization, OutboxEmail, Staff
from .registration import awaits_confirmation, awaits_invitation, send_fresh_client_link
from .staff import check_staff_in_scope, staff_invitation_email, staff_member


def account_of_link(link: Link) -> Account:
    """The client or staff member a link was sent for; 404 when it is gone."""
    account: Account | None = (
        store.get_client(link.org_id, link.account_id)
        if link.account_kind == "client"
        else store.get_staff(link.org_id, link.account_id)
    )
    if account is None:
        raise NotFound("This link is not valid.", code="link_not_found")
    return account


def is_inactive(account: Account) -> bool:
    if isinstance(account, Client):
        return account.status == rules.Status.INACTIVE
    return not account.active


def _org_params(org: Organization) -> dict[str, str]:
    return {"org_name": org.name, "org_slug": org.org_id}


def password_reset_email(org: Organization, account: Account, token: str) -> OutboxEmail:
    """The account's own username and a reset link; nothing else about the person."""
    return queue_email(
        "password_reset",
        account.email,
        org.org_id,
        {
            **_org_params(org),
            "username": account.username,
            "token": token,
            "valid_hours": get_settings().password_reset_link_hours,
        },
    )


def send_password_reset(
    org: Organization, account: Account, *, audit: Callable[[], AuditEvent]
) -> None:
    """A manager sends the reset email (R23); 409 when there are no credentials yet (the
    invitation is what helps then)."""
    if account.username is None:
        raise Conflict(
            "This account has no username and password yet; send the invitation instead.",
            code="credentials_not_set",
        )
    tx = store.Transaction()
    token = replace_account_link(
        tx, account, Purpose.PASSWORD_RESET, valid_hours=get_settings().password_reset_link_hours
    )
    tx.save(password_reset_email(org, account, token))
    tx.save(audit())
    tx.commit()


# --- forgot login (R23, R21, R28) ----------------------------------------------------------


def forgot_login(slug: str, email: str) -> None:
    """The address gets what helps, for each account it has in the organization (a person
    who is both staff and client gets both); the answer never says which. Unknown and known
    addresses do the same reads and at least one transaction (the address's counters)."""
    org = store.get_organization(slug)
    if org is None:
        return
    now = clock.now()
    client_guard = store.get_guard(keys.client_email_guard_key(org.org_id, email))
    staff_guard = store.get_guard(keys.staff_email_guard_key(org.org_id, email))
    nobody = uuid.uuid4().hex
    client = store.get_client(org.org_id, client_guard.owner_id if client_guard else nobody)
    staff = store.get_staff(org.org_id, staff_guard.owner_id if staff_guard else nobody)
    # One request counts once against the address's limits (R28), however many of its
    # accounts it helps; the client's recovery (which may reuse the registration's resend,
    # which counts itself) goes first.
    counted = False
    for account in (client, staff):
        if account is None:
            continue
        try:
            counted = _send_recovery(org, account, now, count=not counted) or counted
        except Conflict as exc:
            # Over the address's limits, or a concurrent request sent the link: same answer.
            logger.info(
                "forgot-login sent no email", extra={"org_id": org.org_id, "code": exc.code}
            )
            if isinstance(exc, OverEmailLimit):
                return
    if not counted:
        _count_only(org, email, now)


def _count_only(org: Organization, email: str, now: datetime) -> None:
    """What an address that gets nothing costs: the same counters, in one transaction."""
    tx = store.Transaction()
    count_public_email(tx, org_id=org.org_id, email=email, now=now)
    with contextlib.suppress(Conflict):  # over the limits: nothing was sent anyway
        tx.commit()


def _send_recovery(org: Organization, account: Account, now: datetime, *, count: bool) -> bool:
    """One account's recovery email; False when nothing helps (an expired sign-up)."""
    if isinstance(account, Client) and not is_inactive(account) and not account.username:
        if awaits_confirmation(account, now):
            send_fresh_client_link(org, account, Purpose.EMAIL_CONFIRMATION, now)
            return True
        if awaits_invitation(account):
            send_fresh_client_link(org, account, Purpose.INVITATION, now)
            return True
        return False
    kind = account_kind(account)
    tx = store.Transaction()
    if is_inactive(account):
        tx.save(queue_email("contact_practice", account.email, org.org_id, _org_params(org)))
        action = f"{kind}.recovery_inactive"
    elif account.username:
        token = replace_account_link(
            tx,
            account,
            Purpose.PASSWORD_RESET,
            valid_hours=get_settings().password_reset_link_hours,
        )
        tx.save(password_reset_email(org, account, token))
        action = f"{kind}.password_reset_sent"
    elif isinstance(account, Staff):  # invited, never accepted: a fresh invitation
        token = replace_account_link(
            tx, account, Purpose.INVITATION, valid_hours=get_settings().invitation_link_hours
        )
        tx.save(staff_invitation_email(org, account, token))
        action = "staff.invitation_resent"
    else:
        return False  # a client without credentials was handled above
    if count:
        count_public_email(tx, org_id=org.org_id, email=account.email, now=now)
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind=kind,
            subject_id=account_id(account),
            action=action,
            actor_kind="public",
        )
    )
    tx.commit()
    return True


# --- completing a reset ---------------------------------------------------------------


def reset_password(token: str, password: str) -> None:
    """POST /public/password-resets (R23). 410 for a used, replaced or expired link; 422 for
    a password the policy refuses (the link stays usable)."""
    now = clock.now()
    link = check_usable(store.get_link(hash_token(token)), Purpose.PASSWORD_RESET, now)
    rules.check_password(password)
    account = account_of_link(link)
    if account.username is None:
        raise Gone("This link is no longer valid.", code="link_replaced")
    claim_id = claim_link(link, Purpose.PASSWORD_RESET, now)
    try:
        identity.sign_out_everywhere(account.username)
        identity.set_password(account.username, password)
        _record_reset(link, claim_id, account)
    except BaseException:
        release_link(link, claim_id)
        raise
    logger.info("password reset", extra={"org_id": link.org_id, "account_kind": link.account_kind})


def _record_reset(link: Link, claim_id: str, account: Account) -> None:
    org = store.get_organization(link.org_id)
    if org is None:
        raise NotFound("This link is not valid.", code="link_not_found")
    try:
        _commit_reset(org, link, claim_id, account, account.link_hash == link.token_hash)
    except Conflict as exc:
        if exc.code != "concurrent_change":
            raise
        # A newer link raced in: it stays live (it was asked for); only this one is used.
        _commit_reset(org, link, claim_id, account, False)


def _commit_reset(
    org: Organization, link: Link, claim_id: str, account: Account, clear_account_link: bool
) -> None:
    at = clock.iso(clock.now())
    tx = store.Transaction()
    writes.use_claimed_reset_link(
        tx,
        link,
        claim_id=claim_id,
        at=at,
        on_conflict=Gone("This link was already used.", code="link_used"),
    )
    writes.record_password_reset(
        tx,
        account,
        link_hash=link.token_hash,
        clear_account_link=clear_account_link,
        at=at,
        on_conflict=Conflict("The account changed meanwhile.", code="concurrent_change"),
    )
    tx.save(queue_email("password_changed", account.email, org.org_id, _org_params(org)))
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind=link.account_kind,
            subject_id=link.account_id,
            action=f"{link.account_kind}.password_reset",
            actor_kind=link.account_kind,
            actor_id=link.account_id,
        )
    )
    tx.commit()


# --- sent by a manager ------------------------------------------------------------------


def send_client_password_reset(caller: Caller, client_id: str) -> None:
    """POST /clients/{id}/password-reset: client managers, within R11b."""
    authorize(caller, Action.MANAGE_CLIENTS)
    client = caller_client(caller, client_id)
    associations_to_change(caller, client_id)
    send_password_reset(
        caller_organization(caller),
        client,
        audit=lambda: audit_by(caller, "client", client_id, "client.password_reset_sent"),
    )


def send_staff_password_reset(caller: Caller, staff_id: str) -> None:
    """POST /staff/{id}/password-reset: org and dept admins, within R12."""
    authorize(caller, Action.MANAGE_STAFF)
    member = staff_member(caller, staff_id)
    check_staff_in_scope(caller, member)
    send_password_reset(
        caller_organization(caller),
        member,
        audit=lambda: audit_by(caller, "staff", staff_id, "staff.password_reset_sent"),
    )
