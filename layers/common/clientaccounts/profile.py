"""One's own account: GET and PATCH /me, changing one's own email (R24), and the notice after
a password change made in Cognito. Every route here acts on the caller's own record only.

Changing an email (R24): the new address gets a single-use link; nothing changes until it is
confirmed. On confirmation every session ends first (a failure then changes nothing and the
link still works), then one transaction moves the email and its uniqueness guard (an address
taken meanwhile is refused, 409), marks the link used, tells the old address and audits it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import clock, identity
from .answers import ProfileView
from .auth import Caller, caller_organization
from .config import get_settings
from .email_limits import OverEmailLimit, count_public_email
from .errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Throttled
from .links import (
    Account,
    Purpose,
    account_id,
    account_kind,
    check_usable,
    hash_token,
    new_link,
)
from .outbox import audit_by, audit_event, queue_email
from .persistence import keys, store, writes
from .persistence.models import Client, Link, Organization, Staff
from .recovery import account_of_link
from .rules import CLIENT_MANAGER_ROLES
from .schemas import UpdateMeRequest


def _own_account(caller: Caller) -> Account:
    if caller.account is None:  # the authorizer's read always sets it
        raise NotFound("Account not found.")
    return caller.account


def profile_view(account: Account, *, mfa_enrollment_required: bool = False) -> ProfileView:
    """GET /me: who the caller is, as API.md lists it."""
    view: ProfileView = {
        "kind": account_kind(account),
        "id": account_id(account),
        "org_slug": account.org_id,
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
    }
    if isinstance(account, Client):
        view["status"] = account.status
    else:
        view["roles"] = sorted(account.roles)
        view["department_ids"] = sorted(account.department_ids)
        view["new_client_notifications"] = account.new_client_notifications
        view["mfa_enrolled"] = bool(account.mfa_enrolled)
        view["mfa_enrollment_required"] = mfa_enrollment_required
    return view


def my_profile(caller: Caller) -> ProfileView:
    """GET /me; for staff, whether a second factor is enrolled and whether the organization
    requires one that is not (R30: then this is one of the few routes they may call)."""
    return profile_view(
        _own_account(caller), mfa_enrollment_required=caller.mfa_enrollment_required
    )


def update_my_profile(caller: Caller, changes: UpdateMeRequest) -> ProfileView:
    """PATCH /me (R25): any staff member switches their own new-client notifications; staff
    with a manager role edit their own name. A client's details are the office's to edit."""
    account = _own_account(caller)
    if isinstance(account, Client):
        raise Forbidden("Your practice keeps your details; ask them to change them.")
    renaming = changes.first_name is not None or changes.last_name is not None
    if renaming and not caller.roles & CLIENT_MANAGER_ROLES:
        raise Forbidden("Your role does not allow changing your name here.", field="first_name")
    fields: dict[str, Any] = {}
    if changes.new_client_notifications is not None:
        fields["new_client_notifications"] = changes.new_client_notifications
    if changes.first_name is not None:
        fields["first_name"] = changes.first_name
    if changes.last_name is not None:
        fields["last_name"] = changes.last_name
    tx = store.Transaction()
    writes.update_own_staff_profile(
        tx,
        account,
        fields=fields,
        at=clock.iso(clock.now()),
        on_conflict=NotFound("Account not found."),
    )
    tx.save(audit_by(caller, "staff", account.staff_id, "staff.profile_updated"))
    tx.commit()
    updated = store.get_staff(caller.org_id, caller.account_id)
    if updated is None:
        raise NotFound("Account not found.")
    return profile_view(updated, mfa_enrollment_required=caller.mfa_enrollment_required)


# --- own email (R24) --------------------------------------------------------------------


def request_email_change(caller: Caller, new_email: str) -> None:
    """POST /me/email-change: a link to the new address (a newer one voids the older). The
    answer does not say whether the address is taken (it is checked on confirmation); the
    emails to an address are limited as on the public routes (R28), here with a 429."""
    account = _own_account(caller)
    if keys.normalize_email(new_email) == keys.normalize_email(account.email):
        raise InvalidInput("This is already your email.", field="email")
    org = caller_organization(caller)
    now = clock.now()
    hours = get_settings().email_change_link_hours
    token, link = new_link(
        Purpose.EMAIL_CHANGE,
        org_id=account.org_id,
        account_kind=account_kind(account),
        account_id=account_id(account),
        valid_hours=hours,
        new_email=new_email,
    )
    tx = store.Transaction()
    writes.set_email_change_link(
        tx,
        account,
        link,
        on_conflict=Conflict(
            "Another email change was asked for meanwhile; try again.", code="concurrent_change"
        ),
    )
    tx.save(
        queue_email(
            "email_change",
            new_email,
            org.org_id,
            {"org_name": org.name, "org_slug": org.org_id, "token": token, "valid_hours": hours},
        )
    )
    count_public_email(tx, org_id=org.org_id, email=new_email, now=now)
    tx.save(
        audit_by(
            caller,
            account_kind(account),
            account_id(account),
            f"{account_kind(account)}.email_change_requested",
        )
    )
    try:
        tx.commit()
    except OverEmailLimit as exc:
        raise Throttled(
            "Too many emails to this address; please try again later.", field="email"
        ) from exc


def confirm_email_change(token: str) -> None:
    """POST /public/email-changes/confirm (R24)."""
    now = clock.now()
    link = check_usable(store.get_link(hash_token(token)), Purpose.EMAIL_CHANGE, now)
    account = account_of_link(link)
    replaced = Gone("A newer link was sent; please use the latest email.", code="link_replaced")
    if account.email_change_link_hash != link.token_hash or not link.new_email:
        raise replaced
    org = store.get_organization(link.org_id)
    if org is None:
        raise NotFound("This link is not valid.", code="link_not_found")
    if account.username:
        # First: if Cognito fails, nothing has changed and the link still works.
        identity.sign_out_everywhere(account.username)
    _commit_email_change(org, account, link, now)


def _commit_email_change(org: Organization, account: Account, link: Link, now: datetime) -> None:
    new_email = link.new_email or ""
    at = clock.iso(now)
    kind, owner = account_kind(account), account_id(account)
    tx = store.Transaction()
    if keys.normalize_email(new_email) != keys.normalize_email(account.email):
        # First: when the address is taken and the link used at once, the answer names the
        # taken address (the first failed condition of a transaction is the one answered).
        writes.move_email_guard(
            tx,
            account_kind=kind,
            org_id=org.org_id,
            owner_id=owner,
            old_email=account.email,
            new_email=new_email,
            on_conflict=Conflict(
                "This address already belongs to another account here.",
                code="email_taken",
                field="email",
            ),
        )
    writes.use_link(
        tx, link, at=at, on_conflict=Gone("This link was already used.", code="link_used")
    )
    writes.change_account_email(
        tx,
        account,
        new_email=new_email,
        link_hash=link.token_hash,
        at=at,
        on_conflict=Gone(
            "A newer link was sent; please use the latest email.", code="link_replaced"
        ),
    )
    # The old address is told, so a takeover cannot go unnoticed (R24).
    tx.save(
        queue_email(
            "email_changed",
            account.email,
            org.org_id,
            {"org_name": org.name, "org_slug": org.org_id},
        )
    )
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind=kind,
            subject_id=owner,
            action=f"{kind}.email_changed",
            actor_kind=kind,
            actor_id=owner,
        )
    )
    tx.commit()


# --- own password, changed in Cognito ----------------------------------------------------


def report_password_changed(caller: Caller) -> None:
    """POST /me/password-changed: the app calls it right after Cognito `ChangePassword`.
    Every session ends (the app signs in again with the new password) and the account's own
    address is told, so a change made by someone else cannot go unnoticed."""
    account = _own_account(caller)
    if account.username:
        identity.sign_out_everywhere(account.username)
    org = caller_organization(caller)
    kind, owner = account_kind(account), account_id(account)
    tx = store.Transaction()
    tx.save(
        queue_email(
            "password_changed",
            account.email,
            org.org_id,
            {"org_name": org.name, "org_slug": org.org_id},
        )
    )
    # Not counted against the public email limits: only the account's own address gets it,
    # and only its own signed-in owner can cause it.
    tx.save(audit_by(caller, kind, owner, f"{kind}.password_changed"))
    tx.commit()


# --- own second factor (R30) -----------------------------------------------------------


def enrol_my_mfa(caller: Caller) -> None:
    """POST /me/mfa: the portal has associated a TOTP secret (AssociateSoftwareToken) and
    verified a code of the user's authenticator app with Cognito (VerifySoftwareToken); the
    server makes it the login's preferred second factor, which Cognito refuses unless it was
    verified, and records the enrolment. Staff only (clients are unchanged)."""
    account = _own_account(caller)
    if not isinstance(account, Staff):
        raise Forbidden("A second factor is for staff accounts.")
    if not account.username:
        raise NotFound("Account not found.")
    try:
        identity.enable_software_token_mfa(account.username)
    except identity.SoftwareTokenNotVerified as exc:
        raise Conflict(
            "Verify a code of your authenticator app with Cognito first "
            "(AssociateSoftwareToken, then VerifySoftwareToken).",
            code="mfa_not_verified",
        ) from exc
    tx = store.Transaction()
    writes.set_mfa_enrolled(
        tx,
        account,
        enrolled=True,
        at=clock.iso(clock.now()),
        on_conflict=NotFound("Account not found."),
    )
    tx.save(audit_by(caller, "staff", account.staff_id, "staff.mfa_enrolled"))
    tx.commit()
