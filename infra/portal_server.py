"""The reference portal (`portal/`) served as any static host would serve it, on its own
origin, plus the `config.json` a deployment supplies next to `index.html`.

Every path that is not a file gets `index.html` (the portal routes on the path, the shape of
the emailed links: `<PortalBaseUrl>/<slug>/<page>?token=...`), as a static host does with an
SPA fallback (README, "Reference portal"). Only GET and HEAD; nothing outside `portal/`.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from .template import ROOT

PORTAL_DIR = ROOT / "portal"

# What a static host should send with the portal too: scripts and styles from the portal's
# own origin only, calls to the API and Cognito only, never framed, no Referer (emailed links
# carry their token in the query).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


def portal_config(
    *,
    api_url: str,
    region: str,
    cognito_endpoint: str,
    user_pool_id: str,
    portal_client_id: str,
    care_app_client_id: str,
) -> dict[str, str]:
    """The portal's config.json (portal/config.example.json documents each key)."""
    return {
        "api_url": api_url,
        "region": region,
        "cognito_endpoint": cognito_endpoint,
        "user_pool_id": user_pool_id,
        "portal_client_id": portal_client_id,
        "care_app_client_id": care_app_client_id,
    }


def content_security_policy(config: dict[str, str]) -> str:
    connect = " ".join(sorted({"'self'", config["api_url"], config["cognito_endpoint"]}))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


class PortalApp:
    """WSGI app: the files of `root`, `/config.json` from `config()`, else `index.html`.
    `config()` answers None while the stack is still starting (503)."""

    def __init__(self, config: Callable[[], dict[str, str] | None], root: Path = PORTAL_DIR):
        self.config = config
        self.root = root.resolve()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = self.respond(Request(environ))
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method not allowed\n", 405, {"Allow": "GET, HEAD"})
        config = self.config()
        if config is None:
            return Response("The local stack is starting; reload in a moment.\n", 503)
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": content_security_policy(config)}
        if request.path == "/config.json":
            return Response(json.dumps(config, indent=2), 200, headers, "application/json")
        file = self._file(request.path)
        if file is None:
            last = request.path.rsplit("/", 1)[-1]
            if "." in last:  # a missing asset is a 404, not the page
                return Response("Not found\n", 404, headers, "text/plain")
            file = self.root / "index.html"
        mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return Response(file.read_bytes(), 200, headers, mimetype)

    def _file(self, path: str) -> Path | None:
        candidate = (self.root / path.lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None  # ../ never leaves the folder
        return candidate if candidate.is_file() else None
