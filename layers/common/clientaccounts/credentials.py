"""Choosing username and password on an emailed link: accepting an invitation (R4) and
confirming a self-registration (R9). Credentials are only ever set here, by whoever holds the
inbox the link went to (DESIGN.md, "Data").

A link may arrive twice at once (a double click, a mail scanner and a person). The order of
effects makes every interleaving end with one success and one working login:
1. claim the link: a conditional write that holds it for this request (unused, not replaced,
   not expired, not held by a live request); a second request is told the link is in use;
2. create the Cognito login (Cognito keeps usernames unique);
3. the account's own transaction, which marks the link used on condition that this claim
   still holds it.
If step 3 fails, the undo removes only what this request made: the login if this request
created it (not one it took over), and only when the link is known not to have been used.
A request that dies midway leaves a claim that lapses after CLAIM_SECONDS and, at worst, a
login for the account, which the next attempt takes over.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NoReturn, TypeVar

from . import clock, identity, rules
from .errors import Conflict, DomainError
from .links import Purpose, check_usable
from .observability import logger
from .persistence import store, writes
from .persistence.models import Link

# Longer than any function's timeout (10 s) and API Gateway's (29 s): a claim outlives only
# a request that has died.
CLAIM_SECONDS = 60

T = TypeVar("T")


class _Held(Conflict):
    """Internal: the claim's condition failed; the link is used, replaced, expired or held."""


class _ClaimLost(Conflict):
    """Internal: at commit, this claim no longer held the link (replaced by a newer link, or
    the claim lapsed and another request took the link)."""


def _in_use() -> Conflict:
    return Conflict(
        "This link is being used right now; wait a moment, then try again.", code="link_in_use"
    )


def claim_link(link: Link, purpose: Purpose, now: datetime) -> str:
    """Hold the link for this request; returns the claim's id. A link used, replaced or
    expired meanwhile is 410 as `check_usable` words it; one held by another live request
    is 409 `link_in_use`."""
    claim_id = uuid.uuid4().hex
    now_iso = clock.iso(now)
    tx = store.Transaction()
    writes.claim_link(
        tx,
        link,
        claim_id=claim_id,
        now_iso=now_iso,
        claimed_until=clock.iso(now + timedelta(seconds=CLAIM_SECONDS)),
        on_conflict=_Held("held"),
    )
    try:
        tx.commit()
    except _Held:
        _refuse_taken_link(link, purpose)
    return claim_id


def _refuse_taken_link(link: Link, purpose: Purpose) -> NoReturn:
    """Say why the link cannot be had: 410 as `check_usable` words it, else it is in use."""
    check_usable(store.get_link(link.token_hash), purpose, clock.now())
    raise _in_use()


def use_claimed_link(tx: store.Transaction, link: Link, claim_id: str, now: datetime) -> None:
    """The link's part of the account's transaction: used, if this claim still holds it."""
    writes.use_claimed_link(
        tx, link, claim_id=claim_id, at=clock.iso(now), on_conflict=_ClaimLost("lost")
    )


def release_link(link: Link, claim_id: str) -> None:
    """Let the next request have the link now rather than when the claim lapses. Best
    effort: a failure here only delays the next attempt."""
    tx = store.Transaction()
    writes.release_link_claim(tx, link, claim_id)
    try:
        tx.commit()
    except DomainError as exc:
        logger.warning("link claim not released; it lapses by itself", extra={"code": exc.code})


def _used_by(link: Link, claim_id: str) -> bool | None:
    """Whether this claim's transaction committed after all; None when it cannot be told."""
    try:
        current = store.get_link(link.token_hash)
    except DomainError:
        return None
    return current is not None and current.used_at is not None and current.claim_id == claim_id


def set_credentials_through_link(
    link: Link,
    purpose: Purpose,
    *,
    username: str,
    password: str,
    commit: Callable[[str, str], T],
) -> T:
    """Steps 1-3 of the module's docstring. `commit(claim_id, stored_username)` writes the
    account's transaction, calling `use_claimed_link` on it, and returns the answer."""
    rules.check_password(password)
    now = clock.now()
    claim_id = claim_link(link, purpose, now)
    try:
        created = identity.create_login(
            username=username,
            password=password,
            org_id=link.org_id,
            account_kind=link.account_kind,
            account_id=link.account_id,
        )
    except BaseException:
        release_link(link, claim_id)
        raise
    try:
        return commit(claim_id, identity.normalize_username(username))
    except BaseException as exc:
        used = _used_by(link, claim_id)
        if used is False:
            if created:
                identity.delete_login(username)
            release_link(link, claim_id)
        elif used is None:
            # Unknown outcome: keep the login. If the transaction did not commit, the claim
            # lapses and the next attempt takes the login over with its own password.
            logger.warning("credentials outcome unknown; login kept", extra=_ids(link))
        if isinstance(exc, _ClaimLost):
            _refuse_taken_link(link, purpose)
        raise


def _ids(link: Link) -> dict[str, str]:
    return {"org_id": link.org_id, "account_kind": link.account_kind, "account_id": link.account_id}
