"""Driving the hosted pages over plain HTTP, as a test's stand-in for a user at a browser: follow the
authorize redirect, read a page's form (action, CSRF token, fields), fill it in and send it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

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
