"""Staff-side client management, the portal's Clients tab (R1-R4, R14-R17).

Every use case takes the `Caller` first, authorizes through `auth`, and reads only inside the
caller's organization (R18: another organization's id is simply not found).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from . import access_log, clock, identity, rules
from .answers import ClientPage, ClientView
from .associations import (
    add_association,
    associations_to_change,
    practitioner_view,
    remove_association,
)
from .auth import Action, Caller, authorize, caller_organization, check_department_scope
from .care_sessions import DELETION_HOLD, has_session_history
from .config import get_settings
from .errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from .links import Purpose, link_view, new_link, replace_client_link
from .observability import logger
from .outbox import audit_by, get_started_email, queue_link_email
from .persistence import keys, store, writes
from .persistence.models import Association, Client, Guard, Link, Organization, OutboxEmail
from .registration import choose_registration_practitioner, queue_staff_notices
from .schemas import CreateClientRequest, PractitionerChoiceBody, UpdateClientRequest

IDEMPOTENCY_WINDOW = timedelta(hours=24)
NOT_IN_CARE_APP = (
    "This client has no practitioner yet and will not appear in the Care App until associated "
    "with one."
)
MAX_PAGE = 100


def client_view(client: Client, associations: list[Association] | None = None) -> ClientView:
    """The client object of API.md."""
    view: ClientView = {
        "id": client.client_id,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "dob": client.dob,
        "phone": client.phone,
        "preferred_name": client.preferred_name,
        "status": client.status,
        "email_confirmed": client.email_confirmed,
        "credentials_set": client.credentials_set,
        # R23: managers see the username (never a password), to help someone who forgot it.
        "username": client.username,
        "origin": client.origin,
        "created_at": client.created_at,
        "link": link_view(client),
        "can_delete": client.session_history_since is None,  # R17, R26
    }
    if associations is not None:
        view["practitioners"] = [
            {
                "practitioner_id": a.practitioner_id,
                "department_id": a.department_id,
                "created_at": a.created_at,
            }
            for a in associations
        ]
    return view


def caller_client(caller: Caller, client_id: str) -> Client:
    client = store.get_client(caller.org_id, client_id)
    if client is None:
        raise NotFound("No such client.", code="client_not_found")
    return client


def _email_taken() -> Conflict:
    return Conflict(
        "This email already belongs to a client of this organization.",
        code="email_taken",
        field="email",
    )


def _associations_for_new_client(
    caller: Caller, org: Organization, requested: list[PractitionerChoiceBody]
) -> list[rules.PractitionerChoice]:
    """R2 with R11's scope; automatic in an individual practice."""
    if org.kind == "individual":
        choice = choose_registration_practitioner(
            org, requested[0].practitioner_id if requested else None, None
        )
        return [choice] if choice else []
    ids = [r.practitioner_id for r in requested]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Each practitioner can be listed once.", field="practitioners")
    choices = []
    for request in requested:
        choice = rules.choose_practitioner_department(
            practitioner_view(org.org_id, request.practitioner_id), request.department_id
        )
        check_department_scope(caller, choice.department_id)
        choices.append(choice)
    return choices


class _Replay(Conflict):
    """Internal: this create request was already carried out."""


IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 255


@dataclass(frozen=True)
class _RequestGuard:
    key: str  # the Guards item: this caller's request, by its Idempotency-Key or its body
    fingerprint: str  # of the body: a retry with the same key must send the same


def _check_idempotency_key(idempotency_key: str) -> None:
    """Visible ASCII, at most 255 characters (a UUID or the like)."""
    if not (
        0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY
        and idempotency_key.isascii()
        and idempotency_key.isprintable()
        and idempotency_key.strip() == idempotency_key
    ):
        raise InvalidInput(
            f"{IDEMPOTENCY_KEY} is 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters.",
            field=IDEMPOTENCY_KEY,
        )


