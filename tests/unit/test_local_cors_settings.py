"""The local stack's CORS comes from template.yaml, and `make run` sets its origin."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.local_stack import origin_of, parameter_overrides
from infra.template import Cors, api_cors, gateway_response_headers

PARAMETERS = {"PortalOrigin": "http://localhost:5173", "AWS::StackName": "local"}


def resolve(value: Any) -> str:
    """!Ref and !Sub of the template's parameters, as the local stack resolves them."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return PARAMETERS[value["Ref"]]
    return re.sub(r"\$\{([^}]+)\}", lambda m: PARAMETERS[m.group(1)], value["Fn::Sub"])


def test_the_templates_cors_is_what_a_browser_portal_needs() -> None:
    cors = api_cors(resolve)
    assert cors == Cors(
        allow_origin="http://localhost:5173",
        allow_headers="Authorization,Content-Type,Idempotency-Key",
        allow_methods="GET,POST,PATCH,DELETE,OPTIONS",
        max_age="600",
        authorized=False,  # AddDefaultAuthorizerToCorsPreflight: false
    )


def test_the_templates_gateway_responses_name_the_portal_origin() -> None:
    headers = gateway_response_headers(resolve)
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        assert headers[kind] == {"Access-Control-Allow-Origin": "http://localhost:5173"}


def with_api(properties: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": {"Api": {"Type": "AWS::Serverless::Api", "Properties": properties}}}


def test_cors_short_form_default_authorizer_and_no_cors() -> None:
    short = api_cors(resolve, with_api({"Cors": {"Fn::Sub": "'${PortalOrigin}'"}}))
    assert short == Cors(allow_origin="http://localhost:5173")
    guarded = with_api(
        {"Cors": "'https://a.example'", "Auth": {"DefaultAuthorizer": "CognitoAuthorizer"}}
    )
    assert api_cors(resolve, guarded) == Cors(allow_origin="https://a.example", authorized=True)
    assert api_cors(resolve, with_api({})) is None
    with pytest.raises(ValueError, match="single quotes"):
        api_cors(resolve, with_api({"Cors": {"AllowOrigin": "method.request.header.Origin"}}))


def test_portal_base_url_alone_sets_the_origin_to_its_own() -> None:
    assert origin_of("http://localhost:5173/portal/") == "http://localhost:5173"
    assert parameter_overrides({"PORTAL_BASE_URL": "https://p.example/app"}, []) == {
        "PortalBaseUrl": "https://p.example/app",
        "PortalOrigin": "https://p.example",
    }
    flag = parameter_overrides({}, ["PortalBaseUrl=http://localhost:8080/x"])
    assert flag["PortalOrigin"] == "http://localhost:8080"


def test_an_explicit_origin_wins_and_flags_win_over_the_environment() -> None:
    both = {"PORTAL_BASE_URL": "https://p.example/app", "PORTAL_ORIGIN": "https://o.example"}
    assert parameter_overrides(both, [])["PortalOrigin"] == "https://o.example"
    flagged = parameter_overrides(both, ["PortalOrigin=http://localhost:1234"])
    assert flagged["PortalOrigin"] == "http://localhost:1234"
    assert parameter_overrides({"PORTAL_ORIGIN": ""}, []) == {}


@pytest.mark.parametrize(
    ("environ", "pairs", "named"),
    [
        # A path never matches an Origin header; plain http only on localhost.
        ({"PORTAL_ORIGIN": "http://localhost:5173/"}, [], "PortalOrigin"),
        ({"PORTAL_ORIGIN": "http://portal.example"}, [], "PortalOrigin"),
        ({"PORTAL_BASE_URL": "ftp://localhost"}, [], "PortalBaseUrl"),
        ({}, ["Stage=qa"], "Stage"),  # AllowedValues
        ({}, ["NoSuchParameter=1"], "NoSuchParameter"),
        ({}, ["PortalOrigin"], "PortalOrigin"),
    ],
)
def test_values_the_template_refuses_stop_the_stack_before_it_starts(
    environ: dict[str, str], pairs: list[str], named: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parameter_overrides(environ, pairs)
    assert named in str(stopped.value)
