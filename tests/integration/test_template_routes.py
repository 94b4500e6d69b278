"""Every route of template.yaml is served by the function the template sends it to."""

from __future__ import annotations

import pytest

from infra.lambda_loader import load_handler
from infra.template import Route, api_routes
from tests.support.lambda_events import FakeLambdaContext, api_event
from tests.support.stack import Stack


@pytest.mark.parametrize("route", api_routes(), ids=lambda r: f"{r.method} {r.path}")
def test_every_template_route_is_served_by_its_function(stack: Stack, route: Route) -> None:
    """A route the template has and the code lacks answers Powertools' route_not_found."""
    path = route.path.replace("{slug}", "unknown-practice")
    result = load_handler(route.function)(
        api_event(route.method, path, raw_body="{"), FakeLambdaContext()
    )
    assert "route_not_found" not in (result.get("body") or "")
    assert result["statusCode"] < 500
