"""The Clients tab over the local stack, with real Cognito ID tokens from its endpoint:
create -> invite -> accept -> log in -> deactivate -> refused -> reactivate (R1-R4, R13, R15)."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import RunningStack, registered_and_confirmed
from tests.support.request_bodies import PASSWORD, new_client_body

pytestmark = pytest.mark.e2e


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['IdToken']}"}


def test_r1_r4_r15_create_invite_accept_login_deactivate_reactivate(
    local_stack: RunningStack,
) -> None:
    org = local_stack.organization()
    admin = bearer(local_stack.login(f"admin-{org['org']['slug']}", "portal"))

    body = new_client_body()
    created = local_stack.call("POST", "/clients", body, headers=admin)
    assert created.status == 201, created.text
    assert created.body["notice"]  # no practitioner yet: not in the Care App (R2)

    token = local_stack.link_token(body["email"])
    accepted = local_stack.call(
        "POST",
        "/public/invitations/accept",
        {"token": token, "username": f"casey-{created.body['id'][:6]}", "password": PASSWORD},
    )
    assert accepted.status == 200 and accepted.body == {"status": "active"}, accepted.text
    username = f"casey-{created.body['id'][:6]}"
    client_tokens = local_stack.login(username, "care_app")
    me = local_stack.call("GET", "/me", headers=bearer(client_tokens))
    assert me.status == 200 and me.body["kind"] == "client"

    off = local_stack.call(
        "PATCH", f"/clients/{created.body['id']}", {"active": False}, headers=admin
    )
    assert off.status == 200 and off.body["status"] == "inactive", off.text
    with pytest.raises(ClientError) as refused:
        local_stack.login(username, "portal")
    assert "inactive" in refused.value.response["Error"]["Message"]
    assert local_stack.call("GET", "/me", headers=bearer(client_tokens)).status == 403
    with pytest.raises(ClientError):
        local_stack.cognito().initiate_auth(
            ClientId=local_stack.client_id("care_app"),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": client_tokens["RefreshToken"]},
        )

    on = local_stack.call(
        "PATCH", f"/clients/{created.body['id']}", {"active": True}, headers=admin
    )
    assert on.status == 200 and on.body["status"] == "active"
    assert local_stack.login(username, "care_app")["IdToken"]


def test_clients_routes_need_a_valid_token(local_stack: RunningStack) -> None:
    assert local_stack.call("GET", "/clients").status == 401
    garbage = local_stack.call("GET", "/clients", headers={"Authorization": "Bearer nope"})
    assert garbage.status == 401 and garbage.body["code"] == "unauthorized"


def test_r14_staff_lists_the_clients_they_created(local_stack: RunningStack) -> None:
    org = local_stack.organization()
    admin = bearer(local_stack.login(f"admin-{org['org']['slug']}", "portal"))
    for last in ("Young", "Abbott"):
        assert (
            local_stack.call(
                "POST", "/clients", new_client_body(last_name=last), headers=admin
            ).status
            == 201
        )
    listed = local_stack.call("GET", "/clients?status=active", headers=admin)
    assert [c["last_name"] for c in listed.body["items"]] == ["Abbott", "Young"]
    # Page by page: the cursor is an opaque token kept in the local stack's Cursors table.
    first = local_stack.call("GET", "/clients?status=active&limit=1", headers=admin)
    cursor = first.body["next_cursor"]
    assert cursor and "abbott" not in cursor.lower()
    second = local_stack.call(
        "GET", f"/clients?status=active&limit=1&cursor={cursor}", headers=admin
    )
    assert [c["last_name"] for c in second.body["items"]] == ["Young"], second.text
    forged = local_stack.call("GET", f"/clients?limit=1&cursor={cursor[:-1]}", headers=admin)
    assert forged.status == 422 and forged.body["errors"][0]["field"] == "cursor"


def test_r7_r11_invited_practitioner_connects_with_a_not_sure_client(
    local_stack: RunningStack,
) -> None:
    org = local_stack.organization()
    admin = bearer(local_stack.login(f"admin-{org['org']['slug']}", "portal"))
    department = org["departments"][0]["id"]
    suffix = org["org"]["slug"][-8:]
    invited = local_stack.call(
        "POST",
        "/staff",
        {
            "first_name": "Dana",
            "last_name": "Doctor",
            "email": f"dana@{suffix}.example",
            "roles": ["practitioner"],
            "department_ids": [department],
        },
        headers=admin,
    )
    assert invited.status == 201, invited.text
    accepted = local_stack.call(
        "POST",
        "/public/invitations/accept",
        {
            "token": local_stack.link_token(f"dana@{suffix}.example"),
            "username": f"dana-{suffix}",
            "password": PASSWORD,
        },
    )
    assert accepted.status == 200, accepted.text

    client = registered_and_confirmed(local_stack, org["org"]["slug"])  # "not sure"
    client_auth = bearer(local_stack.login(str(client["username"]), "care_app"))
    assert local_stack.call("GET", "/me/connections", headers=client_auth).body == {"items": []}
    me = local_stack.call("GET", "/me", headers=client_auth).body
    associated = local_stack.call(
        "POST",
        f"/clients/{me['id']}/practitioners",
        {"practitioner_id": invited.body["id"]},
        headers=admin,
    )
    assert associated.status == 201, associated.text
    items = local_stack.call("GET", "/me/connections", headers=client_auth).body["items"]
    assert [(i["id"], i["display_name"]) for i in items] == [(invited.body["id"], "Dana Doctor")]
    doctor = bearer(local_stack.login(f"dana-{suffix}", "care_app"))
    theirs = local_stack.call("GET", "/me/connections", headers=doctor).body["items"]
    assert [i["id"] for i in theirs] == [me["id"]]


def _claims(id_token: str) -> dict[str, str]:
    """The token's payload, unverified: to show what the forged token says."""
    payload = id_token.split(".")[1]
    decoded: dict[str, str] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def test_a_client_who_rewrites_its_account_id_is_still_refused(local_stack: RunningStack) -> None:
    """The local endpoint (moto) lets a user write custom attributes that Cognito keeps
    immutable; a token naming the org admin's account but the client's login gets 401."""
    org = local_stack.organization()
    slug, admin_id = org["org"]["slug"], org["admin"]["id"]
    admin = bearer(local_stack.login(f"admin-{slug}", "portal"))
    created = local_stack.call("POST", "/clients", new_client_body(), headers=admin)
    assert created.status == 201, created.text
    username = f"mallory-{created.body['id'][:6]}"
    accepted = local_stack.call(
        "POST",
        "/public/invitations/accept",
        {
            "token": local_stack.link_token(created.body["email"]),
            "username": username,
            "password": PASSWORD,
        },
    )
    assert accepted.status == 200, accepted.text
    tokens = local_stack.login(username, "care_app")

    local_stack.cognito().update_user_attributes(
        AccessToken=tokens["AccessToken"],
        UserAttributes=[
            {"Name": "custom:account_kind", "Value": "staff"},
            {"Name": "custom:account_id", "Value": admin_id},
        ],
    )
    refreshed = local_stack.cognito().initiate_auth(  # no login gate on a refresh
        ClientId=local_stack.client_id("care_app"),
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    # A new sign-in meets the login gate: the admin's record does not name this login.
    with pytest.raises(ClientError, match="PreAuthentication failed"):
        local_stack.login(username, "portal")
    claims = _claims(refreshed["IdToken"])
    assert (claims["custom:account_id"], claims["custom:account_kind"]) == (admin_id, "staff")
    for path in ("/me", "/clients", "/staff"):
        answer = local_stack.call("GET", path, headers=bearer(refreshed))
        assert answer.status == 401 and answer.body["code"] == "unauthorized", answer.text
