"""Schemathesis (`st run`) against the local stack: docs/openapi.json is the contract an
outside fuzzer checks the server against (README, "Tests").

Starts the stack on free ports, bootstraps an organization through `POST /_local/orgs`,
signs its org admin in at the local Cognito endpoint, and runs `st` twice: without a token,
and with the admin's ID token in `Authorization`. Every check Schemathesis has (`--checks
all`) but the ones docs/decisions.md excludes, and why ("Schemathesis checks").

    python -m infra.fuzz --max-examples 20 --seed 1   # bounded, as `make test` runs it
    python -m infra.fuzz --max-examples 500           # `make fuzz`: a fresh seed each time

Exit status 0 only when both runs pass. Schemathesis lives in its own virtual environment
(.tools/schemathesis, `make` installs it): it pins its own Hypothesis.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3

from .local_stack_process import http, password_login, start_stack, stop, wait_until_ready
from .template import ROOT

ST = ROOT / ".tools" / "schemathesis" / "bin" / "st"
DOCUMENT = ROOT / "docs" / "openapi.json"
CONFIG = ROOT / "infra" / "schemathesis.toml"
PASSWORD = "Fuzz-password-42"  # noqa: S105 - the local stack's own test admin
# Checks that do not apply, each with its reason in docs/decisions.md ("Schemathesis checks").
EXCLUDED_CHECKS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    name: str
    returncode: int
    output: str


def _admin_token(api: str, aws: str, config: dict[str, str]) -> str:
    """A fresh organization's org admin, signed in on the portal's app client."""
    slug = f"fuzz-{uuid.uuid4().hex[:8]}"
    answer = http(
        "POST",
        api + "/_local/orgs",
        {
            "slug": slug,
            "name": "Fuzz Practice",
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
        },
    )
    if answer.status != 201:
        raise RuntimeError(f"POST /_local/orgs answered {answer.status}: {answer.text}")
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=aws,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local endpoint checks none
    )
    tokens = password_login(cognito, config["portal_client_id"], f"admin-{slug}", PASSWORD)
    return str(tokens["IdToken"])


def st_command(api: str, max_examples: int, seed: int | None, token: str | None) -> list[str]:
    command = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        str(DOCUMENT),
        "--url",
        api,
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
        "--request-timeout",
        "30",
    ]
    if EXCLUDED_CHECKS:
        command += ["--exclude-checks", ",".join(EXCLUDED_CHECKS)]
    if seed is not None:
        command += ["--seed", str(seed)]
    if token is not None:
        command += ["--header", f"Authorization: {token}"]
    return command


def run(max_examples: int, seed: int | None, timeout: float | None = None) -> list[Run]:
    """Both runs against one fresh local stack; their exit codes and outputs."""
    process, output, api, aws = start_stack()
    try:
        config = wait_until_ready(process, output, api)
        token = _admin_token(api, aws, config)
        env = {
            **os.environ,
            "NO_COLOR": "1",
            "PYTHONPATH": str(ROOT),
            "SCHEMATHESIS_HOOKS": "infra.schemathesis_hooks",
        }
        runs = []
        for name, auth in (("unauthenticated", None), ("org admin", token)):
            # In a fresh directory: Schemathesis keeps the failures it found in
            # ./.schemathesis and replays them first, so a run would depend on the last one.
            with tempfile.TemporaryDirectory(prefix="schemathesis-") as workdir:
                done = subprocess.run(  # noqa: S603 - our pinned tool, our arguments
                    st_command(api, max_examples, seed, auth),
                    cwd=workdir,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
            runs.append(Run(name, done.returncode, done.stdout + done.stderr))
        return runs
    finally:
        stop(process)
        Path(output).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None, help="default: a new one each run")
    args = parser.parse_args(argv)
    if not ST.exists():
        print(f"{ST} is missing: `make fuzz` installs it", file=sys.stderr)
        return 2
    failed = False
    for done in run(args.max_examples, args.seed):
        print(f"===== Schemathesis, {done.name}: exit {done.returncode}\n{done.output}")
        failed = failed or done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
