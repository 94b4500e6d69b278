"""Emails are queued as outbox items inside the transaction that causes them (R22)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import clock
from .persistence.keys import audit_subject_ref, hash_token
from .persistence.models import AuditEvent, OutboxEmail

if TYPE_CHECKING:
    from .auth import Caller

OUTBOX_RETENTION_DAYS = 14


def queue_email(
    template: str,
    to: str,
    org_id: str,
    params: dict[str, Any],
    *,
    requested_by: str | None = None,
) -> OutboxEmail:
    """An email to send. One that carries a link keeps the link's hash (R31: SES's report of
    a bounce finds the link's account by it); `requested_by` is the staff member whose action
    sent it, told if an invitation bounces."""
    created = clock.now()
    token = params.get("token")
    return OutboxEmail(
        uuid.uuid4().hex,
        template=template,
        to=[to],
        org_id=org_id,
        params=params,
        status="queued",
        attempts=0,
        created_at=clock.iso(created),
        expires_ttl=created + timedelta(days=OUTBOX_RETENTION_DAYS),
        link_hash=hash_token(token) if isinstance(token, str) else None,
        requested_by=requested_by,
    )


def audit_event(
    *,
    org_id: str,
    subject_kind: str,
    subject_id: str,
    action: str,
    actor_kind: str,
    actor_id: str | None = None,
) -> AuditEvent:
    """R20: ids and the action only, never personal data."""
    moment = clock.now()
    at = clock.iso(moment)
    return AuditEvent(
        audit_subject_ref(org_id, subject_kind, subject_id),
        # Microseconds in the sort key: events of one second keep their order in the trail.
        f"{moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{uuid.uuid4().hex}",
        org_id=org_id,
        action=action,
        actor_kind=actor_kind,
        actor_id=actor_id,
        outcome="ok",
        at=at,
    )


def audit_by(caller: Caller, subject_kind: str, subject_id: str, action: str) -> AuditEvent:
    """An audit event for a change a signed-in caller made."""
    return audit_event(
        org_id=caller.org_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        action=action,
        actor_kind=caller.kind,
        actor_id=caller.account_id,
    )


def queue_link_email(
    template: str,
    *,
    to: str,
    first_name: str,
    org_id: str,
    org_name: str,
    token: str,
    valid_hours: int,
    requested_by: str | None = None,
) -> OutboxEmail:
    """An email carrying a single-use link (confirmation, invitation); `requested_by` is the
    staff member who sent an invitation (R31)."""
    return queue_email(
        template,
        to,
        org_id,
        {
            "first_name": first_name,
            "org_name": org_name,
            "org_slug": org_id,
            "token": token,
            "valid_hours": valid_hours,
        },
        requested_by=requested_by,
    )


def get_started_email(
    *, to: str, first_name: str, org_id: str, org_name: str, has_practitioner: bool
) -> OutboxEmail:
    """R4, R10, R16: the account is ready. Without a practitioner yet, the email says what
    happens next instead of "find your practitioner"."""
    return queue_email(
        "get_started",
        to,
        org_id,
        {
            "first_name": first_name,
            "org_name": org_name,
            "org_slug": org_id,
            "has_practitioner": has_practitioner,
        },
    )
