"""What a function loads at cold start, checked in a fresh interpreter loaded as Lambda loads
it (bench/cold_import.py): the heavy packages stay out of the functions that do not use them.
A regression here shows in `make bench` as a ratio; this names the package instead."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.cold_import import LAYER, lambda_environment
from infra.template import ROOT, api_routes, function_properties

CHILD = """
import sys
module, paths = sys.argv[1], sys.argv[2:]
sys.path[:0] = paths
__import__(module)
print(" ".join(sorted(sys.modules)))
"""


def modules_loaded(logical_id: str) -> set[str]:
    props = function_properties(logical_id)
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


# Each was a measured share of the cold start (docs/decisions.md): requests are checked by
# clientaccounts.validation and routed by clientaccounts.http, AWS is called through botocore
# clients and pynamodb. Of Powertools only the Logger and Metrics (and what its package
# `__init__` loads with them: the Tracer's module, not the X-Ray SDK) are wanted.
HEAVY = {"pydantic", "pydantic_core", "boto3", "aws_xray_sdk"}
HEAVY_POWERTOOLS = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.validation",
    "aws_lambda_powertools.utilities.data_classes",
)


@pytest.mark.parametrize("logical_id", [*API_FUNCTIONS, "PreAuthenticationFunction"])
def test_no_api_function_or_the_login_gate_loads_a_heavy_package(logical_id: str) -> None:
    loaded = modules_loaded(logical_id)
    assert not {name.split(".")[0] for name in loaded} & HEAVY
    assert not [name for name in loaded if name.startswith(HEAVY_POWERTOOLS)]
    assert "aws_lambda_powertools.logging.logger" in loaded  # the functions' logger