def _request_guard(
    caller: Caller, new: CreateClientRequest, idempotency_key: str | None
) -> _RequestGuard:
    """One caller's request: named by their Idempotency-Key, or else by the body itself. Only
    hashes go into the key (a header can be anything up to API Gateway's limits)."""
    fingerprint = hashlib.sha256(
        json.dumps(new.as_dict(), default=str, sort_keys=True).encode()
    ).hexdigest()
    if idempotency_key is None:
        name = fingerprint
    else:
        _check_idempotency_key(idempotency_key)
        name = "key-" + hashlib.sha256(idempotency_key.encode()).hexdigest()
    return _RequestGuard(
        keys.create_client_request_key(caller.org_id, caller.account_id, name), fingerprint
    )


def _replayed(caller: Caller, request: _RequestGuard, guard: Guard | None) -> ClientView | None:
    """The first answer again, for a retry of the same request within the window; None when
    the request is new (no guard, an expired one, or one whose client was deleted)."""
    if guard is None or guard.created_at < clock.iso(clock.now() - IDEMPOTENCY_WINDOW):
        return None
    if guard.request_fingerprint != request.fingerprint:
        raise InvalidInput(
            f"This {IDEMPOTENCY_KEY} was already used for another request; send a new key "
            "for a new client.",
            code="idempotency_key_reused",
            field=IDEMPOTENCY_KEY,
        )
    client = store.get_client(caller.org_id, guard.owner_id)
    if client is None:
        return None
    view = client_view(client, store.list_client_associations(caller.org_id, client.client_id))
    if not view.get("practitioners"):
        view["notice"] = NOT_IN_CARE_APP
    return view


def _invitation_email(
    org: Organization, client: Client, token: str, sent_by: Caller
) -> OutboxEmail:
    return queue_link_email(
        "invitation",
        to=client.email,
        first_name=client.first_name,
        org_id=org.org_id,
        org_name=org.name,
        token=token,
        valid_hours=get_settings().invitation_link_hours,
        requested_by=sent_by.account_id,
    )


def create_client(
    caller: Caller, new: CreateClientRequest, idempotency_key: str | None = None
) -> ClientView:
    """R1-R3: a staff-created client, invited by email to choose username and password.
    A retry of the same request (the same caller and body, with or without the same
    Idempotency-Key) within 24 hours returns the client it created instead of a 409."""
    authorize(caller, Action.MANAGE_CLIENTS)
    request = _request_guard(caller, new, idempotency_key)
    earlier = store.get_guard(request.key)
    replay = _replayed(caller, request, earlier)
    if replay is not None:
        return replay
    rules.check_date_of_birth(new.dob, clock.now().date())
    org = caller_organization(caller)
    choices = _associations_for_new_client(caller, org, new.practitioners)

    client_id = uuid.uuid4().hex
    now = clock.iso(clock.now())
    token, link = new_link(
        Purpose.INVITATION,
        org_id=org.org_id,
        account_kind="client",
        account_id=client_id,
        valid_hours=get_settings().invitation_link_hours,
    )
    client = Client(
        org.org_id,
        client_id,
        first_name=new.first_name,
        last_name=new.last_name,
        email=new.email,
        dob=new.dob.isoformat(),
        phone=new.phone,
        preferred_name=new.preferred_name,
        status=rules.Status.ACTIVE.value,
        email_confirmed=False,
        credentials_set=False,
        origin="staff",
        link_hash=link.token_hash,
        link_purpose=link.purpose,
        link_sent_at=link.created_at,
        link_expires_at=link.expires_at,
        created_at=now,
        request_guard_key=request.key,
    )
    tx = store.Transaction()
    # First, so that a concurrent duplicate is recognised as a replay, not a taken email. An
    # earlier guard that is no replay (expired, its client deleted) is taken over, unless a
    # concurrent request took it first.
    writes.take_request_guard(
        tx,
        Guard(
            request.key,
            org_id=org.org_id,
            owner_kind="client",
            owner_id=client_id,
            created_at=now,
            expires_ttl=clock.now() + IDEMPOTENCY_WINDOW,
            request_fingerprint=request.fingerprint,
        ),
        earlier_owner=None if earlier is None else earlier.owner_id,
        on_conflict=_Replay(
            "The same request is being carried out; try again.", code="concurrent_change"
        ),
    )
    writes.insert_client(tx, client, practitioners=len(choices))
    writes.claim_unique(
        tx,
        keys.client_email_guard_key(org.org_id, new.email),
        org_id=org.org_id,
        owner_kind="client",
        owner_id=client_id,
        on_conflict=_email_taken(),
    )
    writes.insert(tx, link)
    associations = [add_association(tx, org.org_id, client_id, c) for c in choices]
    tx.save(_invitation_email(org, client, token, caller))
    tx.save(audit_by(caller, "client", client_id, "client.created"))
    try:
        tx.commit()
    except _Replay:
        replay = _replayed(caller, request, store.get_guard(request.key))
        if replay is None:
            raise
        return replay
    logger.info("client created", extra={"org_id": org.org_id, "client_id": client_id})
    view = client_view(client, associations)
    if not associations:
        view["notice"] = NOT_IN_CARE_APP
    return view


