"""R13, applied by the Cognito pre-authentication trigger: one GetItem per login, fail closed.

Kept light on purpose (pynamodb and the Logger only): Cognito gives the trigger 5 s.
"""

from __future__ import annotations

import json
from functools import cache

from .aws import client
from .config import get_settings
from .identity import ACCOUNT_ATTRIBUTE, KIND_ATTRIBUTE, ORG_ATTRIBUTE, normalize_username
from .observability import count, logger
from .persistence import store
from .rules import AccountState, App, Refusal, Status, login_refusal


@cache
def app_clients() -> dict[str, App]:
    """App client id -> app, from the SSM parameter the template writes (read once)."""
    name = get_settings().app_clients_parameter
    value = client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    ids = json.loads(value)
    return {ids["portal"]: App.PORTAL, ids["care_app"]: App.CARE_APP}


def _account_state(username: str, attributes: dict[str, str]) -> AccountState | None:
    """The state of the account this login belongs to; None (refused) when there is none, or
    when the account does not name this login as its own (a login left over from a request
    that failed midway, or one whose attributes were altered)."""
    org_id = attributes.get(ORG_ATTRIBUTE)
    kind = attributes.get(KIND_ATTRIBUTE)
    account_id = attributes.get(ACCOUNT_ATTRIBUTE)
    if not org_id or not account_id:
        return None
    if kind == "client":
        found = store.get_client(org_id, account_id)
        if found is None or found.username != normalize_username(username):
            return None
        return AccountState(
            kind="client",
            active=found.status == Status.ACTIVE,
            pending=found.status == Status.PENDING,
            email_confirmed=found.email_confirmed,
        )
    if kind == "staff":
        staff = store.get_staff(org_id, account_id)
        if staff is None or staff.username != normalize_username(username):
            return None
        return AccountState(kind="staff", active=staff.active, pending=False, email_confirmed=True)
    return None


def pre_authentication_refusal(
    app_client_id: str, username: str, attributes: dict[str, str]
) -> Refusal | None:
    """What to tell a refused login, or None to let it through. Any failure refuses.
    A refusal counts one `LoginsRefused` of its reason (published by the trigger)."""
    refusal = _decide(app_client_id, username, attributes)
    if refusal is not None:
        count("LoginsRefused", reason=refusal.name.lower())
    return refusal


def _decide(app_client_id: str, username: str, attributes: dict[str, str]) -> Refusal | None:
    try:
        app = app_clients().get(app_client_id)
        if app is None:
            logger.warning("login from an unknown app client refused")
            return Refusal.UNAVAILABLE
        refusal = login_refusal(app, _account_state(username, attributes))
    except Exception as exc:  # fail closed: no login on a failure we did not foresee
        logger.warning("login gate failed closed", extra={"error_type": type(exc).__name__})
        return Refusal.UNAVAILABLE
    logger.info(
        "login gate decided",
        extra={
            "account_id": attributes.get(ACCOUNT_ATTRIBUTE),
            "app": app.value,
            "refused": refusal.name if refusal else None,
        },
    )
    return refusal
