"""Self-registration at an organization's portal and email confirmation (R5-R10, R21, R28).

The registration form asks no username or password (R5): they are chosen on the confirmation
link (R9, credentials.py), so only whoever holds the inbox can ever sign in, and the form's
answer cannot depend on who already has an account. A registration is one DynamoDB
transaction: client, email guard, confirmation link, outbox email, audit event and the
address's public email counters (R28). No email can leave for a registration that did not
commit: the email is a row of that same transaction, sent afterwards by the mailer.

Known and unknown addresses answer alike (R21) and do the same reads and one transaction
each, so that their timing does not tell them apart either.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from . import clock, rules
from .associations import add_association, practitioner_view
from .config import get_settings
from .credentials import set_credentials_through_link, use_claimed_link
from .email_limits import count_public_email
from .errors import Conflict, Gone, InvalidInput, NotFound
from .links import Purpose, check_usable, hash_token, new_link, replace_client_link
from .observability import count, logger
from .outbox import audit_event, get_started_email, queue_email, queue_link_email
from .persistence import keys, store, writes
from .persistence.models import Client, Link, Organization, OutboxEmail, Staff
from .schemas import RegistrationRequest


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


def register_client(slug: str, registration: RegistrationRequest) -> None:
    """R5-R9, R21, R28. Answers the same whether or not the email is known."""
    org = get_registering_organization(slug)
    rules.check_date_of_birth(registration.dob, clock.now().date())
    choice = choose_registration_practitioner(
        org, registration.practitioner_id, registration.department_id
    )
    guard = store.get_guard(keys.client_email_guard_key(org.org_id, registration.email))
    client_id = guard.owner_id if guard else uuid.uuid4().hex
    # Read for an unknown address too (it finds nothing): both paths cost the same reads.
    known = store.get_client(org.org_id, client_id)
    try:
        if known is None:
            try:
                _commit_registration(org, registration, client_id, choice)
                count("Registrations")
                logger.info(
                    "client registered", extra={"org_id": org.org_id, "client_id": client_id}
                )
                return
            except _EmailAlreadyRegistered:
                # Another registration with this address committed first: answer as to it.
                raced = store.get_guard(keys.client_email_guard_key(org.org_id, registration.email))
                known = store.get_client(org.org_id, raced.owner_id) if raced else None
                if known is None:
                    return
        _answer_known_address(org, known)
    except Conflict as exc:
        # Over the address's email limits (R28), or a concurrent request sent the link: the
        # answer stays the same (R21).
        logger.info("registration sent no email", extra={"org_id": org.org_id, "code": exc.code})


def _commit_registration(
    org: Organization,
    registration: RegistrationRequest,
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
        credentials_set=False,
        origin="self",
        registered_practitioner_id=choice.practitioner_id if choice else None,
        registered_department_id=choice.department_id if choice else None,
        link_hash=link.token_hash,
        link_purpose=link.purpose,
        link_sent_at=link.created_at,
        link_expires_at=link.expires_at,
        created_at=clock.iso(now),
        cleanup_due_at=clock.iso(now + timedelta(days=settings.unconfirmed_retention_days)),
    )
    tx = store.Transaction()
    writes.insert_client(tx, client)
    writes.claim_unique(
        tx,
        keys.client_email_guard_key(org.org_id, registration.email),
        org_id=org.org_id,
        owner_kind="client",
        owner_id=client_id,
        on_conflict=_EmailAlreadyRegistered("taken"),
    )
    writes.insert(tx, link)
    tx.save(_confirmation_email(org, client, token))
    count_public_email(tx, org_id=org.org_id, email=client.email, now=now)
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


def _answer_known_address(org: Organization, client: Client) -> None:
    """R9, R21: an account still waiting for its address to be proven gets a fresh link
    (nobody's credentials are at stake); any other account is told someone tried to register
    with its address. Each within the address's public email limits (R28)."""
    now = clock.now()
    if awaits_confirmation(client, now):
        send_fresh_client_link(org, client, Purpose.EMAIL_CONFIRMATION, now)
    elif awaits_invitation(client):
        send_fresh_client_link(org, client, Purpose.INVITATION, now)
    else:
        tx = store.Transaction()
        # The notice goes only to an account that still exists when it is sent.
        writes.check_client_exists(
            tx,
            client.org_id,
            client.client_id,
            on_conflict=Conflict("gone", code="client_not_found"),
        )
        tx.save(
            queue_email(
                "registration_attempt",
                client.email,
                org.org_id,
                {"org_name": org.name, "org_slug": org.org_id},
            )
        )
        count_public_email(tx, org_id=org.org_id, email=client.email, now=now)
        # A security event of the account's: someone offered its address to the form.
        tx.save(
            audit_event(
                org_id=org.org_id,
                subject_kind="client",
                subject_id=client.client_id,
                action="client.registration_attempted",
                actor_kind="public",
            )
        )
        tx.commit()


def awaits_confirmation(client: Client, now: datetime) -> bool:
    """An unconfirmed self-registration before its deadline (R9, R19)."""
    return (
        client.origin == "self"
        and not client.email_confirmed
        and not rules.signup_expired(
            origin=client.origin,
            email_confirmed=client.email_confirmed,
            cleanup_due_at=client.cleanup_due_at,
            now_iso=clock.iso(now),
        )
    )


def awaits_invitation(client: Client) -> bool:
    """A staff-created client who has not chosen credentials and is not inactive (R3)."""
    return (
        client.origin == "staff"
        and not client.credentials_set
        and client.status != rules.Status.INACTIVE
    )


def send_fresh_client_link(
    org: Organization, client: Client, purpose: Purpose, now: datetime
) -> None:
    """A new confirmation or invitation link, the older one void, asked for on a public route
    (registration, resend): counted against the address's limits, audited as public."""
    settings = get_settings()
    hours = (
        settings.invitation_link_hours
        if purpose is Purpose.INVITATION
        else settings.confirmation_link_hours
    )
    tx = store.Transaction()
    token = replace_client_link(tx, client, purpose, valid_hours=hours)
    tx.save(
        queue_link_email(
            "invitation" if purpose is Purpose.INVITATION else "email_confirmation",
            to=client.email,
            first_name=client.first_name,
            org_id=org.org_id,
            org_name=org.name,
            token=token,
            valid_hours=hours,
        )
    )
    count_public_email(tx, org_id=org.org_id, email=client.email, now=now)
    tx.save(
        audit_event(
            org_id=org.org_id,
            subject_kind="client",
            subject_id=client.client_id,
            action="client.invitation_resent"
            if purpose is Purpose.INVITATION
            else "client.confirmation_resent",
            actor_kind="public",
        )
    )
    tx.commit()


def resend_confirmation(org_slug: str, email: str) -> None:
    """R9, R21, R28: a new link that voids the old one, for an unconfirmed self-registration.
    Silent in every other case, and within the address's public email limits."""
    org = store.get_organization(org_slug)
    if org is None:
        return
    guard = store.get_guard(keys.client_email_guard_key(org.org_id, email))
    if guard is None or guard.owner_kind != "client":
        return
    client = store.get_client(org.org_id, guard.owner_id)
    now = clock.now()
    if client is None or not awaits_confirmation(client, now):
        return
    try:
        send_fresh_client_link(org, client, Purpose.EMAIL_CONFIRMATION, now)
    except Conflict:
        # Over the limits, or another resend won the race and sent the link: same answer.
        logger.info("resend not sent", extra={"client_id": client.client_id})


# --- confirmation (R9, R10) ------------------------------------------------------------


class _ClientChanged(Conflict):
    """Internal: the client's state changed between the read and the transaction."""


def confirm_email(token: str, username: str, password: str) -> str:
    """R9, R10: the person at the address confirms it and chooses username and password,
    which creates the login; then get-started (or awaiting approval) and staff notices.
    Returns the client's status."""
    now = clock.now()
    link = check_usable(store.get_link(hash_token(token)), Purpose.EMAIL_CONFIRMATION, now)
    client = store.get_client(link.org_id, link.account_id)
    org = store.get_organization(link.org_id)
    if client is None or org is None:
        raise NotFound("This link is not valid.", code="link_not_found")
    _refuse_expired_signup(client, now)
    if client.email_confirmed:
        raise Gone("This link was already used.", code="link_used")

    def commit(claim_id: str, stored_username: str) -> str:
        current: Client | None = client
        # A client changed meanwhile (approved, deactivated) is decided again once, on its
        # new state.
        for _ in range(2):
            if current is None:
                raise NotFound("This link is not valid.", code="link_not_found")
            try:
                return _commit_confirmation(org, current, link, claim_id, stored_username)
            except _ClientChanged:
                current = store.get_client(link.org_id, link.account_id)
                if current is not None:
                    _refuse_expired_signup(current, clock.now())
        raise Conflict(
            "Your account changed meanwhile; please open the link again.",
            code="concurrent_change",
        )

    status = set_credentials_through_link(
        link, Purpose.EMAIL_CONFIRMATION, username=username, password=password, commit=commit
    )
    count("EmailConfirmations")
    return status


def _refuse_expired_signup(client: Client, now: datetime) -> None:
    # R19: past its deadline the registration is the cleanup's, even if the daily run has not
    # come yet; deciding on the deadline leaves no race between the two.
    if rules.signup_expired(
        origin=client.origin,
        email_confirmed=client.email_confirmed,
        cleanup_due_at=client.cleanup_due_at,
        now_iso=clock.iso(now),
    ):
        raise Gone(
            "This registration has expired; please register again.", code="registration_expired"
        )


def _practitioner_at_confirmation(
    org: Organization, client: Client
) -> rules.PractitionerChoice | None:
    """R6 at confirmation: the practitioner chosen at registration, in the department chosen
    (or their first, if that one is no longer theirs). One who no longer takes clients makes
    it "not sure" (R7): the office is asked to assign someone."""
    if client.registered_practitioner_id is None:
        return None
    view = practitioner_view(org.org_id, client.registered_practitioner_id)
    for department_id in (client.registered_department_id, None):
        try:
            return rules.choose_practitioner_department(view, department_id)
        except InvalidInput:
            continue
    return None


def _commit_confirmation(
    org: Organization, client: Client, link: Link, claim_id: str, stored_username: str
) -> str:
    now = clock.now()
    now_iso = clock.iso(now)
    choice = _practitioner_at_confirmation(org, client)
    pending = client.status == rules.Status.PENDING
    tx = store.Transaction()
    use_claimed_link(tx, link, claim_id, now)
    writes.confirm_client_email(
        tx,
        client,
        link_hash=link.token_hash,
        username=stored_username,
        at=now_iso,
        practitioners_added=0 if choice is None else 1,
        on_conflict=_ClientChanged("changed"),
    )
    if choice is not None:
        add_association(tx, org.org_id, client.client_id, choice)
    if pending:
        params = {"first_name": client.first_name, "org_name": org.name, "org_slug": org.org_id}
        tx.save(queue_email("awaiting_approval", client.email, org.org_id, params))
    else:
        tx.save(
            get_started_email(
                to=client.email,
                first_name=client.first_name,
                org_id=org.org_id,
                org_name=org.name,
                has_practitioner=choice is not None,
            )
        )
    queue_staff_notices(
        tx,
        org_id=org.org_id,
        client_id=client.client_id,
        chosen_practitioner_id=choice.practitioner_id if choice else None,
        pending=pending,
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
    try:
        tx.commit()
    except InvalidInput:
        # The practitioner stopped taking clients between the read and the commit.
        raise _ClientChanged("practitioner changed") from None
    return client.status


def queue_staff_notices(
    tx: store.Transaction,
    *,
    org_id: str,
    client_id: str,
    chosen_practitioner_id: str | None,
    pending: bool,
) -> None:
    """R10's staff notices, added to `tx`: at confirmation, and again at approval (R16) for
    a registration that waited for it (then as for one that had not had to)."""
    for notice in rules.staff_notices_after_confirmation(
        chosen_practitioner_id=chosen_practitioner_id,
        pending=pending,
        staff=[_contact(s) for s in store.list_staff(org_id)],
    ):
        tx.save(
            queue_email(
                notice.template, notice.email, org_id, {"org_slug": org_id, "client_id": client_id}
            )
        )


def _contact(staff: Staff) -> rules.StaffContact:
    return rules.StaffContact(
        staff_id=staff.staff_id,
        email=staff.email,
        roles=frozenset(staff.roles),
        active=staff.active,
        new_client_notifications=staff.new_client_notifications,
    )
