"""Two requests carrying one link at once (a double click, a mail scanner and the person):
whatever the interleaving, exactly one succeeds, the login works, and an undo removes only
what its own request created (credentials.py; the trust issue's "double submit locks the
account out")."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from clientaccounts import clock, credentials, identity
from clientaccounts.errors import Conflict, Gone
from clientaccounts.invitations import accept_invitation
from clientaccounts.links import Purpose, hash_token
from clientaccounts.persistence import store
from clientaccounts.persistence.models import Link
from clientaccounts.registration import confirm_email
from tests.support.concurrency import run_concurrently
from tests.support.faults import AwsOutage
from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body
from tests.support.stack import Stack

RACERS = 20


def _logins_of(stack: Stack, account_id: str) -> list[str]:
    """Usernames of the Cognito logins that name this account."""
    users = stack.client("cognito-idp").list_users(UserPoolId=stack.provisioned.user_pool_id)
    return [
        u["Username"]
        for u in users["Users"]
        if {"Name": identity.ACCOUNT_ATTRIBUTE, "Value": account_id} in u["Attributes"]
    ]


def _link_of(stack: Stack, org: Any, kind: str) -> tuple[str, str, Callable[..., str]]:
    """A fresh account of this kind with a live link: (token, account id, use case)."""
    admin = stack.as_admin(org)
    if kind == "confirmation":
        body = registration_body()
        stack.register(org.org["slug"], **body)
        client = stack.client_by_email(org.org["slug"], body["email"])
        assert client is not None
        return stack.link_token(body["email"]), client.client_id, confirm_email
    if kind == "client_invitation":
        created = admin.call("POST", "/clients", new_client_body()).body
        return stack.link_token(created["email"]), created["id"], accept_invitation
    staff = admin.call(
        "POST",
        "/staff",
        {
            "first_name": "Sol",
            "last_name": "Staffer",
            "email": f"sol.{clock.now().timestamp()}@practice.example",
            "roles": ["care_coordinator"],
            "department_ids": [org.departments[0]["id"]],
        },
    ).body
    return stack.link_token(staff["email"]), staff["id"], accept_invitation


KINDS = ["confirmation", "client_invitation", "staff_invitation"]


def _refused_as_a_double_submit(result: Any) -> bool:
    return (isinstance(result, Gone) and result.code == "link_used") or (
        isinstance(result, Conflict) and result.code == "link_in_use"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("same_username", [True, False], ids=["same_username", "other_usernames"])
def test_double_submit_of_one_link_leaves_one_working_login(
    stack: Stack, kind: str, same_username: bool
) -> None:
    org = stack.organization()
    token, account_id, use_link = _link_of(stack, org, kind)
    usernames = ["doubleclick" if same_username else f"racer{i}" for i in range(RACERS)]
    results = run_concurrently([partial(use_link, token, u, PASSWORD) for u in usernames])
    winners = [u for u, r in zip(usernames, results, strict=True) if r == "active"]
    assert len(winners) == 1, results
    assert all(_refused_as_a_double_submit(r) for r in results if r != "active"), results
    assert _logins_of(stack, account_id) == [winners[0]]
    assert stack.login(winners[0])["IdToken"]
    stored = (
        store.get_staff(org.org["slug"], account_id)
        if kind == "staff_invitation"
        else store.get_client(org.org["slug"], account_id)
    )
    assert stored is not None and stored.username == winners[0]
    # Nothing is stuck: the link says used, and re-inviting says "already accepted".
    again = call_api(
        "POST",
        "/public/email-confirmations" if kind == "confirmation" else "/public/invitations/accept",
        {"token": token, "username": "late", "password": PASSWORD},
    )
    assert again.status == 410 and again.body["code"] == "link_used"


def test_a_second_request_while_the_first_holds_the_link_is_told_to_wait(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving of the bug report, made deterministic: the second accept runs whole
    while the first has made its login and not yet committed."""
    org = stack.organization()
    token, account_id, _ = _link_of(stack, org, "client_invitation")
    create_login = identity.create_login
    second: list[Any] = []

    def create_then_let_the_other_run(**kwargs: Any) -> bool:
        created = create_login(**kwargs)
        if not second:
            second.append(call_api("POST", "/public/invitations/accept", _body(token)))
        return created

    monkeypatch.setattr(identity, "create_login", create_then_let_the_other_run)
    first = call_api("POST", "/public/invitations/accept", _body(token))
    assert first.status == 200
    assert second[0].status == 409 and second[0].body["code"] == "link_in_use"
    assert _logins_of(stack, account_id) == ["casey"]
    assert stack.login("casey")["IdToken"]