def get_client_detail(caller: Caller, client_id: str) -> ClientView:
    authorize(caller, Action.MANAGE_CLIENTS)
    client = caller_client(caller, client_id)
    view = client_view(client, store.list_client_associations(caller.org_id, client_id))
    access_log.record_client_read(caller, access_log.READ_CLIENT, [client.client_id])
    return view


def list_clients(
    caller: Caller,
    status: str | None = "active",
    limit: int = 25,
    cursor: str | None = None,
    *,
    q: str | None = None,
    email: str | None = None,
    sort: str = "name",
    unassigned: bool = False,
) -> ClientPage:
    """R14: one status at a time (active by default), by last then first name, paginated;
    `sort="created_desc"` newest first. `q` narrows to a name prefix (keys.name_prefix: the
    start of the last name, or "last, start of first"); `unassigned` to clients with no
    active practitioner (R25). `email` finds the one client with that address, whatever its
    status unless `status` is given. Each is one Query of an index (or GetItems), never a Scan;
    a cursor only continues the list it was made for."""
    authorize(caller, Action.MANAGE_CLIENTS)
    if status is not None and status not in {s.value for s in rules.Status}:
        raise InvalidInput("status is active, inactive or pending.", field="status")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is between 1 and {MAX_PAGE}.", field="limit")
    if email is not None:
        if q is not None or sort != "name" or unassigned or cursor is not None:
            raise InvalidInput(
                "email finds one client; it combines with status only.", field="email"
            )
        found = store.find_client_by_email(caller.org_id, email)
        if found is None or (status is not None and found.status != status):
            return {"items": [], "next_cursor": None}
        access_log.record_client_read(caller, access_log.LIST_CLIENTS, [found.client_id])
        return {"items": [client_view(found)], "next_cursor": None}
    if sort != "name" and (q is not None or unassigned):
        raise InvalidInput("A name search or the unassigned list is in name order.", field="sort")
    status = status or rules.Status.ACTIVE.value
    status_key = keys.status_key(caller.org_id, status)
    partition = keys.client_list_partition(
        caller.org_id, status, q=q, sort=sort, unassigned=unassigned
    )
    start = store.decode_cursor(cursor, caller.org_id, partition) if cursor else None
    prefix = keys.name_prefix(q) if q is not None else None
    if unassigned:
        page = store.query_unassigned_clients(status_key, prefix, limit=limit, start=start)
    elif prefix is not None:
        page = store.query_clients_by_name_prefix(status_key, prefix, limit=limit, start=start)
    elif sort == "created_desc":
        page = store.query_clients_newest_first(status_key, limit=limit, start=start)
    else:
        page = store.query_clients_by_status(status_key, limit=limit, start=start)
    answer: ClientPage = {
        "items": [client_view(c) for c in page.items],
        "next_cursor": store.encode_cursor(caller.org_id, partition, page.last_evaluated_key),
    }
    access_log.record_client_read(
        caller, access_log.LIST_CLIENTS, [c.client_id for c in page.items]
    )
    return answer


