"""The local stack as a subprocess on free ports, and helpers that act as a person would:
HTTP to the API, boto3 to the local Cognito endpoint."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.template import ROOT
from tests.request_bodies import PASSWORD, registration_body

START_TIMEOUT = 60.0  # seconds; start-up takes a few
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class HttpAnswer:
    status: int
    body: Any
    text: str
    headers: dict[str, str]


def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> HttpAnswer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - 127.0.0.1
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            status, raw, got = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    text = raw.decode()
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return HttpAnswer(status, parsed, text, got)


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
        answer = self.cognito().initiate_auth(
            ClientId=self.client_id(app),
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        result: dict[str, Any] = answer["AuthenticationResult"]
        return result

    # --- set-up and email -----------------------------------------------------------
    def organization(self, **overrides: Any) -> dict[str, Any]:
        slug = f"practice-{uuid.uuid4().hex[:8]}"
        body = {
            "slug": slug,
            "name": "Practice",
            "kind": "organization",
            "manual_approval": False,
            "departments": ["North", "South"],
            "admin": {
                "username": f"admin-{slug}",
                "password": PASSWORD,
                "email": f"admin@{slug}.example",
                "first_name": "Ada",
                "last_name": "Admin",
            },
        }
        body.update(overrides)
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

    def confirm(self, token: str) -> HttpAnswer:
        return self.call("POST", "/public/email-confirmations", {"token": token})


def registered_and_confirmed(stack: RunningStack, slug: str) -> dict[str, object]:
    answer, body = stack.register(slug)
    assert answer.status == 202, answer.text
    confirmed = stack.confirm(stack.link_token(str(body["email"])))
    assert confirmed.status == 200, confirmed.text
    return {**body, "status": confirmed.body["status"]}


def start_stack(*extra: str) -> tuple[subprocess.Popen[bytes], Path, str, str]:
    api_port, aws_port = free_port(), free_port()
    output = Path(tempfile.mkstemp(prefix="local-stack-", suffix=".log")[1])
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    with output.open("wb") as sink:  # a file, not a pipe: a full pipe would stall the stack
        ports = ["--api-port", str(api_port), "--aws-port", str(aws_port)]
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "infra.local_stack", *ports, *extra],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return process, output, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}"


def wait_until_ready(process: subprocess.Popen[bytes], output: Path, api: str) -> dict[str, str]:
    """GET /_local/config until it answers; fail with the stack's output otherwise."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the local stack exited ({process.returncode}):\n{output.read_text()}")
        try:
            with urllib.request.urlopen(api + "/_local/config", timeout=2) as answer:  # noqa: S310
                config: dict[str, str] = json.loads(answer.read())
                return config
        except OSError:
            time.sleep(0.2)
    stop(process)
    pytest.fail(f"the local stack did not answer in {START_TIMEOUT:.0f} s:\n{output.read_text()}")


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
    return process.returncode


@pytest.fixture(scope="session")
def local_stack() -> Iterator[RunningStack]:
    process, output, api, _ = start_stack()
    try:
        config = wait_until_ready(process, output, api)
        yield RunningStack(process, output, api, config)
    finally:
        stop(process)
        output.unlink(missing_ok=True)
