"""The reference portal's static server (infra/portal_server.py): files, the index.html
fallback for the emailed links' paths, config.json, and nothing outside portal/."""

from __future__ import annotations

import json
from pathlib import Path

from werkzeug.test import Client

from infra.portal_server import PORTAL_DIR, PortalApp, portal_config

CONFIG = portal_config(
    api_url="http://127.0.0.1:3000",
    region="us-east-1",
    cognito_endpoint="http://127.0.0.1:4566/",
    user_pool_id="us-east-1_pool",
    portal_client_id="portal-client",
    care_app_client_id="care-client",
)


def client(config: dict[str, str] | None = CONFIG, root: Path = PORTAL_DIR) -> Client:
    return Client(PortalApp(lambda: config, root))


def test_config_json_names_the_api_and_cognito() -> None:
    answer = client().get("/config.json")
    assert answer.status_code == 200
    assert json.loads(answer.data) == CONFIG
    assert set(CONFIG) == set(json.loads((PORTAL_DIR / "config.example.json").read_text()))


def test_each_emailed_link_path_gets_the_page() -> None:
    index = (PORTAL_DIR / "index.html").read_bytes()
    for path in (
        "/",
        "/demo/confirm-email?token=abc",
        "/demo/accept-invitation?token=abc",
        "/demo/reset-password?token=abc",
        "/demo/confirm-email-change?token=abc",
        "/demo/clients/c1",
        "/demo/clients?status=pending",
    ):
        answer = client().get(path)
        assert answer.status_code == 200, path
        assert answer.data == index, path
        assert answer.headers["Referrer-Policy"] == "no-referrer"  # tokens stay in the page


def test_scripts_are_served_as_javascript_under_a_strict_policy() -> None:
    answer = client().get("/js/main.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:4566/" in policy


def test_a_missing_asset_is_404_not_the_page() -> None:
    assert client().get("/js/missing.js").status_code == 404


def test_nothing_outside_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "portal"
    root.mkdir()
    (root / "index.html").write_text("index")
    (tmp_path / "secret.txt").write_text("secret")
    answer = client(root=root).get("/%2E%2E/secret.txt")
    assert b"secret" not in answer.data


def test_only_get_and_head() -> None:
    assert client().post("/demo/login").status_code == 405


def test_503_while_the_stack_starts() -> None:
    assert client(config=None).get("/demo/login").status_code == 503