def update_client(caller: Caller, client_id: str, changes: UpdateClientRequest) -> ClientView:
    """Field edits and R15 (active <-> inactive). Deactivation ends the client's sessions.
    Only the fields given are changed; null removes phone and preferred_name."""
    authorize(caller, Action.MANAGE_CLIENTS)
    client = caller_client(caller, client_id)
    associations_to_change(caller, client_id)
    now = clock.iso(clock.now())
    fields: dict[str, str | None] = {}
    tx = store.Transaction()
    audit_action = "client.updated"

    if changes.first_name is not None:
        fields["first_name"] = changes.first_name
    if changes.last_name is not None:
        fields["last_name"] = changes.last_name
    if changes.dob is not None:
        rules.check_date_of_birth(changes.dob, clock.now().date())
        fields["dob"] = changes.dob.isoformat()
    for optional in ("phone", "preferred_name"):
        if optional in changes.fields_given:
            fields[optional] = getattr(changes, optional)
    new_link = None
    if changes.email is not None and keys.normalize_email(changes.email) != keys.normalize_email(
        client.email
    ):
        # The uniqueness guard moves with the email, in the same transaction.
        writes.move_email_guard(
            tx,
            account_kind="client",
            org_id=caller.org_id,
            owner_id=client_id,
            old_email=client.email,
            new_email=changes.email,
            on_conflict=_email_taken(),
        )
        new_link = _correct_email_before_credentials(
            tx, caller_organization(caller), client, changes.email
        )
    if changes.email is not None:
        fields["email"] = changes.email

    new_status = _status_after(client, changes.active)
    if new_status != client.status:
        audit_action = (
            "client.deactivated" if new_status == rules.Status.INACTIVE else "client.reactivated"
        )
        if new_status == rules.Status.INACTIVE and client.username:
            # First: if Cognito fails, nothing has changed and the caller may retry.
            identity.sign_out_everywhere(client.username)
    writes.update_client(
        tx,
        client,
        fields=fields,
        status=new_status,
        new_link=new_link,
        at=now,
        on_conflict=Conflict(
            "The client changed meanwhile; reload and try again.", code="concurrent_change"
        ),
    )
    tx.save(audit_by(caller, "client", client_id, audit_action))
    tx.commit()
    return client_view(caller_client(caller, client_id))


def _correct_email_before_credentials(
    tx: store.Transaction, org: Organization, client: Client, new_email: str
) -> Link:
    """R24: staff correct a client's email (a typo) only before the client has credentials;
    the live link dies and a new one goes to the new address. Returns the new link, which
    the client's update records (on condition: still no credentials, same live link)."""
    if client.credentials_set:
        raise Conflict(
            "Only the client can change their email now; they do it from their account.",
            code="client_owns_email",
            field="email",
        )
    settings = get_settings()
    invited = client.origin == "staff"
    purpose = Purpose.INVITATION if invited else Purpose.EMAIL_CONFIRMATION
    hours = settings.invitation_link_hours if invited else settings.confirmation_link_hours
    token, link = new_link(
        purpose,
        org_id=client.org_id,
        account_kind="client",
        account_id=client.client_id,
        valid_hours=hours,
    )
    writes.insert(tx, link)
    writes.void_link(tx, client.link_hash, link.created_at)
    tx.save(
        queue_link_email(
            "invitation" if invited else "email_confirmation",
            to=new_email,
            first_name=client.first_name,
            org_id=org.org_id,
            org_name=org.name,
            token=token,
            valid_hours=hours,
        )
    )
    return link


def _status_after(client: Client, active: bool | None) -> str:
    if active is None:
        return client.status
    if active:
        if client.status == rules.Status.PENDING:
            raise Conflict(
                "A pending client is approved, not activated.", code="not_approved", field="active"
            )
        return rules.Status.ACTIVE.value
    return rules.Status.INACTIVE.value


