"""Real identity providers for the federation tests, run as Node processes on loopback ports.

- ``oidc_idp``: npm oidc-provider (OpenID Certified) with four confidential clients (ID tokens signed
  RS256, ES256, PS256 and HS256) using ``client_secret_post``, and password-less accounts chosen by ``login_hint``.
- ``apple_idp``: the same provider as a Sign in with Apple stand-in: it requires Apple's ES256 client secret
  (checked against the public half of ``AppleIdp.private_key``) and answers with ``response_mode=form_post``.
- ``amazon_idp`` and ``facebook_idp``: npm oauth2-mock-server shaped as Login with Amazon (``/user/profile``)
  and Facebook (Graph ``/me?fields=``, token call by GET).

Each is started once per session (``start_oidc_provider`` / ``start_oauth2_mock`` start more, e.g. with the
redirect URI of a test server), and ``authorize_at`` walks an authorization request through the provider,
browser-less, to the redirect URI.
"""

from __future__ import annotations

import html.parser
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import ECKey

from tests.federation.idp_processes import node_idp

# No one listens there: the walk stops at the redirect, as a browser would hand it to the server.
REDIRECT_URI = "http://127.0.0.1:9/oauth2/idpresponse"

ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice": {
        "email": "alice@example.test",
        "email_verified": True,
        "given_name": "Alice",
        "family_name": "Liddell",
        "name": "Alice Liddell",
    },
    # An address the provider has not verified: for mapping tests.
    "bob": {"email": "bob@example.test", "email_verified": False, "given_name": "Bob", "family_name": "Builder"},
}


@dataclass(frozen=True)
class OidcIdp:
    """A running oidc-provider: its issuer (endpoints by discovery, or the library's fixed paths below),
    a client per ID-token algorithm (all with ``secret``), the redirect URI they registered, the accounts."""

    issuer: str
    client_id: str
    secret: str
    redirect_uri: str
    accounts: Mapping[str, Mapping[str, Any]]
    es256_client_id: str = "userpool-rp-es256"
    ps256_client_id: str = "userpool-rp-ps256"
    hs256_client_id: str = "userpool-rp-hs256"

    @property
    def authorize_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def userinfo_url(self) -> str:
        return self.issuer + "/me"

    @property
    def jwks_uri(self) -> str:
        return self.issuer + "/jwks"


@dataclass(frozen=True)
class AppleIdp:
    """A running Sign in with Apple stand-in: the Services ID, team and key ids and the ``.p8`` private
    key (PKCS#8 PEM) that sign the client secret it requires; its issuer is the audience of that secret."""

    issuer: str
    client_id: str
    team_id: str
    key_id: str
    private_key: str
    redirect_uri: str
    accounts: Mapping[str, Mapping[str, Any]]

    @property
    def authorize_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def jwks_uri(self) -> str:
        return self.issuer + "/jwks"


@dataclass(frozen=True)
class OAuth2Idp:
    """A running oauth2-mock-server standing in for a social provider: its URLs, the user it signs in
    (``user["id"]`` is the subject), and a client id/secret (the mock checks neither)."""

    issuer: str
    authorize_url: str
    token_url: str
    attributes_url: str
    jwks_uri: str
    user: Mapping[str, str]
    client_id: str = "social-client"
    client_secret: str = "social-secret"
    redirect_uri: str = REDIRECT_URI
    extra: Mapping[str, str] = field(default_factory=dict)


@contextmanager
def start_oidc_provider(
    log_dir: Path, redirect_uri: str = REDIRECT_URI, conform_id_token_claims: bool = True
) -> Iterator[OidcIdp]:
    """An oidc-provider whose clients registered ``redirect_uri``."""
    secret = secrets.token_urlsafe(32)
    clients = [
        {"client_id": client_id, "client_secret": secret, "redirect_uris": [redirect_uri], **metadata}
        for client_id, metadata in (
            ("userpool-rp", {}),
            ("userpool-rp-es256", {"id_token_signed_response_alg": "ES256"}),
            ("userpool-rp-ps256", {"id_token_signed_response_alg": "PS256"}),
            ("userpool-rp-hs256", {"id_token_signed_response_alg": "HS256"}),
        )
    ]
    config = {
        "clients": clients,
        "accounts": ACCOUNTS,
        "default_account": "alice",
        "conform_id_token_claims": conform_id_token_claims,
    }
    with node_idp("oidc_provider.mjs", config, log_dir) as issuer:
        yield OidcIdp(issuer, "userpool-rp", secret, redirect_uri, ACCOUNTS)


@contextmanager
def start_apple_stand_in(log_dir: Path, redirect_uri: str = REDIRECT_URI) -> Iterator[AppleIdp]:
    """An oidc-provider that requires Apple's ES256 client secret from its one client."""
    key = ECKey.generate_key("P-256", private=True)
    client_id, team_id, key_id = "com.example.userpool.signin", "TEAM123456", "KEY1234567"
    static_secret = secrets.token_urlsafe(32)
    # Apple's ID token carries the e-mail claims itself, email_verified as a string.
    accounts = {name: {"email": a["email"], "email_verified": "true"} for name, a in ACCOUNTS.items()}
    config = {
        "clients": [{"client_id": client_id, "client_secret": static_secret, "redirect_uris": [redirect_uri]}],
        "conform_id_token_claims": False,
        "accounts": accounts,
        "default_account": "alice",
        "apple": {
            "public_key": key.as_pem(private=False).decode(),
            "team_id": team_id,
            "key_id": key_id,
            "client_id": client_id,
            "client_secret": static_secret,
        },
    }
    with node_idp("oidc_provider.mjs", config, log_dir) as issuer:
        yield AppleIdp(issuer, client_id, team_id, key_id, key.as_pem(private=True).decode(), redirect_uri, accounts)


