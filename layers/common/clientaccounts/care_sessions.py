"""Care session history (R26) and what it means for deletion (R17, R25).

A practitioner records that a Care session took place with an associated active client; from
then on neither account can be deleted, only inactivated. Both the recording and a deletion
decide in their transactions: of the two at once, one wins. A deletion of an account with a
login runs in two transactions around the login's removal; the first holds the record for
`DELETION_HOLD`, during which no session is recorded.
"""

from __future__ import annotations

from datetime import timedelta

from . import clock
from .answers import CareSessionView
from .auth import Caller
from .errors import Conflict, Forbidden, NotFound
from .outbox import audit_by
from .persistence import store, writes
from .rules import Status

# Longer than a request runs (the API's functions time out after 10 s), short enough to free
# a record whose deletion stopped midway.
DELETION_HOLD = timedelta(minutes=2)


def has_session_history() -> Conflict:
    return Conflict(
        "This account has Care session history: it cannot be deleted, only inactivated.",
        code="has_session_history",
    )


def _not_active() -> Conflict:
    return Conflict(
        "Care sessions are recorded with active clients only.", code="client_not_active"
    )


def record_care_session(caller: Caller, client_id: str) -> CareSessionView:
    """POST /care-sessions: by a practitioner associated with that active client (R26)."""
    if caller.kind != "staff" or "practitioner" not in caller.roles:
        raise Forbidden("Only a practitioner records Care sessions.")
    client = store.get_client(caller.org_id, client_id)
    if client is None:
        raise NotFound("No such client.", code="client_not_found")
    association = store.get_association(caller.org_id, client_id, caller.account_id)
    if association is None:
        raise Forbidden("You are not this client's practitioner.", code="not_associated")
    if client.status != Status.ACTIVE:
        raise _not_active()
    at = clock.iso(clock.now())
    tx = store.Transaction()
    writes.record_care_session(
        tx,
        association,
        at=at,
        on_not_associated=Forbidden(
            "You are not this client's practitioner.", code="not_associated"
        ),
        on_client=Conflict(
            "This client is not active, or is being deleted.", code="client_not_active"
        ),
        on_practitioner=Forbidden("Only an active practitioner records Care sessions."),
    )
    # One event: the client is its subject, the practitioner its actor (ids only, R20).
    tx.save(audit_by(caller, "client", client_id, "care_session.recorded"))
    tx.commit()
    return {"client_id": client_id, "practitioner_id": caller.account_id, "recorded_at": at}