def approve_pending_client(caller: Caller, client_id: str) -> ClientView:
    """R16: pending -> active, and the client hears of it; anything else is a conflict."""
    authorize(caller, Action.MANAGE_CLIENTS)
    client = caller_client(caller, client_id)
    associations = associations_to_change(caller, client_id)
    not_pending = Conflict("Only a pending client can be approved.", code="not_pending")
    if client.status != rules.Status.PENDING:
        raise not_pending
    org = caller_organization(caller)
    tx = store.Transaction()
    writes.approve_client(tx, client, at=clock.iso(clock.now()), on_conflict=not_pending)
    if client.email_confirmed:
        # Unconfirmed: "get started" and the staff notices follow their confirmation instead
        # (R10). Confirmed: what R10 sends for a registration that needs no approval, now.
        tx.save(
            get_started_email(
                to=client.email,
                first_name=client.first_name,
                org_id=org.org_id,
                org_name=org.name,
                has_practitioner=bool(associations),
            )
        )
        queue_staff_notices(
            tx,
            org_id=org.org_id,
            client_id=client_id,
            chosen_practitioner_id=associations[0].practitioner_id if associations else None,
            pending=False,
        )
    tx.save(audit_by(caller, "client", client_id, "client.approved"))
    tx.commit()
    client.status = rules.Status.ACTIVE.value
    return client_view(client)


def delete_client(caller: Caller, client_id: str) -> None:
    """R17: login, record, associations, open link and guard all go; the audit keeps ids."""
    authorize(caller, Action.DELETE_CLIENTS)
    client = caller_client(caller, client_id)
    associations = associations_to_change(caller, client_id)
    if client.session_history_since:
        raise has_session_history()  # R26: only inactivated
    if client.username:
        # A first transaction holds the record (no session history, and none recorded
        # meanwhile, R26), then the login goes: if Cognito fails nothing else has changed;
        # if the last transaction then fails, a retried DELETE finds no login and finishes.
        hold = store.Transaction()
        writes.hold_for_deletion(
            hold,
            client,
            until=clock.iso(clock.now() + DELETION_HOLD),
            on_conflict=has_session_history(),
        )
        hold.commit()
        if not identity.delete_login(client.username):
            raise ServiceUnavailable("The client could not be deleted now; please try again.")
    tx = store.Transaction()
    writes.delete_client(tx, client, on_conflict=has_session_history())
    writes.release_guard(tx, keys.client_email_guard_key(caller.org_id, client.email), client_id)
    if client.request_guard_key and client.created_at >= clock.iso(
        clock.now() - IDEMPOTENCY_WINDOW
    ):
        # Released, so the same create is a new request. Within its window the guard is this
        # client's (or gone); after it, it is expired, or a later request's: left alone.
        writes.release_guard_if_held(
            tx,
            client.request_guard_key,
            client_id,
            on_conflict=Conflict("Please try again.", code="concurrent_change"),
        )
    for association in associations:
        remove_association(tx, association)
    if client.link_hash:
        writes.delete_link(tx, client.link_hash)
    tx.save(audit_by(caller, "client", client_id, "client.deleted"))
    tx.commit()
    logger.info("client deleted", extra={"org_id": caller.org_id, "client_id": client_id})


def resend_invitation(caller: Caller, client_id: str) -> None:
    """R3: a new link for a client who has not set credentials yet; the older link is void."""
    authorize(caller, Action.MANAGE_CLIENTS)
    client = caller_client(caller, client_id)
    associations_to_change(caller, client_id)
    if client.credentials_set:
        raise Conflict("This client has already set a username and password.", code="accepted")
    org = caller_organization(caller)
    tx = store.Transaction()
    token = replace_client_link(
        tx, client, Purpose.INVITATION, valid_hours=get_settings().invitation_link_hours
    )
    tx.save(_invitation_email(org, client, token, caller))
    tx.save(audit_by(caller, "client", client_id, "client.invitation_sent"))
    tx.commit()
