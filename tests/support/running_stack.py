"""The local stack as a child process (`infra.local_stack_process`), and a person acting on it:
HTTP to the API, boto3 to its Cognito endpoint. The e2e tests' `local_stack` fixture and the
browser tests (`tests.support.browser`) share it."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import local_stack_process
from infra.local_stack_process import (
    HttpAnswer,
    StackDidNotStart,
    http,
    local_organization_body,
    password_login,
    start_stack,
    stop,
)
from tests.support.request_bodies import (
    PASSWORD,
    confirmation_body,
    registration_body,
    username_for,
)


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    output: Path
    api: str
    config: dict[str, str]

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> HttpAnswer:
        return http(method, self.api + path, body, **kwargs)

    def cognito(self) -> Any:
        return boto3.client(
            "cognito-idp", endpoint_url=self.config["aws_endpoint"], region_name="us-east-1"
        )

    def client_id(self, app: str) -> str:
        return self.config["portal_client_id" if app == "portal" else "app_client_id"]

    def login(self, username: str, app: str, password: str = PASSWORD) -> dict[str, Any]:
        """USER_PASSWORD_AUTH as the portal or the Care App does it; raises ClientError."""
        return password_login(self.cognito(), self.client_id(app), username, password)

    # --- set-up and email -----------------------------------------------------------
    def organization(self, **overrides: Any) -> dict[str, Any]:
        slug = f"practice-{uuid.uuid4().hex[:8]}"
        body = {**local_organization_body(slug, PASSWORD), **overrides}
        answer = self.call("POST", "/_local/orgs", body)
        assert answer.status == 201, answer.text
        created: dict[str, Any] = answer.body
        return created

    def register(self, slug: str, **overrides: Any) -> tuple[HttpAnswer, dict[str, Any]]:
        body = registration_body(**overrides)
        return self.call("POST", f"/public/orgs/{slug}/registrations", body), body

    def mailbox(self, to: str) -> list[dict[str, Any]]:
        answer = self.call("GET", "/_local/mailbox")
        assert answer.status == 200, answer.text
        return [m for m in answer.body["items"] if to in m["to"]]

    def link_token(self, to: str) -> str:
        """The token of the newest link emailed to this address."""
        for message in reversed(self.mailbox(to)):
            found = re.search(r"[?&]token=([A-Za-z0-9_\-]+)", message["text"])
            if found:
                return found.group(1)
        raise AssertionError("no link was emailed to this address")

    def confirm(self, token: str, username: str, password: str = PASSWORD) -> HttpAnswer:
        """Open a confirmation link and choose username and password there (R9)."""
        return self.call(
            "POST", "/public/email-confirmations", confirmation_body(token, username, password)
        )


def registered_and_confirmed(stack: RunningStack, slug: str) -> dict[str, object]:
    """A registration, confirmed with `username_for` it; its body, username and status."""
    answer, body = stack.register(slug)
    assert answer.status == 202, answer.text
    username = username_for(body)
    confirmed = stack.confirm(stack.link_token(str(body["email"])), username)
    assert confirmed.status == 200, confirmed.text
    return {**body, "username": username, "status": confirmed.body["status"]}


def wait_until_ready(process: subprocess.Popen[bytes], output: Path, api: str) -> dict[str, str]:
    """The stack's config once it answers; the test fails with the stack's output otherwise."""
    try:
        return local_stack_process.wait_until_ready(process, output, api)
    except StackDidNotStart as exc:
        pytest.fail(str(exc))


@contextmanager
def running_stack(*extra: str, environment: dict[str, str] | None = None) -> Iterator[RunningStack]:
    """`make run` on free ports for the duration of the block, e.g.
    `running_stack(environment={"PORTAL_ORIGIN": site.origin})`; `extra` are its arguments
    (`--demo`, `--parameter-overrides ...`). The test fails with the stack's output if it
    does not start."""
    process, output, api, _ = start_stack(*extra, environment=environment)
    try:
        yield RunningStack(process, output, api, wait_until_ready(process, output, api))
    finally:
        stop(process)
        output.unlink(missing_ok=True)
