"""R29: who on the staff read which client, and when; ids only (HIPAA 164.312(b)).

Recording costs a read nothing but one log line: no write on its path (docs/decisions.md,
2026-12-02, "Read access: a log line, shipped").

1. A route that answers client data to staff calls `record_client_read` with the ids it
   answers: one INFO line (the `logger` of observability.py) carrying the marker
   `"audit": "client_read"`, the organization, the staff member, the route's template path,
   the time and the client ids, at most `IDS_PER_LINE` a line (a longer answer is several).
2. A CloudWatch Logs subscription filter on the functions' log group, `{ $.audit =
   "client_read" }` (template.yaml), hands the marked lines to the access-log function
   (functions/access_log), which calls `store_client_reads`: one `AccessRecord` per (client,
   line), keyed by the read's time and the log event's id, so a redelivered event writes the
   same items again (idempotent). Records are kept six years (`RETENTION`).
3. `client_access_log` answers GET /clients/{client_id}/access-log (org_admin), newest first.

Writes are not recorded here: each is already in the client's audit trail (R20), with who
made it and when. The access log itself is not a read of client data (it holds staff ids and
times only), so reading it is not recorded either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from . import clock
from .answers import AccessEntry, AccessLogPage
from .auth import Action, Caller, authorize
from .errors import InvalidInput, NotFound
from .observability import count, logger
from .persistence import keys, store, writes
from .persistence.models import AccessRecord

MARKER_FIELD = "audit"
MARKER = "client_read"
# A list page holds at most 100 clients; a practitioner's client list can hold more, and is
# split. 100 ids of 32 characters make a line of about 4 KB: CloudWatch Logs takes 256 KB an
# event, and a subscription's delivery to Lambda batches whole events.
IDS_PER_LINE = 100
# HIPAA keeps required documentation six years (45 CFR 164.316(b)(2)); 2192 days is six
# years with two leap days.
RETENTION = timedelta(days=2192)
MAX_PAGE = 100

# The routes that answer client data to staff, as template.yaml writes them.
READ_CLIENT = "GET /clients/{client_id}"
LIST_CLIENTS = "GET /clients"
CLIENT_HISTORY = "GET /clients/{client_id}/history"
READ_STAFF = "GET /staff/{staff_id}"
MY_CONNECTIONS = "GET /me/connections"
ROUTES = frozenset({READ_CLIENT, LIST_CLIENTS, CLIENT_HISTORY, READ_STAFF, MY_CONNECTIONS})

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MOMENT = "%Y-%m-%dT%H:%M:%S.%fZ"


# --- 1. the read's line -----------------------------------------------------------------


def record_client_read(caller: Caller, route: str, client_ids: Iterable[str]) -> None:
    """Log that this staff caller is being answered these clients (nothing for none, nor for
    a client reading their own account). Ids only: the line never holds a name."""
    if caller.kind != "staff":
        return
    ids = list(dict.fromkeys(client_ids))
    at = clock.now().strftime(_MOMENT)
    for start in range(0, len(ids), IDS_PER_LINE):
        logger.info(
            "client read",
            extra={
                MARKER_FIELD: MARKER,
                "org_id": caller.org_id,
                "staff_id": caller.account_id,
                "route": route,
                "at": at,
                "client_ids": ids[start : start + IDS_PER_LINE],
            },
        )


# --- 2. the access-log function ---------------------------------------------------------


@dataclass(frozen=True)
class ClientRead:
    """One marked line, checked."""

    org_id: str
    staff_id: str
    route: str
    at: datetime
    client_ids: tuple[str, ...]


def parse_client_read(message: str) -> ClientRead | None:
    """The read a log line reports, or None when it is not a well-formed marked line."""
    try:
        line = json.loads(message)
    except ValueError:
        return None
    if not isinstance(line, dict) or line.get(MARKER_FIELD) != MARKER:
        return None
    org_id, staff_id, route = line.get("org_id"), line.get("staff_id"), line.get("route")
    ids = line.get("client_ids")
    if not (
        _is_id(org_id)
        and _is_id(staff_id)
        and route in ROUTES
        and isinstance(ids, list)
        and 0 < len(ids) <= IDS_PER_LINE
        and all(_is_id(i) for i in ids)
    ):
        return None
    try:
        at = datetime.strptime(str(line.get("at")), _MOMENT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return ClientRead(str(org_id), str(staff_id), str(route), at, tuple(dict.fromkeys(ids)))


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def access_records(log_event_id: str, read: ClientRead) -> list[AccessRecord]:
    """One record per client of the line."""
    at_key = read.at.strftime(_MOMENT)
    return [
        AccessRecord(
            keys.client_ref(read.org_id, client_id),
            keys.access_read_key(at_key, log_event_id),
            org_id=read.org_id,
            client_id=client_id,
            staff_id=read.staff_id,
            route=read.route,
            at=clock.iso(read.at),
            expires_ttl=read.at + RETENTION,
        )
        for client_id in read.client_ids
    ]


def store_client_reads(log_events: Iterable[tuple[str, str]]) -> int:
    """Write the access records of these (log event id, message) pairs; returns how many.
    A line that is not a well-formed marked line is skipped and counted (a retry would not
    mend it); a DynamoDB failure raises (503), so the delivery is retried."""
    records: dict[tuple[str, str], AccessRecord] = {}
    for event_id, message in log_events:
        read = parse_client_read(message) if _is_log_event_id(event_id) else None
        if read is None:
            logger.warning("access log line refused", extra={"log_event_id": event_id[:64]})
            count("AccessLogLinesRefused")
            continue
        for record in access_records(event_id, read):
            records[(record.client_ref, record.read_key)] = record
    writes.save_access_records(list(records.values()))
    return len(records)


def _is_log_event_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None


# --- 3. GET /clients/{client_id}/access-log ---------------------------------------------


def client_access_log(
    caller: Caller, client_id: str, *, limit: int = 50, cursor: str | None = None
) -> AccessLogPage:
    """Newest first. Like the audit trail it outlives the client (a deleted client's reads
    stay readable for their six years); an id with no records, such as another
    organization's client, is not found (R18). Staff are named by id: the portal has them."""
    authorize(caller, Action.READ_ACCESS_LOG)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is between 1 and {MAX_PAGE}.", field="limit")
    client_ref = keys.client_ref(caller.org_id, client_id)
    partition = f"access-log#{client_ref}"
    start = store.decode_cursor(cursor, caller.org_id, partition) if cursor else None
    page = store.query_access_log(client_ref, limit=limit, start=start)
    if not page.items and start is None and store.get_client(caller.org_id, client_id) is None:
        raise NotFound("No such client.", code="client_not_found")
    return {
        "items": [AccessEntry(staff_id=r.staff_id, route=r.route, at=r.at) for r in page.items],
        "next_cursor": store.encode_cursor(caller.org_id, partition, page.last_evaluated_key),
    }
