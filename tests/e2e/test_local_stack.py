"""The local stack over HTTP, with boto3 logging in through its Cognito endpoint."""

from __future__ import annotations

import signal

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local_routes import scheduled_function
from infra.local_stack import DEMO_PASSWORD
from infra.local_stack_process import http, start_stack, stop
from tests.e2e.conftest import RunningStack, registered_and_confirmed, wait_until_ready
from tests.support.request_bodies import PASSWORD, registration_body, username_for

pytestmark = pytest.mark.e2e

HOURS = 3600


def refusal(stack: RunningStack, username: str, app: str) -> str:
    with pytest.raises(ClientError) as refused:
        stack.login(username, app)
    error = refused.value.response["Error"]
    assert error["Code"] == "NotAuthorizedException"
    return str(error["Message"])


def test_local_config_names_the_pool_and_both_app_clients(local_stack: RunningStack) -> None:
    config = local_stack.config
    assert set(config) >= {
        "region",
        "aws_endpoint",
        "user_pool_id",
        "portal_client_id",
        "app_client_id",
    }
    pool = local_stack.cognito().describe_user_pool(UserPoolId=config["user_pool_id"])
    assert pool["UserPool"]["Id"] == config["user_pool_id"]
    clients = local_stack.cognito().list_user_pool_clients(UserPoolId=config["user_pool_id"])
    ids = {c["ClientId"] for c in clients["UserPoolClients"]}
    assert ids == {config["portal_client_id"], config["app_client_id"]}


def test_r5_public_org_shows_the_practitioner_of_an_individual_practice(
    local_stack: RunningStack,
) -> None:
    created = local_stack.organization(kind="individual")
    slug = created["org"]["slug"]
    answer = local_stack.call("GET", f"/public/orgs/{slug}")
    assert answer.status == 200, answer.text
    assert answer.body["slug"] == slug
    assert answer.body["allows_not_sure"] is False
    assert [p["id"] for p in answer.body["practitioners"]] == [created["admin"]["id"]]


def test_r6_register_with_the_practitioner_confirm_and_log_in_to_both_apps(
    local_stack: RunningStack,
) -> None:
    created = local_stack.organization(kind="individual")
    slug, practitioner = created["org"]["slug"], created["admin"]["id"]
    answer, body = local_stack.register(slug, practitioner_id=practitioner)
    assert answer.status == 202, answer.text

    confirmed = local_stack.confirm(local_stack.link_token(body["email"]), username_for(body))
    assert (confirmed.status, confirmed.body) == (200, {"status": "active"})
    for app in ("portal", "care_app"):
        assert local_stack.login(username_for(body), app)["IdToken"]


def test_r7_register_not_sure_then_confirm(local_stack: RunningStack) -> None:
    slug = local_stack.organization()["org"]["slug"]
    assert local_stack.call("GET", f"/public/orgs/{slug}").body["allows_not_sure"] is True
    client = registered_and_confirmed(local_stack, slug)
    assert client["status"] == "active"
    assert local_stack.login(str(client["username"]), "care_app")["IdToken"]


def test_r5_r9_registration_makes_no_login_until_confirmed_over_local_stack(
    local_stack: RunningStack,
) -> None:
    """Account pre-hijacking over HTTP: a stranger registers an address; no login exists, so
    nothing they chose can sign in; the address's owner confirms and chooses the login."""
    slug = local_stack.organization()["org"]["slug"]
    answer, body = local_stack.register(slug)
    assert answer.status == 202, answer.text
    with_credentials = local_stack.call(
        "POST",
        f"/public/orgs/{slug}/registrations",
        {**registration_body(), "username": "mallory", "password": PASSWORD},
    )
    assert with_credentials.status == 422, with_credentials.text
    users = local_stack.cognito().list_users(UserPoolId=local_stack.config["user_pool_id"])
    assert username_for(body) not in {u["Username"] for u in users["Users"]}

    confirmed = local_stack.confirm(local_stack.link_token(body["email"]), username_for(body))
    assert confirmed.status == 200, confirmed.text
    assert local_stack.login(username_for(body), "portal")["IdToken"]


