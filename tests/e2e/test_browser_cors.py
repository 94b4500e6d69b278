"""A portal in a real browser (headless Chromium) against `make run`: pages served from the
origin the stack allows (PORTAL_ORIGIN) log in against the local Cognito endpoint and call the
API with the ID token; a page from any other origin cannot read the API's answers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.support.browser import OTHER_HOST, StaticSite, chromium, open_page, static_site
from tests.support.request_bodies import PASSWORD, new_client_body
from tests.support.running_stack import RunningStack, registered_and_confirmed, running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PAGES = Path(__file__).parent / "pages" / "portal"


@pytest.fixture(scope="module")
def portal() -> Iterator[StaticSite]:
    with static_site(PAGES) as site:
        yield site


@pytest.fixture(scope="module")
def stack(portal: StaticSite) -> Iterator[RunningStack]:
    with running_stack(environment={"PORTAL_ORIGIN": portal.origin}) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def admin_of(stack: RunningStack) -> str:
    org = stack.organization()
    return f"admin-{org['org']['slug']}"


def test_the_stack_allows_the_origin_it_was_given(stack: RunningStack, portal: StaticSite) -> None:
    assert stack.config["portal_origin"] == portal.origin


def test_a_portal_page_logs_in_and_creates_a_client(
    stack: RunningStack, portal: StaticSite, browser: Browser
) -> None:
    admin = admin_of(stack)
    page = open_page(browser, portal.url("index.html"))
    body = new_client_body()
    result = page.evaluate(
        "(args) => logInAndCall(args)",
        {
            "api": stack.api,
            "username": admin,
            "password": PASSWORD,
            "method": "POST",
            "path": "/clients",
            "body": body,
            "idempotencyKey": str(uuid.uuid4()),
        },
    )
    assert result.get("step") == "api", (result, page.console)
    assert result["status"] == 201, result
    created_id = result["body"]["id"]
    # The client the page created is there, as the admin sees it outside the browser.
    tokens = stack.login(admin, "portal")
    listed = stack.call("GET", "/clients", headers={"Authorization": f"Bearer {tokens['IdToken']}"})
    assert listed.status == 200, listed.text
    assert created_id in {c["id"] for c in listed.body["items"]}


def test_refusals_reach_the_page_as_answers_not_network_errors(
    stack: RunningStack, portal: StaticSite, browser: Browser
) -> None:
    slug = stack.organization(manual_approval=True)["org"]["slug"]
    pending = str(registered_and_confirmed(stack, slug)["username"])
    page = open_page(browser, portal.url("index.html"))
    config = page.evaluate("(api) => localConfig(api)", stack.api)["body"]

    def login(client_id: str, password: str) -> dict[str, Any]:
        answer: dict[str, Any] = page.evaluate(
            "(args) => initiateAuth(args)",
            {
                "endpoint": config["aws_endpoint"],
                "clientId": client_id,
                "username": pending,
                "password": password,
            },
        )
        return answer

    wrong = login(config["portal_client_id"], "Not-the-password-1")
    assert wrong.get("status") == 400 and wrong["body"]["__type"] == "NotAuthorizedException"
    # The pre-authentication trigger's refusal: a pending client is not in the Care App (R13).
    gated = login(config["app_client_id"], PASSWORD)
    assert gated.get("status") == 400, gated
    assert gated["body"]["__type"] == "NotAuthorizedException"
    assert "pending approval" in gated["body"]["message"]
    # API Gateway's own 401 (no token) and 404 carry the origin too.
    for path in ("/clients", "/no-such-route"):
        answer = page.evaluate(
            "(args) => callApi(args)", {"api": stack.api, "method": "GET", "path": path}
        )
        assert answer.get("status") in (401, 404), answer


def test_a_page_from_another_origin_cannot_read_or_write(
    stack: RunningStack, browser: Browser
) -> None:
    admin = admin_of(stack)
    tokens = stack.login(admin, "portal")
    with static_site(PAGES, host=OTHER_HOST) as elsewhere:
        page = open_page(browser, elsewhere.url("index.html"))
        posted = page.evaluate(
            "(args) => callApi(args)",
            {
                "api": stack.api,
                "method": "POST",
                "path": "/clients",
                "idToken": tokens["IdToken"],
                "body": new_client_body(),
                "idempotencyKey": str(uuid.uuid4()),
            },
        )
        read = page.evaluate(
            "(args) => callApi(args)",
            {"api": stack.api, "method": "GET", "path": "/clients", "idToken": tokens["IdToken"]},
        )
    assert "Failed to fetch" in posted.get("error", ""), posted
    assert "Failed to fetch" in read.get("error", ""), read
    # The preflight stopped the POST before it was sent: nothing was created.
    listed = stack.call("GET", "/clients", headers={"Authorization": f"Bearer {tokens['IdToken']}"})
    assert listed.status == 200 and listed.body["items"] == [], listed.text
