"""Every key format of the tables, in one place (docs/data-model.md lists them). Every key
starts with the organization (R18), except the per-address public email counter of a day
(R28, across organizations), a link's and a cursor's (the SHA-256 of a random token).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from ..text import canonical_email


def normalize_email(email: str) -> str:
    """The comparison key of an address (R27): text.canonical_email, the one definition."""
    return canonical_email(email)


def hash_token(token: str) -> str:
    """The key of a link or a cursor: only the token's SHA-256 is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- Guards ---------------------------------------------------------------------------


def client_email_guard_key(org_id: str, email: str) -> str:
    return f"client-email#{org_id}#{normalize_email(email)}"


def staff_email_guard_key(org_id: str, email: str) -> str:
    return f"staff-email#{org_id}#{normalize_email(email)}"


def account_email_guard_key(account_kind: str, org_id: str, email: str) -> str:
    """The email guard of a client ("client") or a staff member (any other kind)."""
    if account_kind == "client":
        return client_email_guard_key(org_id, email)
    return staff_email_guard_key(org_id, email)


def department_name_guard_key(org_id: str, name: str) -> str:
    return f"department-name#{org_id}#{name.strip().lower()}"


def create_client_request_key(org_id: str, caller_id: str, request_name: str) -> str:
    """A staff member's create-client request (idempotent creates); `request_name` is a hash."""
    return f"create-client#{org_id}#{caller_id}#{request_name}"


def public_email_cooldown_key(org_id: str, email: str) -> str:
    """R28: one per organization and address: when a public route of it last emailed there."""
    return f"public-email#{org_id}#{normalize_email(email)}"


def public_email_day_key(email: str, day: str) -> str:
    """R28: one per address and UTC day, across organizations: how many public emails."""
    return f"public-email-day#{day}#{normalize_email(email)}"


# --- Clients (the ByStatus index, R14) ------------------------------------------------


def status_key(org_id: str, status: str) -> str:
    """A status list of one organization: the ByStatus index's partition."""
    return f"{org_id}#{status}"


def name_key(last_name: str, first_name: str, client_id: str) -> str:
    """The ByStatus index's order: last name, first name, id, lower case."""
    return f"{last_name.lower()}#{first_name.lower()}#{client_id}"


def name_prefix(q: str) -> str:
    """The `name_key` prefix of a name search (GET /clients?q=): the start of the last name
    ("smi"), or a whole last name, a comma and the start of the first name ("smith, jo"),
    lower case as `name_key`."""
    last, comma, first = q.partition(",")
    if not comma:
        return last.strip().lower()
    return f"{last.strip().lower()}#{first.strip().lower()}"


def client_list_partition(
    org_id: str, status: str, *, q: str | None = None, sort: str = "name", unassigned: bool = False
) -> str:
    """What a client list's cursors are bound to: the organization, the status, and how the
    list was narrowed and ordered. The plain status list keeps the bare status key (cursors
    made before); a search names its prefix by a hash, so no name is kept with a cursor."""
    partition = status_key(org_id, status)
    if unassigned:
        partition += "#unassigned"
    if sort != "name":
        partition += f"#sort={sort}"
    if q is not None:
        partition += "#q=" + hashlib.sha256(name_prefix(q).encode()).hexdigest()[:32]
    return partition


# --- Associations -----------------------------------------------------------------------


def client_ref(org_id: str, client_id: str) -> str:
    return f"{org_id}#{client_id}"


def practitioner_ref(org_id: str, practitioner_id: str) -> str:
    return f"{org_id}#{practitioner_id}"


# --- Audit ------------------------------------------------------------------------------


def audit_subject_ref(org_id: str, kind: str, subject_id: str) -> str:
    return f"{org_id}#{kind}#{subject_id}"


def access_read_key(at: str, log_event_id: str) -> str:
    """R29: an access record's sort key, the read's time (ISO, microseconds) then the id of the
    log event that reported it: a redelivered event writes the same key (idempotent), and
    reads of one moment stay apart."""
    return f"{at}#{log_event_id}"


def audit_event_key(moment: datetime) -> str:
    """Microseconds in the sort key: events of one second keep their order in the trail."""
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{uuid.uuid4().hex}"