def test_r13_refusal_reaches_the_caller_as_cognito_answers_it(local_stack: RunningStack) -> None:
    slug = local_stack.organization(manual_approval=True)["org"]["slug"]
    client = registered_and_confirmed(local_stack, slug)
    username = str(client["username"])
    with pytest.raises(ClientError, match=r"PreAuthentication failed with error .*pending"):
        local_stack.cognito().admin_initiate_auth(
            UserPoolId=local_stack.config["user_pool_id"],
            ClientId=local_stack.client_id("care_app"),
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )

    # On the wire, as Cognito answers (what the AWS CLI and the apps' SDKs parse).
    raw = http(
        "POST",
        local_stack.config["aws_endpoint"],
        {
            "ClientId": local_stack.client_id("care_app"),
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD},
        },
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
    )
    assert raw.status == 400
    assert raw.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert raw.body["__type"] == "NotAuthorizedException"
    assert raw.body["message"].startswith("PreAuthentication failed with error ")


def test_r13_pending_client_refused_in_care_app_over_local_stack(
    local_stack: RunningStack,
) -> None:
    slug = local_stack.organization(manual_approval=True)["org"]["slug"]
    client = registered_and_confirmed(local_stack, slug)
    assert client["status"] == "pending"
    assert local_stack.login(str(client["username"]), "portal")["IdToken"]
    message = refusal(local_stack, str(client["username"]), "care_app")
    assert message.startswith("PreAuthentication failed with error ")
    assert "pending approval" in message


