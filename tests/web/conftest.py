"""Chromium (Debian's, driven by Playwright) against a server on a real socket that mails through a real SMTP
server; screenshots of every page go to ``test-artifacts/screenshots/``.

Without /usr/bin/chromium the browser tests are skipped on a developer's machine and fail in CI (``CI`` set),
where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.oauth.conftest import CALLBACK, MovableClock
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from tests.support.mail import Inbox, smtp_inbox
from userpool.app import Runtime, build_runtime, create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test in one pytest-xdist group: one worker runs them one after another, so Chromium
    starts once per run (``browser`` below lives as long as the tests of this folder)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium, for the tests of this folder only. Playwright's sync API runs its asyncio loop in the
    calling (main) thread and leaves it marked running there for as long as Playwright is open: any later
    test that calls ``asyncio.run`` (the OIDC discovery test does) would fail with "cannot be called from a
    running event loop". Package scope closes it when this folder's tests are done."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class WebServer:
    url: str
    idp: Any
    mail: Inbox
    runtime: Runtime
    clock: MovableClock

    def next_code(self) -> str:
        return self.mail.next(self).code


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[WebServer]:
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    with smtp_inbox() as (inbox, smtp_port):
        settings = make_settings(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'userpool.sqlite3'}",
            port=port,
            public_url=url,
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        )
        clock = MovableClock()
        runtime = build_runtime(settings, clock)
        with serve_in_thread(create_app(settings, runtime=runtime), sock):
            yield WebServer(url, socket_client(url, ACCESS_KEY, SECRET_KEY), inbox, runtime, clock)
        runtime.store.dispose()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) at a laptop's size; the application's callback answers with a
    small page of its own, since nothing listens at that address."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    tab = context.new_page()
    tab.route(
        re.compile(r"^http://localhost:8123/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Back in the app</h1>"),
    )
    yield tab
    context.close()


SHOT_ATTEMPTS = 3


def shot(page: Any, name: str) -> None:
    """Keep a full-page screenshot of what the browser shows now.

    Headless Chromium now and then answers a full-page capture with "Unable to capture screenshot" on a loaded
    machine; the page is there all the same, so the capture is tried again once the page has settled. A
    screenshot is a record for people, not one of the test's assertions."""
    from playwright.sync_api import Error

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, SHOT_ATTEMPTS + 1):
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            return
        except Error as error:
            if "Unable to capture screenshot" not in str(error) or attempt == SHOT_ATTEMPTS:
                raise
            page.wait_for_load_state()
            page.wait_for_timeout(100 * attempt)


def authorize_url(server: WebServer, client_id: str, **extra: str) -> str:
    from urllib.parse import urlencode

    query = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid email"}
    return f"{server.url}/oauth2/authorize?{urlencode({**query, 'state': 'web-state', **extra})}"
