"""Named writes: each adds to a transaction what one change of the domain is, with the
conditions that make it safe. Use cases call these and never build a condition themselves;
the error a failed condition means (`on_conflict`) is theirs to say.

Every write here is one or more operations of `Transaction` (transaction.py), sent in the
order they were added.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from .. import clock
from ..errors import DomainError
from . import keys
from .connection import call
from .models import (
    APPROVAL_BUCKET,
    CLEANUP_BUCKET,
    AccessRecord,
    Association,
    Client,
    Department,
    Guard,
    Link,
    Organization,
    OutboxEmail,
    Staff,
)
from .transaction import Transaction

Account = Client | Staff

# The attribute whose absence says "no such item yet" for each model put as new.
_KEY_OF_NEW: dict[type[Model], Attribute[Any]] = {
    Organization: Organization.org_id,
    Department: Department.department_id,
    Staff: Staff.staff_id,
    Client: Client.client_id,
    Association: Association.client_ref,
    Guard: Guard.guard_key,
    Link: Link.token_hash,
}


# --- new items and uniqueness guards ---------------------------------------------------


def insert(tx: Transaction, item: Model, *, on_conflict: DomainError | None = None) -> None:
    """Put a new item, on condition that no item has its key."""
    tx.save(item, _KEY_OF_NEW[type(item)].does_not_exist(), on_conflict=on_conflict)


def in_client_lists(client: Client) -> bool:
    """Whether the client counts in the unassigned list once it has no active practitioner:
    staff-created, or self-registered with the address confirmed (an unconfirmed sign-up is
    nobody's to assign yet)."""
    return client.origin == "staff" or bool(client.email_confirmed)


def insert_client(tx: Transaction, client: Client, *, practitioners: int = 0) -> None:
    """A new client, with its ByStatus keys and its count of active practitioners (the
    associations made in the same transaction); an unconfirmed self-registration (one with a
    `cleanup_due_at`) joins the cleanup's sparse index (R19), a listed client with no
    practitioner the Unassigned one (R25)."""
    client.status_key = keys.status_key(client.org_id, client.status)
    client.name_key = keys.name_key(client.last_name, client.first_name, client.client_id)
    if client.cleanup_due_at:
        client.cleanup_bucket = CLEANUP_BUCKET
    client.active_practitioners = practitioners
    if practitioners == 0 and in_client_lists(client):
        client.unassigned_key = client.status_key
    insert(tx, client)


def _same_practitioner_count(client: Client) -> Condition:
    """That the client's count of active practitioners is as read (absent on a client
    written before the count was kept), and that the client still exists."""
    if client.active_practitioners is None:
        return Client.client_id.exists() & Client.active_practitioners.does_not_exist()
    return Client.active_practitioners == client.active_practitioners


def _count_actions(
    client: Client, count: int, *, listed: bool, status: str | None = None
) -> list[Action]:
    """The count, and the Unassigned index's key: set at 0 for a listed client, else gone."""
    actions: list[Action] = [Client.active_practitioners.set(count)]
    if count == 0 and listed:
        actions.append(
            Client.unassigned_key.set(keys.status_key(client.org_id, status or client.status))
        )
    else:
        actions.append(Client.unassigned_key.remove())
    return actions


def set_active_practitioners(
    tx: Transaction, client: Client, count: int, *, on_conflict: DomainError
) -> None:
    """R25: the client now has `count` active practitioners (an association made or removed,
    a practitioner deactivated or back); at 0 a listed client joins the Unassigned index,
    otherwise it leaves it. On condition that the count is still as read: two such changes
    at once cannot both count from the same number."""
    tx.update(
        client,
        _count_actions(client, count, listed=in_client_lists(client)),
        _same_practitioner_count(client),
        on_conflict=on_conflict,
    )


def uniqueness_guard(guard_key: str, org_id: str, owner_kind: str, owner_id: str) -> Guard:
    """A guard item; put as new in its owner's transaction, it makes the key unique."""
    return Guard(
        guard_key,
        org_id=org_id,
        owner_kind=owner_kind,
        owner_id=owner_id,
        created_at=clock.iso(clock.now()),
    )


def claim_unique(
    tx: Transaction,
    guard_key: str,
    *,
    org_id: str,
    owner_kind: str,
    owner_id: str,
    on_conflict: DomainError | None = None,
) -> None:
    """Make a key (an email, a department name) this owner's; fails if another has it."""
    insert(tx, uniqueness_guard(guard_key, org_id, owner_kind, owner_id), on_conflict=on_conflict)


def release_guard(tx: Transaction, guard_key: str, owner_id: str) -> None:
    """Delete a guard that must still be this owner's."""
    tx.delete(Guard(guard_key), Guard.owner_id == owner_id)


def release_guard_if_held(
    tx: Transaction, guard_key: str, owner_id: str, *, on_conflict: DomainError | None = None
) -> None:
    """Delete a guard if it is this owner's; one already gone is fine."""
    tx.delete(
        Guard(guard_key),
        Guard.guard_key.does_not_exist() | (Guard.owner_id == owner_id),
        on_conflict=on_conflict,
    )


def move_email_guard(
    tx: Transaction,
    *,
    account_kind: str,
    org_id: str,
    owner_id: str,
    old_email: str,
    new_email: str,
    on_conflict: DomainError,
) -> None:
    """The account's email guard moves with its email, in the same transaction: the new
    address must be free (`on_conflict` otherwise), the old guard must be the account's."""
    claim_unique(
        tx,
        keys.account_email_guard_key(account_kind, org_id, new_email),
        org_id=org_id,
        owner_kind=account_kind,
        owner_id=owner_id,
        on_conflict=on_conflict,
    )
    release_guard(tx, keys.account_email_guard_key(account_kind, org_id, old_email), owner_id)


def take_request_guard(
    tx: Transaction, guard: Guard, *, earlier_owner: str | None, on_conflict: DomainError
) -> None:
    """A create request's guard (idempotent creates): new, or taking over an earlier one that
    is no replay, unless a concurrent request took it first."""
    tx.save(
        guard,
        Guard.guard_key.does_not_exist()
        if earlier_owner is None
        else Guard.owner_id == earlier_owner,
        on_conflict=on_conflict,
    )


def count_public_email(
    tx: Transaction,
    *,
    org_id: str,
    email: str,
    now_iso: str,
    cooldown_cutoff: str,
    daily_cap: int,
    kept_until: Any,
    on_conflict: DomainError,
) -> None:
    """R28: the address's two counters, each on its limit's condition."""
    for key, condition in (
        (
            keys.public_email_cooldown_key(org_id, email),
            Guard.notice_sent_at.does_not_exist() | (Guard.notice_sent_at <= cooldown_cutoff),
        ),
        (
            keys.public_email_day_key(email, now_iso[:10]),
            Guard.sent_count.does_not_exist() | (Guard.sent_count < daily_cap),
        ),
    ):
        tx.update(
            Guard(key),
            [
                Guard.org_id.set(org_id),
                Guard.owner_kind.set("public_email"),
                Guard.owner_id.set("-"),
                Guard.created_at.set(Guard.created_at | now_iso),
                Guard.notice_sent_at.set(now_iso),
                Guard.sent_count.add(1),
                Guard.expires_ttl.set(kept_until),
            ],
            condition,
            on_conflict=on_conflict,
        )


# --- links ------------------------------------------------------------------------------


def void_link(tx: Transaction, token_hash: str | None, at: str) -> None:
    """The older link dies when a newer one is sent (R3, R9, R23, R24)."""
    if token_hash:
        tx.update(Link(token_hash), [Link.voided_at.set(at)], Link.token_hash.exists())


def _live_link_actions(account: Account, link: Link) -> list[Action]:
    """The account's record of its newest link (the older one is voided separately)."""
    model = type(account)
    return [
        model.link_hash.set(link.token_hash),
        model.link_purpose.set(link.purpose),
        model.link_sent_at.set(link.created_at),
        model.link_expires_at.set(link.expires_at),
        model.link_used_at.remove(),
    ]


def _same_link(account: Account) -> Condition:
    model = type(account)
    if account.link_hash:
        return model.link_hash == account.link_hash
    return model.link_hash.does_not_exist()


def _still_needed(account: Account, purpose: str) -> Condition:
    """That what the link asks for is not done yet (or, for a reset, that there are
    credentials to reset)."""
    if isinstance(account, Client):
        if purpose == "invitation":
            return Client.credentials_set == False  # noqa: E712
        if purpose == "email_confirmation":
            return Client.email_confirmed == False  # noqa: E712
        return Client.username.exists()
    if purpose == "invitation":
        return Staff.username.does_not_exist()
    return Staff.username.exists()


def replace_link(
    tx: Transaction, account: Account, link: Link, *, on_conflict: DomainError
) -> None:
    """A new invitation, confirmation or password-reset link for the account, the older one
    void (R3, R9, R23). The account must still be as read: same live link, and still needing
    what the link is for."""
    insert(tx, link)
    void_link(tx, account.link_hash, link.created_at)
    tx.update(
        account,
        _live_link_actions(account, link),
        _still_needed(account, link.purpose) & _same_link(account),
        on_conflict=on_conflict,
    )


def record_link_delivery(
    tx: Transaction, account: Account, *, token_hash: str, state: str, on_conflict: DomainError
) -> None:
    """R31: SES reported the email of the account's live link `token_hash` bounced or
    complained of. Once per link: a redelivered event, or one for a link a newer one has
    replaced meanwhile, fails the condition."""
    model = type(account)
    tx.update(
        account,
        [model.link_delivery.set(state), model.link_delivery_hash.set(token_hash)],
        (model.link_hash == token_hash)
        & (model.link_delivery_hash.does_not_exist() | (model.link_delivery_hash != token_hash)),
        on_conflict=on_conflict,
    )


def claim_link(
    tx: Transaction,
    link: Link,
    *,
    claim_id: str,
    now_iso: str,
    claimed_until: str,
    on_conflict: DomainError,
) -> None:
    """Hold the link for one request: unused, not replaced, not expired, not held by a live
    request (credentials.py)."""
    tx.update(
        link,
        [Link.claim_id.set(claim_id), Link.claimed_until.set(claimed_until)],
        Link.used_at.does_not_exist()
        & Link.voided_at.does_not_exist()
        & (Link.expires_at > now_iso)
        & (Link.claimed_until.does_not_exist() | (Link.claimed_until <= now_iso)),
        on_conflict=on_conflict,
    )


def use_claimed_link(
    tx: Transaction, link: Link, *, claim_id: str, at: str, on_conflict: DomainError
) -> None:
    """The link is used, if this claim still holds it and it was not replaced."""
    tx.update(
        link,
        [Link.used_at.set(at), Link.claimed_until.remove()],
        (Link.claim_id == claim_id)
        & Link.used_at.does_not_exist()
        & Link.voided_at.does_not_exist(),
        on_conflict=on_conflict,
    )


def use_claimed_reset_link(
    tx: Transaction, link: Link, *, claim_id: str, at: str, on_conflict: DomainError
) -> None:
    """A password-reset link is used, if this claim still holds it (a newer link may have
    been sent meanwhile: this one was good when claimed)."""
    tx.update(
        link,
        [Link.used_at.set(at), Link.claimed_until.remove()],
        (Link.claim_id == claim_id) & Link.used_at.does_not_exist(),
        on_conflict=on_conflict,
    )


def release_link_claim(tx: Transaction, link: Link, claim_id: str) -> None:
    tx.update(
        link, [Link.claim_id.remove(), Link.claimed_until.remove()], Link.claim_id == claim_id
    )


def use_link(tx: Transaction, link: Link, *, at: str, on_conflict: DomainError) -> None:
    """An unclaimed link is used: unused, not replaced, not expired."""
    tx.update(
        link,
        [Link.used_at.set(at)],
        Link.used_at.does_not_exist() & Link.voided_at.does_not_exist() & (Link.expires_at > at),
        on_conflict=on_conflict,
    )


# --- accounts: credentials, email, password ------------------------------------------------


def confirm_client_email(
    tx: Transaction,
    client: Client,
    *,
    link_hash: str,
    username: str,
    at: str,
    practitioners_added: int,
    on_conflict: DomainError,
) -> None:
    """R9, R10: the address is proven and the credentials chosen; the sign-up leaves the
    cleanup's index and, if pending, joins the approval reminders'; with no active
    practitioner (the association of its choice is `practitioners_added`), the Unassigned
    index (R25). The client must still be as read: unconfirmed, the link live, the same
    status, its deadline not passed, the same count of practitioners."""
    count = int(client.active_practitioners or 0) + practitioners_added
    actions: list[Action] = [
        *_count_actions(client, count, listed=True),
        Client.email_confirmed.set(True),
        Client.credentials_set.set(True),
        Client.username.set(username),
        Client.cleanup_bucket.remove(),
        Client.cleanup_due_at.remove(),
        Client.link_hash.remove(),
        Client.updated_at.set(at),
    ]
    if client.status == "pending":
        actions += [
            Client.approval_bucket.set(APPROVAL_BUCKET),
            Client.awaiting_approval_since.set(at),
        ]
    tx.update(
        client,
        actions,
        (Client.email_confirmed == False)  # noqa: E712
        & (Client.link_hash == link_hash)
        & (Client.status == client.status)
        & (Client.cleanup_due_at.does_not_exist() | (Client.cleanup_due_at > at))
        & _same_practitioner_count(client),
        on_conflict=on_conflict,
    )


def accept_client_invitation(
    tx: Transaction,
    client: Client,
    *,
    link_hash: str,
    username: str,
    at: str,
    on_conflict: DomainError,
) -> None:
    """R4: credentials chosen on the live invitation link, which also proved the address."""
    tx.update(
        client,
        [
            Client.credentials_set.set(True),
            Client.email_confirmed.set(True),
            Client.username.set(username),
            Client.link_hash.remove(),
            Client.updated_at.set(at),
        ],
        (Client.credentials_set == False) & (Client.link_hash == link_hash),  # noqa: E712
        on_conflict=on_conflict,
    )


def accept_staff_invitation(
    tx: Transaction,
    staff: Staff,
    *,
    link_hash: str,
    username: str,
    at: str,
    on_conflict: DomainError,
) -> None:
    tx.update(
        staff,
        [Staff.username.set(username), Staff.link_hash.remove(), Staff.updated_at.set(at)],
        # The live link, or a staff member invited before links were kept on the record.
        Staff.username.does_not_exist()
        & (Staff.link_hash.does_not_exist() | (Staff.link_hash == link_hash)),
        on_conflict=on_conflict,
    )


def record_password_reset(
    tx: Transaction,
    account: Account,
    *,
    link_hash: str,
    clear_account_link: bool,
    at: str,
    on_conflict: DomainError,
) -> None:
    """R23: the reset is recorded on an account that still has the same login; the account's
    live link is marked used if it is this one."""
    model = type(account)
    actions: list[Action] = [model.updated_at.set(at)]
    condition = model.username == account.username
    if clear_account_link:
        actions += [model.link_hash.remove(), model.link_used_at.set(at)]
        condition &= model.link_hash == link_hash
    tx.update(account, actions, condition, on_conflict=on_conflict)


def set_email_change_link(
    tx: Transaction, account: Account, link: Link, *, on_conflict: DomainError
) -> None:
    """R24: the account's new email-change link, the older one void; on condition that no
    other one was asked for meanwhile."""
    model = type(account)
    previous = account.email_change_link_hash
    insert(tx, link)
    void_link(tx, previous, link.created_at)
    tx.update(
        account,
        [model.email_change_link_hash.set(link.token_hash)],
        (model.email_change_link_hash == previous)
        if previous
        else model.email_change_link_hash.does_not_exist(),
        on_conflict=on_conflict,
    )


def change_account_email(
    tx: Transaction,
    account: Account,
    *,
    new_email: str,
    link_hash: str,
    at: str,
    on_conflict: DomainError,
) -> None:
    """R24: the email changes, if this link is still the account's and the email as read."""
    model = type(account)
    tx.update(
        account,
        [
            model.email.set(new_email),
            model.email_change_link_hash.remove(),
            model.updated_at.set(at),
        ],
        (model.email_change_link_hash == link_hash) & (model.email == account.email),
        on_conflict=on_conflict,
    )


# --- clients ----------------------------------------------------------------------------


def check_client_exists(
    tx: Transaction, org_id: str, client_id: str, *, on_conflict: DomainError
) -> None:
    tx.check(Client, org_id, client_id, Client.client_id.exists(), on_conflict=on_conflict)


_CLIENT_FIELDS = ("first_name", "last_name", "dob", "phone", "preferred_name", "email")


def update_client(
    tx: Transaction,
    client: Client,
    *,
    fields: dict[str, str | None],
    status: str | None,
    new_link: Link | None,
    at: str,
    on_conflict: DomainError,
) -> None:
    """PATCH /clients/{id}: the given fields (None removes one), a new status (R15, leaving
    any wait for approval), and a new live link when staff correct the email before
    credentials (R24). On condition that the status is as read, and with a new link, that
    the client still has no credentials and the same live link."""
    unknown = set(fields) - set(_CLIENT_FIELDS)
    if unknown:
        raise ValueError(f"not a client field: {sorted(unknown)}")
    actions: list[Action] = [Client.updated_at.set(at)]
    for name in _CLIENT_FIELDS[:3]:
        if name in fields:
            actions.append(getattr(Client, name).set(fields[name]))
    if "first_name" in fields or "last_name" in fields:
        first = fields.get("first_name") or client.first_name
        last = fields.get("last_name") or client.last_name
        actions.append(Client.name_key.set(keys.name_key(last, first, client.client_id)))
    for name in ("phone", "preferred_name"):
        if name in fields:
            attribute = getattr(Client, name)
            value = fields[name]
            actions.append(attribute.set(value) if value else attribute.remove())
    condition = Client.status == client.status
    if new_link is not None:
        actions += _live_link_actions(client, new_link)
        condition &= (Client.credentials_set == False) & _same_link(client)  # noqa: E712
    email = fields.get("email")
    if email is not None:
        actions.append(Client.email.set(email))
    if status is not None and status != client.status:
        actions += [
            Client.status.set(status),
            Client.status_key.set(keys.status_key(client.org_id, status)),
            # Leaving "pending" ends any wait for approval (the reminders' sparse index).
            Client.approval_bucket.remove(),
            Client.awaiting_approval_since.remove(),
        ]
        actions_, unassigned = _unassigned_follows_status(client, status)
        actions += actions_
        condition &= unassigned
    tx.update(client, actions, condition, on_conflict=on_conflict)


def _unassigned_follows_status(client: Client, status: str) -> tuple[list[Action], Condition]:
    """An unassigned client stays in the Unassigned index under its new status; on condition
    that it is still (or still not) unassigned, as read."""
    if client.unassigned_key:
        return (
            [Client.unassigned_key.set(keys.status_key(client.org_id, status))],
            Client.unassigned_key == client.unassigned_key,
        )
    return [], Client.unassigned_key.does_not_exist()


def approve_client(tx: Transaction, client: Client, *, at: str, on_conflict: DomainError) -> None:
    """R16: pending -> active, out of the reminders' sparse index; only from pending."""
    unassigned_actions, unassigned = _unassigned_follows_status(client, "active")
    tx.update(
        client,
        [
            Client.status.set("active"),
            Client.status_key.set(keys.status_key(client.org_id, "active")),
            Client.updated_at.set(at),
            Client.approval_bucket.remove(),
            Client.awaiting_approval_since.remove(),
            *unassigned_actions,
        ],
        (Client.status == "pending") & unassigned,
        on_conflict=on_conflict,
    )


def delete_client(
    tx: Transaction, client: Client, *, on_conflict: DomainError | None = None
) -> None:
    """R17: only a client without Care session history (R26), decided in the transaction: a
    session recorded meanwhile wins."""
    tx.delete(
        client,
        Client.client_id.exists() & Client.session_history_since.does_not_exist(),
        on_conflict=on_conflict,
    )


def delete_expired_signup(tx: Transaction, client: Client, *, now_iso: str) -> None:
    """R19: still what the decision was made on, whatever happened since the read: an
    unconfirmed self-registration whose deadline has passed."""
    tx.delete(
        client,
        (Client.email_confirmed == False)  # noqa: E712
        & (Client.origin == "self")
        & (Client.cleanup_bucket == CLEANUP_BUCKET)
        & (Client.cleanup_due_at <= now_iso),
    )


def delete_link(tx: Transaction, token_hash: str) -> None:
    tx.delete(Link(token_hash))


# --- associations (R11, R12) ------------------------------------------------------------


def add_association(
    tx: Transaction,
    association: Association,
    *,
    on_exists: DomainError,
    on_not_practitioner: DomainError,
) -> None:
    """The association, and the practitioner's client count, on condition that they still
    hold `practitioner` and are active: an association and a concurrent role removal (R12)
    cannot both succeed."""
    association.client_ref = keys.client_ref(association.org_id, association.client_id)
    association.practitioner_ref = keys.practitioner_ref(
        association.org_id, association.practitioner_id
    )
    insert(tx, association, on_conflict=on_exists)
    tx.update(
        Staff(association.org_id, association.practitioner_id),
        [Staff.client_count.add(1)],
        Staff.roles.contains("practitioner") & (Staff.active == True),  # noqa: E712
        on_conflict=on_not_practitioner,
    )


def remove_association(
    tx: Transaction,
    association: Association,
    *,
    practitioner_active: bool | None = None,
    on_conflict: DomainError | None = None,
) -> None:
    """The association goes and the practitioner's client count with it; with
    `practitioner_active`, on condition that the practitioner is still as active as read
    (the client's count of active practitioners moves by what was read, R25)."""
    tx.delete(association, Association.client_ref.exists())
    tx.update(
        Staff(association.org_id, association.practitioner_id),
        [Staff.client_count.add(-1)],
        None if practitioner_active is None else Staff.active == practitioner_active,
        on_conflict=on_conflict,
    )


def drop_association(tx: Transaction, association: Association) -> None:
    """An association of a practitioner whose record (and so its count) goes in the same
    transaction (R25): the association alone."""
    tx.delete(association, Association.client_ref.exists())


# --- Care session history and deletions (R17, R25, R26) -------------------------------------


def _not_being_deleted(model: type[Client] | type[Staff], at: str) -> Condition:
    attribute = model.deleting_until
    condition: Condition = attribute.does_not_exist() | (attribute <= at)
    return condition


def record_care_session(
    tx: Transaction,
    association: Association,
    *,
    at: str,
    on_not_associated: DomainError,
    on_client: DomainError,
    on_practitioner: DomainError,
) -> None:
    """R26: the history on both accounts (its first time kept), on condition that they are
    still associated, the client active and the practitioner an active practitioner, and
    neither is being deleted: a deletion and a session recorded at once cannot both win."""
    org_id = association.org_id
    tx.check(
        Association,
        keys.client_ref(org_id, association.client_id),
        association.practitioner_id,
        Association.client_ref.exists(),
        on_conflict=on_not_associated,
    )
    tx.update(
        Client(org_id, association.client_id),
        [
            Client.session_history_since.set(Client.session_history_since | at),
            Client.updated_at.set(at),
        ],
        (Client.status == "active") & _not_being_deleted(Client, at),
        on_conflict=on_client,
    )
    tx.update(
        Staff(org_id, association.practitioner_id),
        [
            Staff.session_history_since.set(Staff.session_history_since | at),
            Staff.updated_at.set(at),
        ],
        (Staff.active == True)  # noqa: E712
        & Staff.roles.contains("practitioner")
        & _not_being_deleted(Staff, at),
        on_conflict=on_practitioner,
    )


def hold_for_deletion(
    tx: Transaction, account: Account, *, until: str, on_conflict: DomainError
) -> None:
    """R17, R25: the first of a deletion's two transactions, before its login goes. On
    condition that the account has no Care session history; until `until` none can be
    recorded (a lease: a deletion that stops midway holds nothing for long)."""
    model = type(account)
    tx.update(
        account,
        [model.deleting_until.set(until)],
        _KEY_OF_NEW[model].exists() & model.session_history_since.does_not_exist(),
        on_conflict=on_conflict,
    )


def delete_staff(
    tx: Transaction, member: Staff, *, client_count: int, on_conflict: DomainError
) -> None:
    """R25: a staff member without Care session history, with exactly the clients read (their
    associations go in the same transaction; one added meanwhile fails this)."""
    count = (
        Staff.client_count.does_not_exist() | (Staff.client_count == 0)
        if client_count == 0
        else Staff.client_count == client_count
    )
    tx.delete(
        member,
        Staff.staff_id.exists() & Staff.session_history_since.does_not_exist() & count,
        on_conflict=on_conflict,
    )


# --- staff --------------------------------------------------------------------------------


def update_staff(
    tx: Transaction,
    member: Staff,
    *,
    fields: dict[str, Any],
    at: str,
    require_no_clients: bool,
    on_conflict: DomainError,
    same_clients: bool = False,
) -> None:
    """PATCH /staff/{id} (R12): roles, departments, notifications, active. With
    `require_no_clients` (the practitioner role goes), on condition that no client is
    associated: the count moves in the associations' own transactions, so there is no race.
    With `same_clients` (their clients' counts move with their activity, R25), on condition
    that their client count is as read: no association came or went meanwhile."""
    allowed = {"roles", "department_ids", "new_client_notifications", "active"}
    if set(fields) - allowed:
        raise ValueError(f"not a staff field: {sorted(set(fields) - allowed)}")
    actions: list[Action] = [Staff.updated_at.set(at)]
    actions += [getattr(Staff, name).set(value) for name, value in fields.items()]
    condition = Staff.staff_id.exists()
    if require_no_clients:
        condition &= Staff.client_count.does_not_exist() | (Staff.client_count == 0)
    if same_clients:
        condition &= (
            Staff.client_count.does_not_exist()
            if member.client_count is None
            else Staff.client_count == member.client_count
        )
    tx.update(member, actions, condition, on_conflict=on_conflict)


def update_own_staff_profile(
    tx: Transaction, member: Staff, *, fields: dict[str, Any], at: str, on_conflict: DomainError
) -> None:
    """PATCH /me (R25): one's own notifications and name."""
    allowed = {"new_client_notifications", "first_name", "last_name"}
    if set(fields) - allowed:
        raise ValueError(f"not a profile field: {sorted(set(fields) - allowed)}")
    actions: list[Action] = [Staff.updated_at.set(at)]
    actions += [getattr(Staff, name).set(value) for name, value in fields.items()]
    tx.update(member, actions, Staff.staff_id.exists(), on_conflict=on_conflict)


def set_mfa_enrolled(
    tx: Transaction, member: Staff, *, enrolled: bool, at: str, on_conflict: DomainError
) -> None:
    """R30: the login's second factor was enabled (POST /me/mfa) or reset by an org_admin."""
    actions: list[Action] = [Staff.updated_at.set(at), Staff.mfa_enrolled.set(enrolled)]
    tx.update(member, actions, Staff.staff_id.exists(), on_conflict=on_conflict)


def check_mfa_enrolled(
    tx: Transaction, org_id: str, staff_id: str, *, on_conflict: DomainError
) -> None:
    """R30: the org_admin switching the requirement on has a second factor when it commits
    (a reset of theirs meanwhile refuses it), so nobody locks the organization out."""
    tx.check(Staff, org_id, staff_id, Staff.mfa_enrolled == True, on_conflict=on_conflict)  # noqa: E712


def check_active_org_admin(
    tx: Transaction, org_id: str, staff_id: str, *, at: str, on_conflict: DomainError
) -> None:
    """That this staff member is still an active org_admin who can sign in, and is not being
    deleted (R25)."""
    tx.check(
        Staff,
        org_id,
        staff_id,
        (Staff.active == True)  # noqa: E712
        & Staff.roles.contains("org_admin")
        & Staff.username.exists()
        & _not_being_deleted(Staff, at),
        on_conflict=on_conflict,
    )


# --- organizations -------------------------------------------------------------------------


def update_organization(
    tx: Transaction, org: Organization, *, fields: dict[str, Any], at: str
) -> None:
    """PATCH /org. A kind change (R25) also names (or keeps) the individual practice's
    practitioner; its own conditions are `check_sole_practitioner` and, on the staff side,
    `check_not_the_individual_practitioner`."""
    allowed = {"name", "manual_approval", "kind", "practitioner_id", "require_staff_mfa"}
    if set(fields) - allowed:
        raise ValueError(f"not an organization field: {sorted(set(fields) - allowed)}")
    actions: list[Action] = [Organization.updated_at.set(at)]
    actions += [getattr(Organization, name).set(value) for name, value in fields.items()]
    tx.update(org, actions, Organization.org_id.exists())


def check_sole_practitioner(
    tx: Transaction, org_id: str, staff_id: str, *, on_conflict: DomainError
) -> None:
    """An organization becoming an individual practice: its one practitioner is still an
    active practitioner when the change commits."""
    tx.check(
        Staff,
        org_id,
        staff_id,
        (Staff.active == True) & Staff.roles.contains("practitioner"),  # noqa: E712
        on_conflict=on_conflict,
    )


def check_not_the_individual_practitioner(
    tx: Transaction, org_id: str, staff_id: str, *, on_conflict: DomainError
) -> None:
    """The practitioner role leaves this staff member: not the individual practice's only
    practitioner (its registrations name them, R5), checked when the change commits."""
    tx.check(
        Organization,
        org_id,
        None,
        (Organization.kind != "individual") | (Organization.practitioner_id != staff_id),
        on_conflict=on_conflict,
    )


def update_department(
    tx: Transaction, department: Department, *, fields: dict[str, Any], at: str
) -> None:
    """PATCH /departments/{id} (R25): name and description (None removes the description).
    A new name moves its name guard in the same transaction (`move_department_name`)."""
    allowed = {"name", "description"}
    if set(fields) - allowed:
        raise ValueError(f"not a department field: {sorted(set(fields) - allowed)}")
    actions: list[Action] = [Department.updated_at.set(at)]
    for name, value in fields.items():
        attribute = getattr(Department, name)
        actions.append(attribute.set(value) if value is not None else attribute.remove())
    tx.update(department, actions, Department.department_id.exists())


def move_department_name(
    tx: Transaction,
    *,
    org_id: str,
    department_id: str,
    old_name: str,
    new_name: str,
    on_conflict: DomainError,
) -> None:
    """Department names are unique in an organization: the new one must be free. A change of
    case or spacing only keeps the guard it has."""
    if keys.department_name_guard_key(org_id, new_name) == keys.department_name_guard_key(
        org_id, old_name
    ):
        return
    claim_unique(
        tx,
        keys.department_name_guard_key(org_id, new_name),
        org_id=org_id,
        owner_kind="department",
        owner_id=department_id,
        on_conflict=on_conflict,
    )
    release_guard_if_held(tx, keys.department_name_guard_key(org_id, old_name), department_id)


def mark_pending_reminder_sent(
    tx: Transaction, org: Organization, *, at: str, due_before: str, on_conflict: DomainError
) -> None:
    """Conditional, so that two runs in one period send one reminder between them."""
    tx.update(
        org,
        [Organization.pending_reminder_sent_at.set(at)],
        Organization.org_id.exists()
        & (
            Organization.pending_reminder_sent_at.does_not_exist()
            | (Organization.pending_reminder_sent_at <= due_before)
        ),
        on_conflict=on_conflict,
    )


# --- the outbox (outside transactions: the mailer's own bookkeeping) ------------------------


def mark_email_sent(email: OutboxEmail, *, at: str) -> None:
    """The address, the link token and the names have served: the row keeps ids only."""
    call(
        lambda: email.update(
            actions=[
                OutboxEmail.status.set("sent"),
                OutboxEmail.sent_at.set(at),
                OutboxEmail.attempts.add(1),
                OutboxEmail.params.remove(),
                OutboxEmail.to.remove(),
            ]
        )
    )


def count_failed_attempt(email: OutboxEmail, *, error_code: str) -> None:
    call(
        lambda: email.update(
            actions=[OutboxEmail.attempts.add(1), OutboxEmail.last_error.set(error_code)]
        )
    )


# --- the access log (R29: outside transactions, the access-log function's own) --------------


def save_access_records(records: list[AccessRecord]) -> None:
    """BatchWriteItem, 25 items a call (pynamodb splits them and resends what DynamoDB left
    unprocessed). Plain puts: a record's key comes from the log event that reported it, so a
    redelivered event writes the same items again, unchanged. The caller gives each key once
    (a batch refuses a key twice)."""
    if not records:
        return

    def write() -> None:
        with AccessRecord.batch_write() as batch:
            for record in records:
                batch.save(record)

    call(write)
