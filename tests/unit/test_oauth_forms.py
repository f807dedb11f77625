"""The OAuth endpoints' form bodies (oauth/http.py ``read_form``): what a form reads as, by its own split, is what
``urllib.parse.parse_qsl`` reads."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import pytest
from starlette.requests import Request

from userpool.model.oauth_requests import OAuthError
from userpool.oauth.http import FORM_TYPE, RawRequest, read_form


def _read(body: bytes, content_type: str = FORM_TYPE) -> dict[str, str]:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "headers": [(b"content-type", content_type.encode())]}
    return asyncio.run(read_form(Request(scope, receive)))


@pytest.mark.parametrize(
    "body",
    [
        "grant_type=client_credentials&scope=bench/read",
        "grant_type=refresh_token&refresh_token=eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.a-b_c",
        "a&b=&=c&&d=e=f",
        "client_id=ünïcode",
        "scope=a%20b+c&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
        "grant_type=client_credentials&scope=bench%2Fread",
        "na%6De+1=v%E2%82%AC&bad=%FF%zz%4&plus=+%2B+",
        "",
    ],
)
def test_read_form__reads_as_parse_qsl_reads(body: str) -> None:
    assert _read(body.encode()) == dict(parse_qsl(body, keep_blank_values=True))


def test_read_form__a_parameter_twice_or_another_type_is_invalid_request() -> None:
    for body, content_type in ((b"scope=a&scope=b", FORM_TYPE), (b"{}", "application/json")):
        with pytest.raises(OAuthError) as caught:
            _read(body, content_type)
        assert caught.value.error == "invalid_request"


def test_raw_request__reads_headers_peer_and_body_as_starlettes_request_does() -> None:
    headers = [
        (b"authorization", b"Basic Zmlyc3Q6YQ=="),
        (b"host", b"auth.example"),
        (b"authorization", b"Basic c2Vjb25kOmI="),
        (b"content-type", FORM_TYPE.encode()),
    ]
    scope = {"type": "http", "method": "POST", "headers": headers, "client": ("192.0.2.7", 50123)}
    chunks = iter([(b"grant_type=client_", True), (b"credentials", False)])

    async def receive() -> dict[str, object]:
        body, more = next(chunks)
        return {"type": "http.request", "body": body, "more_body": more}

    raw, starlette = RawRequest(scope, receive), Request(scope, receive)
    for name in ("authorization", "host", "content-type", "user-agent"):
        assert raw.headers.get(name) == starlette.headers.get(name)
    # A header sent twice reads as its first value: the credentials are the first Authorization's.
    assert raw.headers["authorization"] == "Basic Zmlyc3Q6YQ=="
    assert raw.client == starlette.client
    assert RawRequest({**scope, "client": None}, receive).client is None
    assert asyncio.run(read_form(raw)) == {"grant_type": "client_credentials"}