@contextmanager
def start_oauth2_mock(
    log_dir: Path,
    profile: str,
    user: Mapping[str, str],
    redirect_uri: str = REDIRECT_URI,
    token_claims: Mapping[str, Any] | None = None,
) -> Iterator[OAuth2Idp]:
    """oauth2-mock-server as Login with Amazon (``profile="amazon"``) or Facebook (``"facebook"``), with the
    paths of the real provider's endpoints, or as an OIDC provider (``"oidc"``, its own paths). It sends the
    browser to whatever redirect URI it is given; ``redirect_uri`` is only what the returned OAuth2Idp names.
    ``token_claims`` are laid over every token it signs."""
    if profile == "amazon":
        endpoints = {"authorize": "/ap/oa", "token": "/auth/o2/token", "userinfo": "/user/profile"}
        config: dict[str, Any] = {"profile": profile, "user": dict(user), "endpoints": endpoints}
        token_path = endpoints["token"]
    elif profile == "facebook":
        endpoints = {"authorize": "/v17.0/dialog/oauth", "token": "/oauth/token-post", "userinfo": "/v17.0/me"}
        token_path = "/v17.0/oauth/access_token"
        config = {"profile": profile, "user": dict(user), "endpoints": endpoints, "get_token_path": token_path}
    else:
        # oauth2-mock-server's own paths, as its discovery document names them.
        endpoints = {"authorize": "/authorize", "token": "/token", "userinfo": "/userinfo"}
        config = {"profile": profile, "user": dict(user)}
        token_path = endpoints["token"]
    if token_claims:
        config["token_claims"] = dict(token_claims)
    with node_idp("oauth2_mock.mjs", config, log_dir) as issuer:
        attributes_url = issuer + endpoints["userinfo"] + ("?fields=" if profile == "facebook" else "")
        yield OAuth2Idp(
            issuer=issuer,
            authorize_url=issuer + endpoints["authorize"],
            token_url=issuer + token_path,
            attributes_url=attributes_url,
            jwks_uri=issuer + "/jwks",
            user=user,
            redirect_uri=redirect_uri,
        )


@pytest.fixture(scope="session")
def idp_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("idp-logs")


@pytest.fixture(scope="session")
def oidc_idp(idp_logs: Path) -> Iterator[OidcIdp]:
    with start_oidc_provider(idp_logs) as idp:
        yield idp


@pytest.fixture(scope="session")
def apple_idp(idp_logs: Path) -> Iterator[AppleIdp]:
    with start_apple_stand_in(idp_logs) as idp:
        yield idp


@pytest.fixture(scope="session")
def amazon_idp(idp_logs: Path) -> Iterator[OAuth2Idp]:
    user = {"id": "amzn1.account.AF2EXAMPLE", "email": "carol@example.test", "name": "Carol", "postal_code": "98109"}
    with start_oauth2_mock(idp_logs, "amazon", user) as idp:
        yield idp


@pytest.fixture(scope="session")
def facebook_idp(idp_logs: Path) -> Iterator[OAuth2Idp]:
    user = {
        "id": "10158223344556677",
        "email": "dave@example.test",
        "name": "Dave Lister",
        "first_name": "Dave",
        "last_name": "Lister",
    }
    with start_oauth2_mock(idp_logs, "facebook", user) as idp:
        yield idp


class _FormPost(html.parser.HTMLParser):
    """The action and fields of the first form of an auto-submitting page (OAuth 2.0 Form Post Response
    Mode)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")


def authorize_at(authorize_url: str, params: Mapping[str, str], redirect_uri: str, hops: int = 10) -> dict[str, str]:
    """Walk an authorization request through the provider as a browser would (cookies kept, each redirect
    followed by hand) until it sends the browser to ``redirect_uri``: the fields it sends there, from the
    query or from a form_post page."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        response = browser.get(authorize_url, params=dict(params))
        for _ in range(hops):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.split("?")[0] == redirect_uri:
                    return dict(parse_qsl(urlsplit(location).query))
                response = browser.get(location)
                continue
            form = _FormPost()
            form.feed(response.text)
            if response.status_code == 200 and form.action == redirect_uri:
                return form.fields
            raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
    raise AssertionError("too many redirects")


# The SAML identity providers' fixtures live beside this file; imported here so that every test module sees them.
from tests.federation.saml_idps import (  # noqa: E402
    pysaml2_encrypting_idp,
    pysaml2_idp,
    pysaml2_sha1_idp,
    samlify_idp,
    samlify_signed_response_idp,
)

__all__ = [
    "pysaml2_encrypting_idp",
    "pysaml2_idp",
    "pysaml2_sha1_idp",
    "samlify_idp",
    "samlify_signed_response_idp",
]
