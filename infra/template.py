"""Reads template.yaml, the single source of truth for functions, routes, tables and pool."""

from __future__ import annotations

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
