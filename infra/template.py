"""Reads template.yaml, the single source of truth for functions, routes, tables and pool."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """A YAML loader that understands CloudFormation's short tags (!Ref, !GetAtt, !Sub...)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open() as handle:
        template: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    return template


def resources_of_type(
    kind: str, template: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    template = template or load_template()
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _merged(shared: Any, own: Any) -> Any:
    """SAM's Globals rule: maps merge key by key, lists add the resource's items to the
    global ones, anything else in the resource replaces the global value."""
    if isinstance(shared, dict) and isinstance(own, dict):
        merged = dict(shared)
        for key, value in own.items():
            merged[key] = _merged(shared[key], value) if key in shared else value
        return merged
    if isinstance(shared, list) and isinstance(own, list):
        return shared + own
    return own


def function_properties(logical_id: str, template: dict[str, Any] | None = None) -> dict[str, Any]:
    """A function's properties as SAM deploys it: Globals.Function merged with its own."""
    template = template or load_template()
    shared = template.get("Globals", {}).get("Function", {})
    own = template["Resources"][logical_id].get("Properties") or {}
    merged: dict[str, Any] = _merged(shared, own)
    return merged


@dataclass(frozen=True)
class Route:
    function: str  # logical id
    event: str
    method: str  # upper case
    path: str  # API Gateway resource path, e.g. /public/orgs/{slug}
    authorized: bool  # behind the Cognito authorizer


def api_routes(template: dict[str, Any] | None = None) -> list[Route]:
    """Every Api event of every function, as API Gateway will serve it."""
    template = template or load_template()
    routes = []
    for name, resource in resources_of_type("AWS::Serverless::Function", template).items():
        for event_name, event in (resource["Properties"].get("Events") or {}).items():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            auth = (props.get("Auth") or {}).get("Authorizer")
            routes.append(
                Route(name, event_name, props["Method"].upper(), props["Path"], auth != "NONE")
            )
    return routes


def _static_value(expression: Any, resolve: Callable[[Any], str], where: str) -> str:
    """An API Gateway header mapping that is a static value ('...' in single quotes), resolved;
    anything else (a request or context mapping) is not emulated locally."""
    value = resolve(expression)
    if len(value) < 2 or value[0] != "'" or value[-1] != "'":
        raise ValueError(f"{where}: {value!r} is not a static value in single quotes")
    return value[1:-1]


@dataclass(frozen=True)
class Cors:
    """The Api's `Cors` as API Gateway serves it: SAM adds to every resource an OPTIONS method
    whose mock integration answers 200 with these headers, whatever the request's Origin."""

    allow_origin: str
    allow_headers: str | None = None
    allow_methods: str | None = None  # None: each resource's own methods (SAM computes them)
    max_age: str | None = None
    allow_credentials: bool = False
    authorized: bool = False  # the default authorizer guards the preflight too

    def preflight_headers(self, resource_methods: list[str]) -> dict[str, str]:
        """The OPTIONS answer's headers for a resource whose methods are `resource_methods`."""
        methods = self.allow_methods
        if methods is None:  # SAM: the path's methods plus OPTIONS, upper case, sorted
            every = {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
            found = every if "ANY" in resource_methods else {*resource_methods, "OPTIONS"}
            methods = ",".join(sorted(m.upper() for m in found))
        headers = {"Access-Control-Allow-Origin": self.allow_origin}
        if self.allow_headers:
            headers["Access-Control-Allow-Headers"] = self.allow_headers
        headers["Access-Control-Allow-Methods"] = methods
        if self.max_age is not None:
            headers["Access-Control-Max-Age"] = self.max_age
        if self.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        return headers


def _api_properties(template: dict[str, Any]) -> dict[str, Any]:
    ((_, api),) = resources_of_type("AWS::Serverless::Api", template).items()
    shared = template.get("Globals", {}).get("Api", {})
    merged: dict[str, Any] = _merged(shared, api.get("Properties") or {})
    return merged


def api_cors(resolve: Callable[[Any], str], template: dict[str, Any] | None = None) -> Cors | None:
    """The Api's `Cors` setting, resolved (`resolve` turns !Ref/!Sub into strings); None when
    the Api has none (no OPTIONS method is added: a preflight finds no route)."""
    props = _api_properties(template or load_template())
    cors = props.get("Cors")
    if not cors:
        return None
    if not isinstance(cors, dict) or set(cors) & {"Fn::Sub", "Ref"}:
        cors = {"AllowOrigin": cors}  # the short form: just the origin
    auth = props.get("Auth") or {}

    def header(key: str) -> str | None:
        return _static_value(cors[key], resolve, f"Cors.{key}") if key in cors else None

    origin = header("AllowOrigin")
    if not origin:
        raise ValueError("Cors.AllowOrigin is required")
    return Cors(
        allow_origin=origin,
        allow_headers=header("AllowHeaders"),
        allow_methods=header("AllowMethods"),
        max_age=header("MaxAge"),
        allow_credentials=cors.get("AllowCredentials") is True,
        authorized=bool(auth.get("DefaultAuthorizer"))
        and auth.get("AddDefaultAuthorizerToCorsPreflight", True) is not False,
    )


def gateway_response_headers(
    resolve: Callable[[Any], str], template: dict[str, Any] | None = None
) -> dict[str, dict[str, str]]:
    """The Api's `GatewayResponses` headers by response type (DEFAULT_4XX, UNAUTHORIZED...)."""
    props = _api_properties(template or load_template())
    out: dict[str, dict[str, str]] = {}
    for kind, response in (props.get("GatewayResponses") or {}).items():
        headers = ((response or {}).get("ResponseParameters") or {}).get("Headers") or {}
        out[kind] = {
            name: _static_value(value, resolve, f"GatewayResponses.{kind}.{name}")
            for name, value in headers.items()
        }
    return out
