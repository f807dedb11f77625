"""Driving the hosted pages over plain HTTP, as a test's stand-in for a user at a browser: follow the
authorize redirect, read a page's form (action, CSRF token, fields), fill it in and send it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", "")))
        elif tag == "input" and self.forms and "name" in values:
            self.forms[-1].fields[values["name"]] = values.get("value", "")


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def submit(http: httpx.Client, page: httpx.Response, values: dict[str, str], index: int = 0) -> httpx.Response:
    """Send form ``index`` of ``page`` with its hidden fields (the CSRF token among them) and ``values``."""
    form = forms_of(page.text)[index]
    return http.post(urljoin(str(page.url), form.action), data={**form.fields, **values})


def sign_in(http: httpx.Client, authorize_url: str, username: str, password: str) -> httpx.Response:
    """authorize -> /login -> the password form; returns the answer to the form (302 to the app, or a page)."""
    answer = http.get(authorize_url)
    assert answer.status_code == 302, answer.text
    login = http.get(urljoin(authorize_url, answer.headers["location"]))
    assert login.status_code == 200, login.text
    return submit(http, login, {"username": username, "password": password})


def callback_params(response: httpx.Response, redirect_uri: str) -> dict[str, str]:
    """The query of a 302 to ``redirect_uri``."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(redirect_uri + "?"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def in_process_browser(app: Any) -> Any:
    """A stand-in browser for an app served in process: keeps cookies, follows no redirect on its own, and
    speaks to ``http://localhost``, where the server sets its cookies without ``Secure``."""
    from starlette.testclient import TestClient

    return TestClient(app, base_url="http://localhost", follow_redirects=False)


def code_flow_tokens(
    browser: Any, client: dict[str, Any], redirect_uri: str, username: str, password: str, scope: str
) -> dict[str, Any]:
    """Sign ``username`` in on the hosted login page and redeem the code at /oauth2/token: the RFC 6749 §5.1
    answer."""
    query = urlencode(
        {"client_id": client["ClientId"], "response_type": "code", "redirect_uri": redirect_uri, "scope": scope}
    )
    params = callback_params(
        sign_in(browser, f"http://localhost/oauth2/authorize?{query}", username, password), redirect_uri
    )
    form = {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": redirect_uri}
    auth = (client["ClientId"], client["ClientSecret"]) if client.get("ClientSecret") else None
    if auth is None:
        form["client_id"] = client["ClientId"]
    answer = browser.post("/oauth2/token", data=form, auth=auth)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens
