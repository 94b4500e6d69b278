"""A client's audit trail (R20), for the office: who did what and when, ids only."""

from __future__ import annotations

from . import access_log
from .answers import AuditEntry, HistoryPage
from .auth import Action, Caller, authorize
from .errors import InvalidInput, NotFound
from .persistence import keys, store

MAX_PAGE = 100


def client_history(
    caller: Caller, client_id: str, *, limit: int = 50, cursor: str | None = None
) -> HistoryPage:
    """GET /clients/{id}/history: newest first. The trail outlives the client (R17 keeps the
    ids), so a deleted client's history stays readable; an id with no events here, such as
    another organization's client, is not found (R18)."""
    authorize(caller, Action.READ_CLIENT_HISTORY)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is between 1 and {MAX_PAGE}.", field="limit")
    subject_ref = keys.audit_subject_ref(caller.org_id, "client", client_id)
    start = store.decode_cursor(cursor, caller.org_id, subject_ref) if cursor else None
    page = store.query_audit_trail(subject_ref, limit=limit, start=start)
    if not page.items and start is None and store.get_client(caller.org_id, client_id) is None:
        raise NotFound("No such client.", code="client_not_found")
    answer: HistoryPage = {
        "items": [
            AuditEntry(
                action=e.action,
                actor_kind=e.actor_kind,
                actor_id=e.actor_id,
                at=e.at,
                outcome=e.outcome,
            )
            for e in page.items
        ],
        "next_cursor": store.encode_cursor(caller.org_id, subject_ref, page.last_evaluated_key),
    }
    access_log.record_client_read(caller, access_log.CLIENT_HISTORY, [client_id])
    return answer
