"""The local stack as a child process on free ports, and plain HTTP to it: what the e2e tests
and the load benchmark (`bench.local_stack_load`) share, so there is one way to start it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .template import ROOT

START_TIMEOUT = 60.0  # seconds; start-up takes a few
STOP_TIMEOUT = 15.0


class StackDidNotStart(Exception):
    """The child exited or never answered; the message carries its output."""


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
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> HttpAnswer:
    """One JSON request; an HTTP error status is an answer, not an exception."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - 127.0.0.1
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            status, raw, got = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    text = raw.decode()
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return HttpAnswer(status, parsed, text, got)


# What the caller's shell may set that would change the stack under test.
NOT_INHERITED = ("AWS_ENDPOINT_URL", "PORTAL_ORIGIN", "PORTAL_BASE_URL")


def start_stack(
    *extra: str, environment: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], Path, str, str]:
    """`python -m infra.local_stack` on two free ports, with `environment` added to this
    process's (e.g. PORTAL_ORIGIN). Returns the process, the file its output goes to, the API
    URL and the AWS endpoint URL; it may not answer yet."""
    api_port, aws_port = free_port(), free_port()
    output = Path(tempfile.mkstemp(prefix="local-stack-", suffix=".log")[1])
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(environment or {})
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
    """GET /_local/config until it answers; raise StackDidNotStart with the stack's output
    otherwise (stopping it if it still runs)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackDidNotStart(
                f"the local stack exited ({process.returncode}):\n{output.read_text()}"
            )
        try:
            with urllib.request.urlopen(api + "/_local/config", timeout=2) as answer:  # noqa: S310
                config: dict[str, str] = json.loads(answer.read())
                return config
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise StackDidNotStart(
        f"the local stack did not answer in {START_TIMEOUT:.0f} s:\n{output.read_text()}"
    )


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> int:
    """Ask the stack to stop (it shuts down on SIGINT/SIGTERM); kill it if it does not."""
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
    return process.returncode


def local_organization_body(
    slug: str,
    password: str,
    *,
    name: str = "Practice",
    departments: list[str] | None = None,
    kind: str = "organization",
    manual_approval: bool = False,
) -> dict[str, Any]:
    """The body of `POST /_local/orgs`: an organization and its first admin, `admin-<slug>`
    at `admin@<slug>.example` (the e2e and browser suites, the fuzzer and the benchmark)."""
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "manual_approval": manual_approval,
        "departments": ["North", "South"] if departments is None else departments,
        "admin": {
            "username": f"admin-{slug}",
            "password": password,
            "email": f"admin@{slug}.example",
            "first_name": "Ada",
            "last_name": "Admin",
        },
    }


def password_login(cognito: Any, client_id: str, username: str, password: str) -> dict[str, Any]:
    """USER_PASSWORD_AUTH against the local Cognito endpoint, as the portal or the Care App
    signs in; the tokens (AuthenticationResult). Raises botocore's ClientError when refused."""
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result