def test_r13_refresh_token_sign_in_does_not_run_the_trigger(local_stack: RunningStack) -> None:
    slug = local_stack.organization()["org"]["slug"]
    client = registered_and_confirmed(local_stack, slug)
    username = str(client["username"])
    tokens = local_stack.login(username, "care_app")
    user = local_stack.cognito().admin_get_user(
        UserPoolId=local_stack.config["user_pool_id"], Username=username
    )
    account = {a["Name"]: a["Value"] for a in user["UserAttributes"]}["custom:account_id"]
    # Deactivate the account behind the API's back, as staff will (their route comes later).
    boto3.client(
        "dynamodb", endpoint_url=local_stack.config["aws_endpoint"], region_name="us-east-1"
    ).update_item(
        TableName="ClientsTable",
        Key={"org_id": {"S": slug}, "client_id": {"S": account}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "inactive"}},
    )
    assert "inactive" in refusal(local_stack, username, "care_app")

    refreshed = local_stack.cognito().initiate_auth(
        ClientId=local_stack.client_id("care_app"),
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    assert refreshed["AuthenticationResult"]["IdToken"]


def test_r9_confirmation_link_expires_on_the_local_clock(local_stack: RunningStack) -> None:
    slug = local_stack.organization()["org"]["slug"]
    answer, body = local_stack.register(slug)
    assert answer.status == 202, answer.text
    token = local_stack.link_token(body["email"])

    moved = local_stack.call("POST", "/_local/clock", {"advance_seconds": 25 * HOURS})
    assert moved.status == 200, moved.text
    expired = local_stack.confirm(token, username_for(body))
    assert expired.status == 410, expired.text
    assert expired.body["code"] == "link_expired"


def test_local_clock_refuses_to_go_back(local_stack: RunningStack) -> None:
    answer = local_stack.call("POST", "/_local/clock", {"advance_seconds": -60})
    assert answer.status == 422
    assert [e["field"] for e in answer.body["errors"]] == ["advance_seconds"]


def test_r19_local_cleanup_runs_the_scheduled_function(local_stack: RunningStack) -> None:
    answer = local_stack.call("POST", "/_local/cleanup")
    if scheduled_function() is None:
        assert answer.status == 501, answer.text
        assert answer.body["code"] == "not_implemented"
    else:
        assert answer.status == 200, answer.text


def test_mailbox_page_links_the_confirmation_and_escapes_content(
    local_stack: RunningStack,
) -> None:
    slug = local_stack.organization()["org"]["slug"]
    answer, body = local_stack.register(slug, first_name="<script>alert(1)</script>")
    assert answer.status == 202, answer.text
    token = local_stack.link_token(body["email"])

    for path, headers in [
        ("/_local/mailbox.html", {}),
        ("/_local/mailbox", {"Accept": "text/html,application/xhtml+xml"}),
    ]:
        page = local_stack.call("GET", path, headers=headers)
        assert page.status == 200
        assert page.headers["Content-Type"].startswith("text/html")
        assert f"token={token}" in page.text
        assert '<a href="' in page.text.split(f"token={token}")[0][-200:]
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_mailbox_items_are_oldest_first_with_addresses_and_times(
    local_stack: RunningStack,
) -> None:
    slug = local_stack.organization()["org"]["slug"]
    answer, body = local_stack.register(slug)
    assert answer.status == 202, answer.text
    local_stack.confirm(local_stack.link_token(body["email"]), username_for(body))

    mails = local_stack.mailbox(body["email"])
    assert [m["to"] for m in mails] == [[body["email"]], [body["email"]]]
    assert "confirm" in mails[0]["subject"].lower()
    assert all(m["text"] and m["html"] and m["sent_at"].endswith("Z") for m in mails)
    assert mails[0]["sent_at"] <= mails[1]["sent_at"]


def test_local_orgs_names_the_bad_field_and_refuses_a_taken_slug(
    local_stack: RunningStack,
) -> None:
    created = local_stack.organization()
    bad = local_stack.call(
        "POST", "/_local/orgs", {**_org_body("Not A Slug"), "kind": "organization"}
    )
    assert bad.status == 422, bad.text
    assert [e["field"] for e in bad.body["errors"]] == ["slug"]

    taken = local_stack.call("POST", "/_local/orgs", _org_body(created["org"]["slug"]))
    assert taken.status == 409, taken.text
    assert taken.body["code"] == "slug_taken"

    missing = local_stack.call("POST", "/_local/orgs", {"slug": "x"})
    assert missing.status == 422
    assert {"name", "kind", "admin"} <= {e["field"] for e in missing.body["errors"]}


def _org_body(slug: str) -> dict[str, object]:
    return {
        "slug": slug,
        "name": "Other",
        "kind": "organization",
        "departments": ["One"],
        "admin": {
            "username": f"other-{slug.replace(' ', '')}"[:40],
            "password": "Correct-horse-42",
            "email": "other@practice.example",
            "first_name": "Oz",
            "last_name": "Other",
        },
    }


def test_unknown_route_answers_404_json(local_stack: RunningStack) -> None:
    for method, path in [("GET", "/no/such/route"), ("TRACE", "/no/such/route")]:
        answer = local_stack.call(method, path)
        assert answer.status == 404
        assert answer.headers["Content-Type"] == "application/json"
        assert set(answer.body) >= {"message", "code"}


def test_a_method_a_route_lacks_answers_405_with_allow(local_stack: RunningStack) -> None:
    for method, path, allow in [
        ("DELETE", "/public/orgs/x", "GET"),
        ("TRACE", "/clients/abc", "DELETE, GET, PATCH"),
    ]:
        answer = local_stack.call(method, path)
        assert answer.status == 405, (method, path)
        assert answer.headers["Allow"] == allow
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.body["code"] == "method_not_allowed"


def test_demo_seeds_a_practice_logs_hold_no_personal_data_ctrl_c_stops() -> None:
    process, output, api, _ = start_stack("--demo")
    try:
        stack = RunningStack(process, output, api, wait_until_ready(process, output, api))
        demo = stack.call("GET", "/public/orgs/demo")
        assert demo.status == 200, demo.text
        assert len(demo.body["practitioners"]) == 1
        assert len(demo.body["practitioners"][0]["departments"]) == 2
        for username in ("demo-admin", "demo-practitioner"):
            assert stack.login(username, "portal", DEMO_PASSWORD)["IdToken"]

        slug = stack.organization()["org"]["slug"]
        answer, body = stack.register(slug, first_name="Quillon", last_name="Zebedee")
        assert answer.status == 202, answer.text
        token = stack.link_token(body["email"])
        assert stack.confirm(token, username_for(body)).status == 200
        id_token = stack.login(username_for(body), "care_app")["IdToken"]

        assert stop(process, signal.SIGINT) == 0
        text = output.read_text()
        assert "Local stack ready in" in text
        assert "Local stack stopped." in text
        assert "Traceback" not in text
        for personal in ("Quillon", "Zebedee", body["email"], username_for(body), token):
            assert personal not in text
        assert PASSWORD not in text
        assert id_token[:40] not in text
    finally:
        stop(process)
        output.unlink(missing_ok=True)
