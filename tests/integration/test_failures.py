"""Failure paths: a dependency fails at each step and nothing is lost or left half-made (R22)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest
from moto.cognitoidp.models import CognitoIdpBackend
from moto.dynamodb.models import DynamoDBBackend
from moto.ses.models import SESBackend
from moto.ssm.models import SimpleSystemManagerBackend

from clientaccounts.auth import Caller as AuthCaller
from clientaccounts.clients import (
    approve_pending_client,
    create_client,
    update_client,
)
from clientaccounts.errors import Conflict
from clientaccounts.registration import register_client
from clientaccounts.schemas import CreateClientRequest, RegistrationRequest, UpdateClientRequest
from infra.cognito_login import TriggerRefused
from tests.support.concurrency import run_concurrently
from tests.support.faults import AwsOutage, Outages
from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, registration_body, username_for
from tests.support.stack import Stack


def _confirmation_outbox_items(stack: Stack) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").scan(TableName="OutboxTable")["Items"]
    return [i for i in items if i["template"]["S"] == "email_confirmation"]


def test_r22_ses_down_keeps_the_email_queued_and_sends_it_when_ses_recovers(
    stack: Stack, outages: Outages
) -> None:
    org = stack.organization()
    body = registration_body()
    # two deliveries fail (botocore tries each call twice), the third goes through
    outages.fail(SESBackend, "send_raw_email", times=4)
    assert stack.register(org.org["slug"], **body).status == 202
    assert stack.mailbox(body["email"]) == []  # first attempt failed
    (queued,) = _confirmation_outbox_items(stack)
    assert queued["status"]["S"] == "queued" and queued["attempts"]["N"] == "1"
    assert stack.client_by_email(org.org["slug"], body["email"]) is not None  # account stands
    stack.deliver_emails()  # the event source retries: second delivery fails, third succeeds
    (sent,) = stack.mailbox(body["email"])
    assert sent["subject"].startswith("Confirm your email")
    (item,) = _confirmation_outbox_items(stack)
    assert item["status"]["S"] == "sent" and "params" not in item  # token no longer at rest


def test_r22_email_that_keeps_failing_is_parked_not_dropped(stack: Stack, outages: Outages) -> None:
    org = stack.organization()
    body = registration_body()
    outages.fail(SESBackend, "send_raw_email")
    stack.register(org.org["slug"], **body)
    for _ in range(10):
        stack.deliver_emails()
    assert len(stack.pump.parked) == 1  # what the dead-letter queue receives
    (item,) = _confirmation_outbox_items(stack)
    assert item["status"]["S"] == "queued"
    assert int(item["attempts"]["N"]) == stack.pump.max_retries + 1
    assert item["last_error"]["S"] == "ServiceUnavailable"


def test_r22_redelivered_stream_record_does_not_send_twice(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    assert len(stack.mailbox(body["email"])) == 1
    stack.pump._positions.clear()  # the event source replays the shard from the start
    stack.deliver_emails()
    assert len(stack.mailbox(body["email"])) == 1


@pytest.mark.parametrize("operation", ["admin_create_user", "admin_set_user_password"])
def test_cognito_down_during_confirmation_changes_nothing_and_the_link_stays_usable(
    stack: Stack, outages: Outages, operation: str
) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    outages.fail(CognitoIdpBackend, operation)
    answer = stack.confirm_registration(body)
    assert answer.status == 503 and answer.body["code"] == "service_unavailable"
    assert not stack.has_login(username_for(body))
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and not client.email_confirmed
    # and the person can simply try again, with the same link
    outages.monkeypatch.undo()
    assert stack.confirm_registration(body).status == 200
    assert stack.login(username_for(body))["IdToken"]


def test_dynamodb_down_after_login_created_removes_that_login(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    original = DynamoDBBackend.transact_write_items

    def confirmation_fails(self: Any, transact_items: list[Any], **kwargs: Any) -> Any:
        if len(transact_items) > 1:  # the claim of the link, and its release, are one item
            raise AwsOutage()
        return original(self, transact_items, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", confirmation_fails)
    answer = stack.confirm_registration(body)
    assert answer.status == 503
    assert not stack.has_login(username_for(body))
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and not client.email_confirmed
    assert [m["subject"][:7] for m in stack.mailbox(body["email"])] == ["Confirm"]
    monkeypatch.undo()
    assert stack.confirm_registration(body).status == 200  # the claim was released


@pytest.mark.parametrize("racers", [2, 50])
def test_registrations_racing_with_one_email_make_one_account(stack: Stack, racers: int) -> None:
    org = stack.organization()
    email = "same.person@mail.example"
    bodies = [RegistrationRequest.parse(registration_body(email=email)) for _ in range(racers)]
    results = run_concurrently([partial(register_client, org.org["slug"], b) for b in bodies])
    assert results == [None] * racers  # every caller gets the same 202
    assert stack.count_items("ClientsTable") == 1
    subjects = [m["subject"] for m in stack.mailbox(email)]
    assert len([s for s in subjects if s.startswith("Confirm your email")]) == 1


def _confirmed_client(stack: Stack) -> dict[str, Any]:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    return body


def test_r13_database_failure_refuses_login(stack: Stack, outages: Outages) -> None:
    body = _confirmed_client(stack)
    outages.fail(DynamoDBBackend, "get_item")
    with pytest.raises(TriggerRefused) as refused:
        stack.login(username_for(body), app="portal")
    assert "PreAuthentication failed with error" in str(refused.value)


def test_r13_unreadable_app_client_parameter_refuses_login(stack: Stack, outages: Outages) -> None:
    body = _confirmed_client(stack)
    outages.fail(SimpleSystemManagerBackend, "get_parameter")
    with pytest.raises(TriggerRefused):
        stack.login(username_for(body), app="care_app")


def test_r13_unknown_app_client_is_refused(stack: Stack) -> None:
    body = _confirmed_client(stack)
    cognito = stack.client("cognito-idp")
    other = cognito.create_user_pool_client(
        UserPoolId=stack.provisioned.user_pool_id, ClientName="stranger"
    )["UserPoolClient"]["ClientId"]
    from clientaccounts.login_gate import pre_authentication_refusal

    assert pre_authentication_refusal(other, username_for(body), {}) is not None
    stack.provisioned.portal_client_id = other
    with pytest.raises(TriggerRefused):
        stack.login(username_for(body), app="portal")


def test_r13_inactive_staff_refused_everywhere_active_staff_let_in(stack: Stack) -> None:
    org = stack.organization()
    username = f"admin{org.org['slug'].split('-')[1]}"
    assert stack.login(username, app="portal")["IdToken"]
    assert stack.login(username, app="care_app")["IdToken"]
    from clientaccounts.persistence import store
    from clientaccounts.persistence.models import Staff

    admin = store.get_staff(org.org["slug"], org.admin_id)
    assert admin is not None
    admin.update(actions=[Staff.active.set(False)])
    for app in ("portal", "care_app"):
        with pytest.raises(TriggerRefused) as refused:
            stack.login(username, app=app)
        assert "inactive" in str(refused.value)


def test_r13_inactive_client_refused_in_both_apps(stack: Stack) -> None:
    body = _confirmed_client(stack)
    from clientaccounts.persistence.models import Client, Organization

    org_slug = next(iter(Organization.scan())).org_id  # the only organization
    client = stack.client_by_email(org_slug, body["email"])
    assert client is not None
    client.update(actions=[Client.status.set("inactive")])
    for app in ("portal", "care_app"):
        with pytest.raises(TriggerRefused) as refused:
            stack.login(username_for(body), app=app)
        assert "inactive" in str(refused.value)


def test_r13_pending_client_enters_portal_not_care_app(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    assert stack.login(username_for(body), app="portal")["IdToken"]
    with pytest.raises(TriggerRefused) as refused:
        stack.login(username_for(body), app="care_app")
    assert "pending approval" in str(refused.value)


def test_r13_login_whose_account_is_gone_is_refused(stack: Stack) -> None:
    body = _confirmed_client(stack)
    stack.client("dynamodb").delete_table(TableName="ClientsTable")
    with pytest.raises(TriggerRefused):
        stack.login(username_for(body), app="portal")


BAD_BODIES = [
    ("{not json", "body"),
    ("[]", "body"),
    ('{"first_name": 5}', "first_name"),
    ("unknown_field", "nickname"),
    ("impossible_dob", "dob"),
    ("future_dob", "dob"),
    ("numeric_dob", "dob"),
    ("huge_name", "last_name"),
    ("bad_email", "email"),
    ("password_in_registration", "password"),  # R5: chosen on the confirmation link
    ("missing_practitioner_key", "practitioner_id"),
]


@pytest.mark.parametrize(("case", "field"), BAD_BODIES)
def test_bad_registration_input_is_422_naming_the_field(
    stack: Stack, case: str, field: str
) -> None:
    org = stack.organization()
    body = registration_body()
    raw = None
    if case.startswith(("{", "[")):
        raw = case
    elif case == "unknown_field":
        body["nickname"] = "Rob"
    elif case == "impossible_dob":
        body["dob"] = "2023-02-30"
    elif case == "future_dob":
        body["dob"] = "2999-01-01"
    elif case == "numeric_dob":
        body["dob"] = 19900430
    elif case == "huge_name":
        body["last_name"] = "x" * 100_000
    elif case == "bad_email":
        body["email"] = "not-an-email"
    elif case == "password_in_registration":
        body["password"] = PASSWORD
    elif case == "missing_practitioner_key":
        del body["practitioner_id"]
    kwargs = {"raw_body": raw} if raw is not None else {}
    answer = call_api("POST", f"/public/orgs/{org.org['slug']}/registrations", body, **kwargs)
    assert answer.status == 422, answer.body
    assert answer.body["code"] == "validation_failed"
    assert field in [e["field"] for e in answer.body["errors"]]
    assert "x" * 1000 not in str(answer.body)  # input is not echoed
    assert stack.count_items("ClientsTable") == 0


@pytest.mark.parametrize(
    "raw", ["{bad", '{"token": 5}', '{"token": "t", "extra": 1}', '{"token": ""}', "null"]
)
def test_bad_confirmation_input_is_4xx_json(stack: Stack, raw: str) -> None:
    answer = call_api("POST", "/public/email-confirmations", raw_body=raw)
    assert 400 <= answer.status < 500
    assert {"message", "code"} <= set(answer.body)


@pytest.mark.parametrize(
    "content_type", [None, "application/x-www-form-urlencoded", "text/plain", "application/json"]
)
def test_any_content_type_is_read_as_json_and_input_is_never_echoed(
    stack: Stack, content_type: str | None
) -> None:
    secret = "Secret-Password-42"
    headers = {"Content-Type": content_type} if content_type else {}
    answer = call_api(
        "POST",
        "/public/email-confirmations",
        raw_body=f'{{"token": "t", "username": "u1x", "password": "{PASSWORD}", "{secret}": 1}}',
        headers=headers,
    )
    assert answer.status == 422
    assert answer.body["errors"] == [{"field": "body", "message": "Unknown field."}]
    assert secret not in json.dumps(answer.body)


def _staff_caller(stack: Stack, org: Any) -> AuthCaller:
    return AuthCaller("staff", org.org["slug"], org.admin_id, roles=frozenset({"org_admin"}))


def test_r1_two_creates_with_one_email_make_one_client(stack: Stack) -> None:
    org = stack.organization()
    caller = _staff_caller(stack, org)
    same = "twin@mail.example"
    requests = [
        CreateClientRequest.parse(
            {"first_name": "Ann", "last_name": "One", "email": same, "dob": "1980-01-01"}
        ),
        CreateClientRequest.parse(
            {"first_name": "Bea", "last_name": "Two", "email": same, "dob": "1981-01-01"}
        ),
    ]
    results = run_concurrently([partial(create_client, caller, r) for r in requests])
    created = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1 and len(refused) == 1, results
    assert refused[0].code == "email_taken"
    assert stack.count_items("ClientsTable") == 1


def test_r16_two_approvals_at_once_approve_once(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    caller = _staff_caller(stack, org)
    results = run_concurrently(
        [lambda: approve_pending_client(caller, client.client_id) for _ in range(2)]
    )
    assert sum(isinstance(r, dict) for r in results) == 1, results
    (refused,) = [r for r in results if isinstance(r, Conflict)]
    assert refused.code == "not_pending"
    get_started = [m for m in stack.mailbox(body["email"]) if "Get started" in m["subject"]]
    assert len(get_started) == 1  # on approval only: confirmation sent "awaiting approval"


def test_approve_and_deactivate_at_once_end_consistent(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    caller = _staff_caller(stack, org)
    results = run_concurrently(
        [
            lambda: approve_pending_client(caller, client.client_id),
            lambda: update_client(
                caller, client.client_id, UpdateClientRequest.parse({"active": False})
            ),
        ]
    )
    client.refresh()
    # Both read "pending"; each write requires it still, so exactly one wins.
    (winner,) = [r for r in results if isinstance(r, dict)]
    (loser,) = [r for r in results if isinstance(r, Conflict)]
    assert loser.code in {"not_pending", "concurrent_change"}
    assert client.status == winner["status"]
    assert client.status_key == f"{org.org['slug']}#{client.status}"


def _dynamodb_reads_fail_after_the_next_transaction(outages: Outages) -> None:
    """The next TransactWriteItems commits; every GetItem after it fails, as during an outage."""
    commit = DynamoDBBackend.transact_write_items

    def commit_then_fail_reads(*args: Any, **kwargs: Any) -> Any:
        result = commit(*args, **kwargs)
        outages.fail(DynamoDBBackend, "get_item")
        return result

    outages.monkeypatch.setattr(DynamoDBBackend, "transact_write_items", commit_then_fail_reads)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/org", {"name": "Practice renamed"}),
        ("PATCH", "/staff/{admin_id}", {"new_client_notifications": False}),
    ],
)
def test_a_dynamodb_failure_on_the_read_after_a_change_is_a_503(
    stack: Stack, outages: Outages, method: str, path: str, body: dict[str, Any]
) -> None:
    """The answer's re-read goes through the persistence package like every other DynamoDB
    call (it used to be a model's own `refresh`, outside the store's error mapping: a 500)."""
    org = stack.organization()
    admin = stack.as_admin(org)
    _dynamodb_reads_fail_after_the_next_transaction(outages)
    answer = admin.call(method, path.format(admin_id=org.admin_id), body)
    assert answer.status == 503, answer.body
    assert answer.body["code"] == "service_unavailable"
