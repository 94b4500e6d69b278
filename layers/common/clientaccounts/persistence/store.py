"""Reads (every one a GetItem or a Query, never a Scan), list cursors, and the package's entry
point for use cases: `store.Transaction` (transaction.py) and the reads below. Every failure
of DynamoDB comes back as the domain's 503 (connection.py).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from .. import clock
from ..errors import InvalidInput
from .connection import FAILURES, unavailable
from .connection import ensure_bound as ensure_bound
from .keys import client_email_guard_key, client_ref, hash_token, practitioner_ref
from .models import (
    APPROVAL_BUCKET,
    CLEANUP_BUCKET,
    AccessRecord,
    Association,
    AuditEvent,
    Client,
    Department,
    Guard,
    Link,
    Organization,
    OutboxEmail,
    PageCursor,
    Staff,
)
from .transaction import Transaction as Transaction

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def _get(model: type[M], hash_key: str, range_key: str | None = None) -> M | None:
    ensure_bound()
    try:
        return model.get(hash_key, range_key, consistent_read=True)
    except DoesNotExist:
        return None
    except FAILURES as exc:
        raise unavailable(exc) from exc


def _query(run: Callable[[], Iterator[M]]) -> list[M]:
    ensure_bound()
    try:
        return list(run())
    except FAILURES as exc:
        raise unavailable(exc) from exc


# --- reads ----------------------------------------------------------------------------


def get_organization(org_id: str) -> Organization | None:
    return _get(Organization, org_id)


def get_department(org_id: str, department_id: str) -> Department | None:
    return _get(Department, org_id, department_id)


def list_departments(org_id: str) -> list[Department]:
    return _query(lambda: Department.query(org_id))


def get_staff(org_id: str, staff_id: str) -> Staff | None:
    return _get(Staff, org_id, staff_id)


def list_staff(org_id: str) -> list[Staff]:
    """An organization's staff: one Query on its partition (organizations are small)."""
    return _query(lambda: Staff.query(org_id))


def get_client(org_id: str, client_id: str) -> Client | None:
    return _get(Client, org_id, client_id)


def get_guard(guard_key: str) -> Guard | None:
    return _get(Guard, guard_key)


def get_link(token_hash: str) -> Link | None:
    return _get(Link, token_hash)


def get_outbox_email(email_id: str) -> OutboxEmail | None:
    return _get(OutboxEmail, email_id)


def list_client_associations(org_id: str, client_id: str) -> list[Association]:
    """Consistent: R11b decides on them who may change the client."""
    return _query(lambda: Association.query(client_ref(org_id, client_id), consistent_read=True))


def get_association(org_id: str, client_id: str, practitioner_id: str) -> Association | None:
    return _get(Association, client_ref(org_id, client_id), practitioner_id)


def list_practitioner_associations(org_id: str, practitioner_id: str) -> list[Association]:
    return _query(
        lambda: Association.by_practitioner.query(practitioner_ref(org_id, practitioner_id))
    )


def _get_many(model: type[M], keys: list[tuple[str, str]]) -> list[M]:
    """BatchGetItem (pynamodb pages it by 100 and retries unprocessed keys)."""
    if not keys:
        return []
    ensure_bound()
    try:
        return list(model.batch_get(list(dict.fromkeys(keys))))
    except FAILURES as exc:
        raise unavailable(exc) from exc


def get_staff_many(org_id: str, staff_ids: list[str]) -> list[Staff]:
    return _get_many(Staff, [(org_id, s) for s in staff_ids])


def get_clients_many(org_id: str, client_ids: list[str]) -> list[Client]:
    return _get_many(Client, [(org_id, c) for c in client_ids])


CURSOR_LIFETIME = timedelta(hours=1)
_CURSOR_HOUSEKEEPING = timedelta(days=1)  # TTL deletes late; expiry is `expires_at`
_CURSOR_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def encode_cursor(
    org_id: str, partition: str, last_evaluated_key: dict[str, Any] | None
) -> str | None:
    """The cursor for the next page, or None on the last page: a random token. The page
    position stays here, under the token's SHA-256, bound to the organization and the list
    it was made for, for an hour (docs/decisions.md, "Opaque list cursors")."""
    if not last_evaluated_key:
        return None
    token = secrets.token_urlsafe(32)
    created = clock.now()
    cursor = PageCursor(
        hash_token(token),
        org_id=org_id,
        partition=partition,
        position=last_evaluated_key,
        created_at=clock.iso(created),
        expires_at=clock.iso(created + CURSOR_LIFETIME),
        expires_ttl=created + CURSOR_LIFETIME + _CURSOR_HOUSEKEEPING,
    )
    ensure_bound()
    try:
        cursor.save()
    except FAILURES as exc:
        raise unavailable(exc) from exc
    return token


