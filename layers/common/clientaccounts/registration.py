"""Self-registration at an organization's portal and email confirmation (R5-R10, R21, R22).

Order of effects, so that a failure leaves nothing half-made (docs/decisions.md):
1. every check that can refuse the request;
2. the Cognito login (Cognito itself guarantees the username is unique);
3. one DynamoDB transaction: client, email guard, confirmation link, association, outbox
   email and audit event. If it fails, the login is deleted again.
No email can leave for a registration that did not commit: the email is a row of that
same transaction, sent afterwards by the mailer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from pynamodb.expressions.update import Action as UpdateAction

from . import clock, identity, rules, store
from .associations import add_association, practitioner_view
from .config import get_settings
from .errors import Conflict, Gone, InvalidInput, NotFound
from .links import Purpose, check_usable, hash_token, new_link
from .models import (
    APPROVAL_BUCKET,
    CLEANUP_BUCKET,
    Client,
    Guard,
    Link,
    Organization,
    OutboxEmail,
    Staff,
)
from .observability import logger
from .outbox import audit_event, queue_email, queue_link_email


@dataclass(frozen=True)
class Registration:
    first_name: str
    last_name: str
    email: str
    dob: date
    username: str
    password: str
    practitioner_id: str | None
    department_id: str | None = None


class _EmailAlreadyRegistered(Conflict):
    """Internal: the email guard existed at commit time (a race with another registration)."""


def get_registering_organization(slug: str) -> Organization:
    org = store.get_organization(slug)
    if org is None:
        raise NotFound("No organization has this portal address.", code="organization_not_found")
    return org


def choose_registration_practitioner(
    org: Organization, practitioner_id: str | None, department_id: str | None
) -> rules.PractitionerChoice | None:
    """R5-R7. In an individual practice its practitioner is chosen automatically and there is
    no "not sure"; elsewhere None means "not sure"."""
    if org.kind == "individual":
        if practitioner_id not in (None, org.practitioner_id):
            raise InvalidInput("This practice has a single practitioner.", field="practitioner_id")
        practitioner_id = org.practitioner_id
        if practitioner_id is None:
            raise NotFound("This practice is not accepting registrations yet.")
    if practitioner_id is None:
        return None
    return rules.choose_practitioner_department(
        practitioner_view(org.org_id, practitioner_id), department_id
    )


def register_client(slug: str, registration: Registration) -> None:
    """R5-R8, R21. Answers the same whether or not the email is known."""
    org = get_registering_organization(slug)
    rules.check_date_of_birth(registration.dob, clock.now().date())
    rules.check_password(registration.password)
    choice = choose_registration_practitioner(
        org, registration.practitioner_id, registration.department_id
    )
    known = store.get_guard(store.client_email_guard_key(org.org_id, registration.email))
    if known:
        _tell_owner_of_known_email(org, registration.email, known)
        return

    client_id = uuid.uuid4().hex
    identity.create_login(
        username=registration.username,
        password=registration.password,
        org_id=org.org_id,
        account_kind="client",
        account_id=client_id,
    )
    try:
        _commit_registration(org, registration, client_id, choice)
    except _EmailAlreadyRegistered:
        identity.delete_login(registration.username)
        _tell_owner_of_known_email(org, registration.email)
    except Exception:
        identity.delete_login(registration.username)
        raise
    logger.info("client registered", extra={"org_id": org.org_id, "client_id": client_id})


def _commit_registration(
    org: Organization,
    registration: Registration,
    client_id: str,
    choice: rules.PractitionerChoice | None,
) -> None:
    settings = get_settings()
    now = clock.now()
    status = rules.initial_self_registration_status(org.manual_approval)
    token, link = new_link(
        Purpose.EMAIL_CONFIRMATION,
        org_id=org.org_id,
        account_kind="client",
        account_id=client_id,
        valid_hours=settings.confirmation_link_hours,
    )
    first, last = registration.first_name, registration.last_name
    client = Client(
        org.org_id,
        client_id,
        first_name=first,
        last_name=last,
        email=registration.email,
        dob=registration.dob.isoformat(),
        status=status.value,
        email_confirmed=False,
        credentials_set=True,
        username=identity.normalize_username(registration.username),
        origin="self",
        registered_practitioner_id=choice.practitioner_id if choice else None,
        link_hash=link.token_hash,
        link_purpose=link.purpose,
        link_sent_at=link.created_at,
        link_expires_at=link.expires_at,
        created_at=clock.iso(now),
        status_key=f"{org.org_id}#{status.value}",
        name_key=f"{last.lower()}#{first.lower()}#{client_id}",
        cleanup_bucket=CLEANUP_BUCKET,
        cleanup_due_at=clock.iso(now + timedelta(days=settings.unconfirmed_retention_days)),
    )
    guard = store.uniqueness_guard(
        store.client_email_guard_key(org.org_id, registration.email),
        org.org_id,
        "client",
        client_id,
    )
    tx = store.Transaction()
    tx.save(client, Client.client_id.does_not_exist())
    tx.save(guard, Guard.guard_key.does_not_exist(), on_conflict=_EmailAlreadyRegistered("taken"))
    tx.save(link, Link.token_hash.does_not_exist())
    if choice is not None:
        add_association(tx, org.org_id, client_id, choice)
    tx.save(_confirmation_email(org, client, token))
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind="client",
            subject_id=client_id,
            action="client.self_registered",
            actor_kind="public",
        )
    )
    tx.commit()


def _confirmation_email(org: Organization, client: Client, token: str) -> OutboxEmail:
    return queue_link_email(
        "email_confirmation",
        to=client.email,
        first_name=client.first_name,
        org_id=org.org_id,
        org_name=org.name,
        token=token,
        valid_hours=get_settings().confirmation_link_hours,
    )


def _tell_owner_of_known_email(org: Organization, email: str, guard: Guard | None = None) -> None:
    """R21: a registration with a known email emails that address (as on record) instead,
    at most once per cool-down, so the form cannot be used to flood someone's inbox. `guard`:
    the email's guard when the caller has just read it (not read twice)."""
    guard_key = store.client_email_guard_key(org.org_id, email)
    guard = guard or store.get_guard(guard_key)
    owner = store.get_client(org.org_id, guard.owner_id) if guard else None
    if owner is None:
        return
    now = clock.now()
    cutoff = clock.iso(now - timedelta(seconds=get_settings().resend_cooldown_seconds))
    tx = store.Transaction()
    tx.update(
        Guard(guard_key),
        [Guard.notice_sent_at.set(clock.iso(now))],
        Guard.guard_key.exists()
        & (Guard.notice_sent_at.does_not_exist() | (Guard.notice_sent_at < cutoff)),
    )
    tx.save(
        queue_email(
            "registration_attempt",
            owner.email,
            org.org_id,
            {"org_name": org.name, "org_slug": org.org_id},
        )
    )
    try:
        tx.commit()
    except Conflict:
        logger.info("known-email notice skipped (cool-down)", extra={"org_id": org.org_id})


