"""The reference portal in a real browser: the local stack serving `portal/` on its own
origin (`--portal-port`, as `make run` does), Debian's headless Chromium driven by Playwright
(never a browser download), and people who each have their own browser context.

Screenshots of the main screens go to .browser-artifacts/portal/ (ignored by git).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from infra.local_stack_process import HttpAnswer, free_port
from tests.support.browser import ARTIFACTS, chromium
from tests.support.request_bodies import PASSWORD, new_client_body, username_for
from tests.support.running_stack import RunningStack, running_stack

SCREENSHOTS = ARTIFACTS / "portal"
PHONE: ViewportSize = {"width": 375, "height": 800}
DESKTOP: ViewportSize = {"width": 1024, "height": 800}


@dataclass
class PortalStack:
    stack: RunningStack
    portal: str  # the portal's origin: PortalBaseUrl and PortalOrigin of this stack

    def organization(self) -> dict[str, Any]:
        """A new organization (POST /_local/orgs) with one department, and its admin's
        username."""
        slug = f"p{uuid.uuid4().hex[:8]}"
        admin = {
            "username": f"admin-{slug}",
            "password": PASSWORD,
            "email": f"admin@{slug}.example",
            "first_name": "Ada",
            "last_name": "Admin",
        }
        created = self.stack.organization(
            slug=slug, name="Sunrise Physio", departments=["North"], admin=admin
        )
        return {**created, "slug": slug, "admin_username": admin["username"]}

    # --- set-up over HTTP, where the story is elsewhere ---------------------------------
    def call(self, method: str, path: str, body: Any = None, token: str = "") -> HttpAnswer:
        headers = {"Authorization": token} if token else None
        return self.stack.call(method, path, body, headers=headers)

    def token(self, username: str, password: str = PASSWORD) -> str:
        return str(self.stack.login(username, "portal", password)["IdToken"])

    def practitioner(
        self, org: dict[str, Any], first: str = "Pat", last: str = "Practitioner"
    ) -> str:
        """An invited practitioner in the organization's first department; their id."""
        body = {
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}.{uuid.uuid4().hex[:6]}@{org['slug']}.example",
            "roles": ["practitioner"],
            "department_ids": [org["departments"][0]["id"]],
        }
        answer = self.call("POST", "/staff", body, self.token(org["admin_username"]))
        assert answer.status == 201, answer.text
        return str(answer.body["id"])

    def staff_with_login(
        self, org: dict[str, Any], first: str = "Casey", last: str = "Coordinator"
    ) -> dict[str, Any]:
        """A care coordinator the admin invited, who accepted with a username and password:
        id, email, username."""
        email = f"{first.lower()}.{uuid.uuid4().hex[:6]}@{org['slug']}.example"
        body = {
            "first_name": first,
            "last_name": last,
            "email": email,
            "roles": ["care_coordinator"],
            "department_ids": [org["departments"][0]["id"]],
        }
        invited = self.call("POST", "/staff", body, self.token(org["admin_username"]))
        assert invited.status == 201, invited.text
        token = self.link(email, "accept-invitation").split("token=")[1]
        username = f"{first.lower()}-{org['slug']}"
        accepted = self.call(
            "POST",
            "/public/invitations/accept",
            {"token": token, "username": username, "password": PASSWORD},
        )
        assert accepted.status == 200, accepted.text
        return {"id": str(invited.body["id"]), "email": email, "username": username}

    def client_with_login(self, org: dict[str, Any], practitioner_id: str) -> dict[str, Any]:
        """A client the office created for that practitioner, who accepted the invitation
        (no public email sent: R28's per-address limits stay for the story): email,
        username, id."""
        body = new_client_body(practitioners=[{"practitioner_id": practitioner_id}])
        created = self.call("POST", "/clients", body, self.token(org["admin_username"]))
        assert created.status == 201, created.text
        token = self.link(body["email"], "accept-invitation").split("token=")[1]
        username = username_for(body)
        accepted = self.call(
            "POST",
            "/public/invitations/accept",
            {"token": token, "username": username, "password": PASSWORD},
        )
        assert accepted.status == 200, accepted.text
        return {**body, "username": username, "id": created.body["id"]}

    def link(self, to: str, page: str) -> str:
        """The newest link to the portal's `page` emailed to `to` (GET /_local/mailbox)."""
        pattern = re.compile(rf"{re.escape(self.portal)}/[^/\s]+/{re.escape(page)}\S*")
        for message in reversed(self.stack.mailbox(to)):
            if found := pattern.search(message["text"]):
                return found.group(0)
        raise AssertionError(f"no {page} link was emailed to {to}")