def decode_cursor(cursor: str, org_id: str, partition: str) -> dict[str, Any]:
    """The page position a cursor names. The organization and the list always come from the
    caller, never from the cursor (R18): an unknown, expired or forged cursor, or one made
    for another organization or list, is refused."""
    refused = InvalidInput("This cursor is not valid or has expired.", field="cursor")
    if not _CURSOR_TOKEN.fullmatch(cursor):
        raise refused  # not one we made: no read
    saved = _get(PageCursor, hash_token(cursor))
    if (
        saved is None
        or saved.org_id != org_id
        or saved.partition != partition
        or saved.expires_at <= clock.iso(clock.now())
        or not isinstance(saved.position, dict)
    ):
        raise refused
    return saved.position


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    last_evaluated_key: dict[str, Any] | None


def _page(
    query: Callable[..., ResultIterator[M]],
    hash_key: str,
    condition: Condition | None = None,
    *,
    limit: int,
    start: dict[str, Any] | None,
    newest_first: bool = False,
) -> Page[M]:
    """One page of a table's or an index's Query: `limit` items from `start`, in key order
    (reversed for `newest_first`), and where the next page starts."""
    ensure_bound()
    try:
        result = query(
            hash_key,
            condition,
            scan_index_forward=False if newest_first else None,
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
        )
        return Page(list(result), result.last_evaluated_key)
    except FAILURES as exc:
        raise unavailable(exc) from exc


def query_clients_by_status(
    status_key: str, *, limit: int, start: dict[str, Any] | None
) -> Page[Client]:
    """One page of the ByStatus index, in name order (R14)."""
    return _page(Client.by_status.query, status_key, limit=limit, start=start)


def query_clients_by_name_prefix(
    status_key: str, prefix: str, *, limit: int, start: dict[str, Any] | None
) -> Page[Client]:
    """One page of the ByStatus index whose `name_key` begins with `prefix`, in name order."""
    condition = Client.name_key.startswith(prefix)
    return _page(Client.by_status.query, status_key, condition, limit=limit, start=start)


def query_clients_newest_first(
    status_key: str, *, limit: int, start: dict[str, Any] | None
) -> Page[Client]:
    """One page of the ByCreated index, newest first (R14, "newest first")."""
    return _page(Client.by_created.query, status_key, limit=limit, start=start, newest_first=True)


def query_unassigned_clients(
    unassigned_key: str, prefix: str | None, *, limit: int, start: dict[str, Any] | None
) -> Page[Client]:
    """One page of the sparse Unassigned index (R25): clients of one status with no active
    practitioner, in name order, optionally from a `name_key` prefix."""
    condition = Client.name_key.startswith(prefix) if prefix else None
    return _page(Client.unassigned.query, unassigned_key, condition, limit=limit, start=start)


def find_client_by_email(org_id: str, email: str) -> Client | None:
    """The client with this address here (R27's canonical form): its email guard, then the
    client it names (GET /clients?email=)."""
    guard = get_guard(client_email_guard_key(org_id, email))
    if guard is None or guard.owner_kind != "client":
        return None
    return get_client(org_id, guard.owner_id)


@dataclass(frozen=True)
class ClientRef:
    """A client found through a sparse index: its keys, and since when it waits (approval)."""

    org_id: str
    client_id: str
    since: str | None = None


def query_expired_signups(
    due_by: str, *, limit: int, start: dict[str, Any] | None
) -> Page[ClientRef]:
    """R19: one page of unconfirmed self-registrations whose deadline is at or before `due_by`,
    from the sparse UnconfirmedByDeadline index (no other client carries its key)."""
    page = _page(
        Client.unconfirmed_by_deadline.query,
        CLEANUP_BUCKET,
        Client.cleanup_due_at <= due_by,
        limit=limit,
        start=start,
    )
    return Page([ClientRef(c.org_id, c.client_id) for c in page.items], page.last_evaluated_key)


def query_awaiting_approval(
    since_by: str, *, limit: int, start: dict[str, Any] | None
) -> Page[ClientRef]:
    """One page of confirmed registrations awaiting approval since `since_by` or earlier, in
    every organization, from the sparse AwaitingApproval index."""
    page = _page(
        Client.awaiting_approval.query,
        APPROVAL_BUCKET,
        Client.awaiting_approval_since <= since_by,
        limit=limit,
        start=start,
    )
    refs = [ClientRef(c.org_id, c.client_id, c.awaiting_approval_since) for c in page.items]
    return Page(refs, page.last_evaluated_key)


def query_audit_trail(
    subject_ref: str, *, limit: int, start: dict[str, Any] | None
) -> Page[AuditEvent]:
    """One page of a subject's audit events, newest first (R20)."""
    return _page(AuditEvent.query, subject_ref, limit=limit, start=start, newest_first=True)


def query_access_log(
    client_ref: str, *, limit: int, start: dict[str, Any] | None
) -> Page[AccessRecord]:
    """One page of a client's access records, newest first (R29)."""
    return _page(AccessRecord.query, client_ref, limit=limit, start=start, newest_first=True)


# Writes: one TransactWriteItems each (transaction.py), made of named writes (writes.py).
