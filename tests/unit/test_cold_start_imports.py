"""What a function loads at cold start, checked in a fresh interpreter loaded as Lambda loads
it (bench/cold_import.py): the heavy packages stay out of the functions that do not use them.
A regression here shows in `make bench` as a ratio; this names the package instead."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.cold_import import LAYER, lambda_environment
from infra.template import ROOT, api_routes, load_template

CHILD = """
import sys
module, paths = sys.argv[1], sys.argv[2:]
sys.path[:0] = paths
__import__(module)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def top_level_modules_loaded(logical_id: str) -> set[str]:
    props = load_template()["Resources"][logical_id]["Properties"]
    module = props["Handler"].rsplit(".", 1)[0]
    paths = [str(ROOT / props["CodeUri"]), str(LAYER)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-I", "-c", CHILD, module, *paths],
        env=lambda_environment(logical_id),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(done.stdout.split())


API_FUNCTIONS = sorted({route.function for route in api_routes()})


@pytest.mark.parametrize("logical_id", [*API_FUNCTIONS, "PreAuthenticationFunction"])
def test_no_api_function_or_the_login_gate_loads_powertools(logical_id: str) -> None:
    loaded = top_level_modules_loaded(logical_id)
    assert "aws_lambda_powertools" not in loaded
    assert "boto3" not in loaded  # botocore clients; boto3's resource layer is never used


def test_only_functions_with_a_request_model_load_pydantic() -> None:
    with_models = {
        "AcceptInvitationFunction",
        "AssignPractitionerFunction",
        "ClientHistoryFunction",
        "ConfirmEmailFunction",
        "CreateClientFunction",
        "InviteStaffFunction",
        "OrganizationFunction",
        "ReadClientsFunction",
        "ReadStaffFunction",
        "RegisterFunction",
        "UpdateClientFunction",
        "UpdateStaffFunction",
    }
    loading = {f for f in API_FUNCTIONS if "pydantic" in top_level_modules_loaded(f)}
    assert loading == with_models
    assert "pydantic" not in top_level_modules_loaded("PreAuthenticationFunction")
