"""A dependency fails at each step of each write use case; the caller retries. Whatever step
failed, the end state is whole: every login has its account and every account with
credentials has its login, the emails sent are exactly the ones the changes cause (none lost,
none for a change that did not happen, none twice) (R22)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body
from tests.support.stack import Stack

SERVICES = ("dynamodb", "cognito-idp")


@contextmanager
def failing_call(monkeypatch: pytest.MonkeyPatch, fail_at: int | None) -> Iterator[list[str]]:
    """Fail the `fail_at`-th DynamoDB/Cognito call (1-based) as the service would; records
    every call made."""
    calls: list[str] = []
    original = BaseClient._make_api_call

    def maybe_fail(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        if service in SERVICES:
            calls.append(f"{service}.{operation}")
            if len(calls) == fail_at:
                raise ClientError(
                    {"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, operation
                )
        return original(self, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", maybe_fail)
        yield calls


def assert_whole(stack: Stack) -> None:
    """Logins and accounts agree both ways."""
    cognito = stack.client("cognito-idp")
    logins = {
        u["Username"]: {a["Name"]: a["Value"] for a in u["Attributes"]}
        for u in cognito.list_users(UserPoolId=stack.provisioned.user_pool_id)["Users"]
    }
    dynamodb = stack.client("dynamodb")
    accounts = {}
    for table in ("ClientsTable", "StaffTable"):
        for item in dynamodb.scan(TableName=table)["Items"]:
            if "username" in item:
                accounts[item["username"]["S"]] = item
    assert set(logins) == set(accounts), set(logins) ^ set(accounts)
    for username, attributes in logins.items():
        key = "client_id" if attributes["custom:account_kind"] == "client" else "staff_id"
        assert accounts[username][key]["S"] == attributes["custom:account_id"]


Scenario = Callable[[Stack, Any], Callable[[], Any]]


def _register(stack: Stack, org: Any) -> Callable[[], Any]:
    body = registration_body()
    return lambda: stack.register(org.org["slug"], **body)


def _accept(stack: Stack, org: Any) -> Callable[[], Any]:
    body = new_client_body()
    stack.as_admin(org).call("POST", "/clients", body)
    token = stack.link_token(body["email"])
    request = {"token": token, "username": f"u{body['last_name'][-8:]}", "password": PASSWORD}
    return lambda: call_api("POST", "/public/invitations/accept", request)


def _confirmed_client(stack: Stack, org: Any) -> Any:
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    return stack.client_by_email(org.org["slug"], body["email"])


def _deactivate(stack: Stack, org: Any) -> Callable[[], Any]:
    client = _confirmed_client(stack, org)
    return lambda: stack.as_admin(org).call(
        "PATCH", f"/clients/{client.client_id}", {"active": False}
    )


def _delete(stack: Stack, org: Any) -> Callable[[], Any]:
    client = _confirmed_client(stack, org)
    return lambda: stack.as_admin(org).call("DELETE", f"/clients/{client.client_id}")


def _create(stack: Stack, org: Any) -> Callable[[], Any]:
    body = new_client_body()
    return lambda: stack.as_admin(org).call("POST", "/clients", body)


SCENARIOS: dict[str, Scenario] = {
    "register": _register,
    "accept_invitation": _accept,
    "deactivate_client": _deactivate,
    "delete_client": _delete,
    "create_client": _create,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_r22_fault_at_each_step_then_retry_leaves_a_whole_state(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    org = stack.organization()
    request = SCENARIOS[name](stack, org)
    stack.deliver_emails()
    with failing_call(monkeypatch, None) as clean_calls:
        request()  # dry run on a twin, to learn how many calls a success makes
    steps = len(clean_calls)
    assert steps > 0
    for fail_at in range(1, steps + 1):
        request = SCENARIOS[name](stack, org)
        stack.deliver_emails()
        before = len(stack.mailbox())
        with failing_call(monkeypatch, fail_at) as calls:
            first = request()
        assert first.status < 500 or first.status == 503, (fail_at, calls, first.body)
        retry = request()
        assert retry.status < 300, (name, fail_at, calls, retry.body)
        assert_whole(stack)
        sent = stack.mailbox()[before:]
        expected = {"register": 1, "accept_invitation": 1, "create_client": 1}.get(name, 0)
        assert len(sent) == expected, (name, fail_at, [m["subject"] for m in sent])