def _body(token: str, username: str = "casey") -> dict[str, str]:
    return {"token": token, "username": username, "password": PASSWORD}


def _request_that_died_midway(stack: Stack, token: str, account_id: str, org_id: str) -> None:
    """What a request leaves when its function is stopped after making the login: a claim
    and a login for the account, and nothing else."""
    link = store.get_link(hash_token(token))
    assert link is not None
    credentials.claim_link(link, Purpose.INVITATION, clock.now())
    identity.create_login(
        username="casey",
        password="Another-password-1",
        org_id=org_id,
        account_kind="client",
        account_id=account_id,
    )


def test_a_link_held_by_a_request_that_died_is_usable_after_the_claim_lapses(
    stack: Stack,
) -> None:
    org = stack.organization()
    token, account_id, _ = _link_of(stack, org, "client_invitation")
    _request_that_died_midway(stack, token, account_id, org.org["slug"])
    held = call_api("POST", "/public/invitations/accept", _body(token))
    assert held.status == 409 and held.body["code"] == "link_in_use"
    clock.advance(credentials.CLAIM_SECONDS + 1)
    # The login it left is this account's: the next request takes it over, with its password.
    assert call_api("POST", "/public/invitations/accept", _body(token)).status == 200
    assert _logins_of(stack, account_id) == ["casey"]
    assert stack.login("casey", PASSWORD)["IdToken"]


def test_an_undo_leaves_a_login_its_request_did_not_create(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = stack.organization()
    token, account_id, _ = _link_of(stack, org, "client_invitation")
    _request_that_died_midway(stack, token, account_id, org.org["slug"])
    clock.advance(credentials.CLAIM_SECONDS + 1)
    original = DynamoDBBackend.transact_write_items

    def account_transaction_fails(self: Any, transact_items: list[Any], **kwargs: Any) -> Any:
        if len(transact_items) > 1:  # the claim and its release are one item each
            raise AwsOutage()
        return original(self, transact_items, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", account_transaction_fails)
    assert call_api("POST", "/public/invitations/accept", _body(token)).status == 503
    assert _logins_of(stack, account_id) == ["casey"]  # taken over, not made: left alone
    monkeypatch.undo()
    assert call_api("POST", "/public/invitations/accept", _body(token)).status == 200
    assert stack.login("casey")["IdToken"]


def test_a_login_left_over_for_an_account_cannot_sign_in(stack: Stack) -> None:
    """A request that died after making its login, then the person chose another username:
    the leftover login names the account but the account does not name it (R13)."""
    org = stack.organization()
    token, account_id, _ = _link_of(stack, org, "client_invitation")
    _request_that_died_midway(stack, token, account_id, org.org["slug"])
    clock.advance(credentials.CLAIM_SECONDS + 1)
    assert call_api("POST", "/public/invitations/accept", _body(token, "casey2")).status == 200
    assert stack.login("casey2")["IdToken"]
    with pytest.raises(Exception, match="PreAuthentication failed"):
        stack.login("casey", "Another-password-1")


def test_a_replaced_link_cannot_finish_what_it_started(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resend lands while the old link is being used: the old link's request fails with
    410 and removes its login; the new link works."""
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    old = stack.link_token(created["email"])
    create_login = identity.create_login

    def resend_meanwhile(**kwargs: Any) -> bool:
        made = create_login(**kwargs)
        assert admin.call("POST", f"/clients/{created['id']}/invitation").status == 202
        return made

    monkeypatch.setattr(identity, "create_login", resend_meanwhile)
    stale = call_api("POST", "/public/invitations/accept", _body(old, "stale1"))
    assert stale.status == 410 and stale.body["code"] == "link_replaced"
    monkeypatch.undo()
    assert _logins_of(stack, created["id"]) == []
    fresh = stack.link_token(created["email"])
    assert call_api("POST", "/public/invitations/accept", _body(fresh)).status == 200
    assert Link.get(hash_token(old)).used_at is None