class _ClientChanged(Conflict):
    """Internal: the client's state changed between the read and the transaction."""


def confirm_email(token: str) -> str:
    """R9, R10: confirm once, then send get-started (or awaiting approval) and tell staff.
    Returns the client's status. A client changed meanwhile (approved, deactivated) is
    decided again once, on its new state."""
    try:
        return _confirm_email(token)
    except _ClientChanged:
        try:
            return _confirm_email(token)
        except _ClientChanged:
            raise Conflict(
                "Your account changed meanwhile; please open the link again.",
                code="concurrent_change",
            ) from None


def _confirm_email(token: str) -> str:
    now = clock.now()
    now_iso = clock.iso(now)
    link = check_usable(store.get_link(hash_token(token)), Purpose.EMAIL_CONFIRMATION, now)
    client = store.get_client(link.org_id, link.account_id)
    org = store.get_organization(link.org_id)
    if client is None or org is None:
        raise NotFound("This link is not valid.", code="link_not_found")
    # R19: past its deadline the registration is the cleanup's, even if the daily run has not
    # come yet; deciding on the deadline leaves no race between the two.
    if rules.signup_expired(
        origin=client.origin,
        email_confirmed=client.email_confirmed,
        cleanup_due_at=client.cleanup_due_at,
        now_iso=now_iso,
    ):
        raise Gone(
            "This registration has expired; please register again.", code="registration_expired"
        )

    pending = client.status == rules.Status.PENDING
    tx = store.Transaction()
    tx.update(
        link,
        [Link.used_at.set(now_iso)],
        Link.used_at.does_not_exist() & Link.voided_at.does_not_exist(),
        on_conflict=_link_used(),
    )
    actions: list[UpdateAction] = [
        Client.email_confirmed.set(True),
        Client.cleanup_bucket.remove(),
        Client.cleanup_due_at.remove(),
        Client.link_hash.remove(),
        Client.updated_at.set(now_iso),
    ]
    if pending:
        # Now it waits for the office: the daily reminder finds it through this sparse key.
        actions += [
            Client.approval_bucket.set(APPROVAL_BUCKET),
            Client.awaiting_approval_since.set(now_iso),
        ]
    tx.update(
        client,
        actions,
        (Client.email_confirmed == False)  # noqa: E712
        & (Client.link_hash == link.token_hash)
        & (Client.status == client.status)
        & (Client.cleanup_due_at.does_not_exist() | (Client.cleanup_due_at > now_iso)),
        on_conflict=_ClientChanged("changed"),
    )
    params = {"first_name": client.first_name, "org_name": org.name, "org_slug": org.org_id}
    tx.save(
        queue_email(
            "awaiting_approval" if pending else "get_started", client.email, org.org_id, params
        )
    )
    for notice in rules.staff_notices_after_confirmation(
        chosen_practitioner_id=client.registered_practitioner_id,
        pending=pending,
        staff=[_contact(s) for s in store.list_staff(org.org_id)],
    ):
        tx.save(
            queue_email(
                notice.template,
                notice.email,
                org.org_id,
                {"org_slug": org.org_id, "client_id": client.client_id},
            )
        )
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind="client",
            subject_id=client.client_id,
            action="client.email_confirmed",
            actor_kind="client",
            actor_id=client.client_id,
        )
    )
    tx.commit()
    return client.status


