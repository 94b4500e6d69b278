"""A real browser against the local stack: Debian's headless Chromium driven by Playwright,
and static folders served on their own origins (a portal's pages).

    with (
        static_site(PAGES) as portal,
        running_stack(environment={"PORTAL_ORIGIN": portal.origin}) as stack,
        chromium() as browser,
    ):
        page = open_page(browser, portal.url("index.html"))
        config = page.evaluate("(api) => fetch(api + '/_local/config').then(r => r.json())",
                               stack.api)

Chromium comes from the system (`make chromium` installs Debian's package), never from
Playwright's own download. Screenshots go to .browser-artifacts/ (ignored by git).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from infra.template import ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / ".browser-artifacts"
# Loopback names for two different origins on this machine: the template's PortalOrigin
# accepts plain http only for localhost, so the allowed portal is served there, and a page
# on 127.0.0.1 is "another site" to the browser.
ALLOWED_HOST = "localhost"
OTHER_HOST = "127.0.0.1"


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium (the system's) for the block."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OpenPage:
    """A page and what it wrote to its console (printed when a test fails)."""

    page: Page
    console: list[str] = field(default_factory=list)

    def evaluate(self, script: str, argument: Any = None) -> Any:
        """Run `script` (a JS function; an async one is awaited) in the page with `argument`."""
        return self.page.evaluate(script, argument)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def open_page(browser: Browser, url: str, *, timeout_ms: float = 15_000) -> OpenPage:
    """A new page (its own context: no shared cookies or cache) loaded from `url`."""
    context = browser.new_context()
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    opened = OpenPage(page)

    def record(message: ConsoleMessage) -> None:
        opened.console.append(f"{message.type}: {message.text}")

    page.on("console", record)
    page.goto(url)
    return opened


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@dataclass
class StaticSite:
    """A folder served over HTTP on 127.0.0.1, named by `host` in its origin."""

    folder: Path
    host: str
    server: ThreadingHTTPServer

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.server.server_port}"

    def url(self, path: str = "") -> str:
        return f"{self.origin}/{path.lstrip('/')}"


@contextmanager
def static_site(folder: Path, host: str = ALLOWED_HOST) -> Iterator[StaticSite]:
    """Serve `folder` on a free port for the block; `host` (localhost or 127.0.0.1) makes
    the origin, so two sites of the same folder are two origins."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield StaticSite(folder, host, server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
