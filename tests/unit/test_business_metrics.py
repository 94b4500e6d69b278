"""Business metrics are CloudWatch EMF lines printed once per invocation, only when the
invocation counted something: no call to AWS, nothing per request otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from clientaccounts import login_gate
from clientaccounts.config import get_settings
from clientaccounts.http import Request, create_api
from clientaccounts.observability import count
from infra.lambda_loader import load_handler
from tests.support.lambda_events import FakeLambdaContext, proxy_event
from tests.support.metrics import emf_blobs, metric_names


def test_a_request_that_counts_prints_one_emf_blob_at_its_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    api = create_api()

    @api.post("/counted", answer=dict)
    def counted(request: Request) -> dict[str, Any]:
        count("Registrations")
        assert emf_blobs(capsys.readouterr().out) == []  # nothing printed mid-request
        return {}

    @api.get("/quiet", answer=dict)
    def quiet(request: Request) -> dict[str, Any]:
        return {}

    api.resolve(proxy_event("POST", "/counted"))
    (blob,) = emf_blobs(capsys.readouterr().out)
    assert metric_names(blob) == ["Registrations"]
    assert blob["Registrations"] == [1.0] or blob["Registrations"] == 1.0
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == get_settings().metrics_namespace
    assert blob["service"] == "client-accounts"

    api.resolve(proxy_event("GET", "/quiet"))
    api.resolve(proxy_event("GET", "/no-such-route"))
    assert emf_blobs(capsys.readouterr().out) == []  # the next requests start from zero


def test_the_namespace_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE", raising=False)
    from clientaccounts.config import load_settings

    assert load_settings().metrics_namespace == "ClientAccounts"
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Elsewhere")
    assert load_settings().metrics_namespace == "Elsewhere"


def test_a_refused_login_counts_its_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(login_gate, "app_clients", lambda: {})  # an unknown app client
    handler = load_handler("PreAuthenticationFunction")
    event = {"callerContext": {"clientId": "who"}, "userName": "u1", "request": {}}
    with pytest.raises(Exception, match="not available"):
        handler(event, FakeLambdaContext())
    (blob,) = emf_blobs(capsys.readouterr().out)
    assert metric_names(blob) == ["LoginsRefused"]
    assert blob["reason"] == "unavailable"
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert ["reason", "service"] in [sorted(d) for d in directive["Dimensions"]]
