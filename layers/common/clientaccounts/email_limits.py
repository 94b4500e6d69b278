"""R28: a public route cannot be used to flood an inbox. Every email a public route sends
(registration, resend, and what replaces them) is counted in the transaction that queues it,
against two conditions kept on guard rows:
- a cool-down per organization and address (`resend_cooldown_seconds`), so that repeating a
  form does not repeat its email;
- a daily cap per address across every organization (`public_emails_per_address_per_day`),
  so that the many portals of the system cannot be used one after the other either.
Over either limit the transaction fails as a whole: no email, no change, and the route still
answers as always (R21).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import clock
from .config import get_settings
from .errors import Conflict
from .persistence import store, writes

# The day's counter is kept a little past its day (TTL is housekeeping; the key names the day).
COUNTER_KEPT = timedelta(days=2)


class OverEmailLimit(Conflict):
    """This address had its public emails for now; the route answers as usual."""


def count_public_email(tx: store.Transaction, *, org_id: str, email: str, now: datetime) -> None:
    settings = get_settings()
    now_iso = clock.iso(now)
    cutoff = clock.iso(now - timedelta(seconds=settings.resend_cooldown_seconds))
    kept_until = now + COUNTER_KEPT
    writes.count_public_email(
        tx,
        org_id=org_id,
        email=email,
        now_iso=now_iso,
        cooldown_cutoff=cutoff,
        daily_cap=settings.public_emails_per_address_per_day,
        kept_until=kept_until,
        on_conflict=OverEmailLimit("over the public email limit", code="email_limit"),
    )