def _link_used() -> Gone:
    return Gone("This link was already used.", code="link_used")


def _contact(staff: Staff) -> rules.StaffContact:
    return rules.StaffContact(
        staff_id=staff.staff_id,
        email=staff.email,
        roles=frozenset(staff.roles),
        active=staff.active,
        new_client_notifications=staff.new_client_notifications,
    )


def resend_confirmation(org_slug: str, email: str) -> None:
    """R9, R21: a new link that voids the old one, for an unconfirmed self-registration.
    Silent in every other case, and at most once per cool-down."""
    org = store.get_organization(org_slug)
    if org is None:
        return
    guard = store.get_guard(store.client_email_guard_key(org.org_id, email))
    if guard is None or guard.owner_kind != "client":
        return
    client = store.get_client(org.org_id, guard.owner_id)
    if client is None or client.email_confirmed or client.origin != "self":
        return
    settings = get_settings()
    now = clock.now()
    cutoff = clock.iso(now - timedelta(seconds=settings.resend_cooldown_seconds))
    if client.link_sent_at and client.link_sent_at > cutoff:
        logger.info("resend skipped (cool-down)", extra={"client_id": client.client_id})
        return
    if client.cleanup_due_at and client.cleanup_due_at <= clock.iso(now):
        return  # R19: expired; the cleanup removes it and the address can register again
    token, link = new_link(
        Purpose.EMAIL_CONFIRMATION,
        org_id=org.org_id,
        account_kind="client",
        account_id=client.client_id,
        valid_hours=settings.confirmation_link_hours,
    )
    tx = store.Transaction()
    tx.save(link, Link.token_hash.does_not_exist())
    if client.link_hash:
        tx.update(
            Link(client.link_hash), [Link.voided_at.set(clock.iso(now))], Link.token_hash.exists()
        )
    tx.update(
        client,
        [
            Client.link_hash.set(link.token_hash),
            Client.link_purpose.set(link.purpose),
            Client.link_sent_at.set(link.created_at),
            Client.link_expires_at.set(link.expires_at),
        ],
        (Client.email_confirmed == False)  # noqa: E712
        & (
            Client.link_hash == client.link_hash
            if client.link_hash
            else Client.link_hash.does_not_exist()
        ),
    )
    tx.save(_confirmation_email(org, client, token))
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind="client",
            subject_id=client.client_id,
            action="client.confirmation_resent",
            actor_kind="public",
        )
    )
    try:
        tx.commit()
    except Conflict:
        logger.info(
            "resend lost a race; the other request sent the link",
            extra={"client_id": client.client_id},
        )