@pytest.fixture(scope="module")
def portal_stack() -> Iterator[PortalStack]:
    """One stack for the module, serving the portal as `make run` does (its origin is the
    default PortalOrigin and PortalBaseUrl)."""
    port = free_port()
    with running_stack("--portal-port", str(port)) as stack:
        yield PortalStack(stack, f"http://localhost:{port}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


class Person:
    """Someone with their own browser (context: their own session storage) on the portal."""

    def __init__(self, browser: Browser, stack: PortalStack, slug: str, *, phone: bool = False):
        self.stack = stack
        self.slug = slug
        viewport = PHONE if phone else DESKTOP
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(10_000)
        self.page: Page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def open(self, path_or_url: str) -> Page:
        url = path_or_url
        if "://" not in url:
            url = f"{self.stack.portal}/{self.slug}/{path_or_url}"
        self.page.goto(url)
        self.page.locator("h1[tabindex]").wait_for()  # the page rendered its heading
        return self.page

    def heading(self, name: str) -> None:
        self.page.get_by_role("heading", level=1, name=name).wait_for()

    def fill(self, **fields: str) -> None:
        """Fill fields by their label (First_name: "First name", "First name (required)")."""
        for label, value in fields.items():
            name = re.escape(label.replace("_", " "))
            self.page.get_by_label(re.compile(rf"^{name}( \(required\))?$")).fill(value)

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def alert(self) -> str:
        """The text of the page's message (an error as the API worded it, or a success)."""
        alert = self.page.locator(".alert")
        alert.wait_for()
        return alert.inner_text()

    def sign_in(self, username: str, password: str = PASSWORD, *, page: str = "login") -> None:
        self.open(page)
        self.fill(Username=username, Password=password)
        self.page.locator("form button[type=submit]").first.click()

    def screenshot(self, name: str) -> Path:
        """A screenshot of the screen (full page), after checking what a person relies on:
        every control is labelled, no "null" or "[object ...]" stands for words, and nothing is
        wider than the window."""
        assert self.page.evaluate(UNLABELLED) == [], "controls without a label"
        text = self.page.locator("main").inner_text()
        assert not re.search(r"\bnull\b|\bundefined\b|\[object ", text), "a value, not words"
        width = self.page.viewport_size["width"] if self.page.viewport_size else 0
        assert self.page.evaluate("document.documentElement.scrollWidth") <= width
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        errors = [line for line in self.console if line.startswith("pageerror")]
        self.context.close()
        assert not errors, errors


# Visible inputs and selects without an accessible label (label element or aria-label).
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select')]
  .filter((el) => el.offsetParent !== null && el.labels.length === 0)
  .filter((el) => !el.getAttribute('aria-label'))
  .map((el) => el.name)"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def people(
    request: pytest.FixtureRequest, browser: Browser, portal_stack: PortalStack
) -> Iterator[Any]:
    """`people(slug, phone=False)` opens a new person; all are closed after the test. When
    the test fails, each person's last screen and console are kept."""
    opened: list[Person] = []

    def person(slug: str, *, phone: bool = False) -> Person:
        opened.append(Person(browser, portal_stack, slug, phone=phone))
        return opened[-1]

    yield person
    if request.node.stash.get(FAILED, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, p in enumerate(opened):
            shot = SCREENSHOTS / f"failed-{request.node.name}-{i}.png"
            p.page.screenshot(path=str(shot), full_page=True)
            print(f"person {i} at {p.page.url}: {shot}", *p.console, sep="\n  ")
    for p in opened:
        p.close()
