"""A userpool server on a real socket, with real identity providers beside it whose registered redirect URI is the
server's ``/oauth2/idpresponse``, and a browser stand-in that walks a sign-in through them: the application's
authorization request, the provider's pages, the provider's answer back to the server, the application's
callback (Cognito developer guide: 'OIDC user pool IdP authentication flow').

The server is started with ``federation.allow_http_idp_urls`` (the providers listen on loopback http) and the
social providers' fixed endpoints replaced by the stand-ins' (``federation.social_endpoints``): Google by an
oidc-provider, Sign in with Apple by the Apple stand-in, Login with Amazon and Facebook by oauth2-mock-server.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.federation.conftest import (
    AppleIdp,
    OAuth2Idp,
    OidcIdp,
    _FormPost,
    start_apple_stand_in,
    start_oauth2_mock,
    start_oidc_provider,
)
from tests.oauth.conftest import CALLBACK, MovableClock
from tests.support import hosted
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from userpool.app import Runtime, build_runtime, create_app
from userpool.config import FederationSettings, SocialEndpoints
from userpool.outbound.httpx_client import HttpxOutbound

AMAZON_USER = {"id": "amzn1.account.AF2EXAMPLE", "email": "carol@example.test", "name": "Carol", "postal_code": "98109"}
FACEBOOK_USER = {
    "id": "10158223344556677",
    "email": "dave@example.test",
    "name": "Dave Lister",
    "first_name": "Dave",
    "last_name": "Lister",
}


@dataclass
class FederationServer:
    """The running server (``idp`` is a boto3 cognito-idp client for it), its movable clock, and the providers."""

    url: str
    idp: Any
    clock: MovableClock
    runtime: Runtime
    oidc: OidcIdp
    apple: AppleIdp | None = None
    amazon: OAuth2Idp | None = None
    facebook: OAuth2Idp | None = None
    providers: ExitStack | None = None

    def stop_providers(self) -> None:
        """Stop every identity provider process now (the server keeps running)."""
        if self.providers is not None:
            self.providers.close()

    @property
    def idp_response(self) -> str:
        return f"{self.url}/oauth2/idpresponse"

    def issuer(self, pool_id: str) -> str:
        return f"{self.url}/{pool_id}"

    def verify(self, pool_id: str, token: str) -> dict[str, Any]:
        """The claims of one of our tokens, its signature checked with the pool's published keys."""
        keys = KeySet.import_key_set(httpx.get(f"{self.issuer(pool_id)}/.well-known/jwks.json").json())
        return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)


@contextmanager
def federation_server(base: Path, social: bool = True, **over: Any) -> Iterator[FederationServer]:
    """A server and its providers (the social stand-ins too when ``social``), until the block ends; ``over``:
    more settings (e.g. ``triggers``)."""
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    back = f"{url}/oauth2/idpresponse"
    logs = base / "idp-logs"
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        # Closed however the block ends: a provider that fails to start must not leave the port open.
        stack.callback(sock.close)
        providers = stack.enter_context(ExitStack())
        oidc = providers.enter_context(start_oidc_provider(logs, back))
        endpoints: dict[str, SocialEndpoints] = {
            "Google": SocialEndpoints(
                authorize_url=oidc.authorize_url,
                token_url=oidc.token_url,
                attributes_url=oidc.userinfo_url + "?personFields=",
                oidc_issuer=oidc.issuer,
                jwks_uri=oidc.jwks_uri,
            )
        }
        apple = amazon = facebook = None
        if social:
            apple = providers.enter_context(start_apple_stand_in(logs, back))
            amazon = providers.enter_context(start_oauth2_mock(logs, "amazon", AMAZON_USER, back))
            facebook = providers.enter_context(start_oauth2_mock(logs, "facebook", FACEBOOK_USER, back))
            endpoints["SignInWithApple"] = SocialEndpoints(
                authorize_url=apple.authorize_url,
                token_url=apple.token_url,
                oidc_issuer=apple.issuer,
                jwks_uri=apple.jwks_uri,
            )
            for kind, mock in (("LoginWithAmazon", amazon), ("Facebook", facebook)):
                endpoints[kind] = SocialEndpoints(
                    authorize_url=mock.authorize_url, token_url=mock.token_url, attributes_url=mock.attributes_url
                )
        settings = make_settings(
            base / "data",
            f"sqlite:///{base / 'userpool.sqlite3'}",
            port=port,
            public_url=url,
            federation=FederationSettings(allow_http_idp_urls=True, social_endpoints=endpoints),
            **over,
        )
        clock = MovableClock()
        runtime = build_runtime(settings, clock)
        stack.callback(runtime.store.dispose)
        outbound = runtime.deps.outbound
        assert isinstance(outbound, HttpxOutbound)
        stack.callback(outbound.close)
        stack.enter_context(serve_in_thread(create_app(settings, runtime=runtime), sock))
        boto = socket_client(url, ACCESS_KEY, SECRET_KEY)
        yield FederationServer(url, boto, clock, runtime, oidc, apple, amazon, facebook, providers)


def new_pool(server: FederationServer, name: str = "Federated") -> str:
    """A pool whose usernames are case-insensitive (the console's default): federated usernames lower-cased."""
    pool = server.idp.create_user_pool(PoolName=name, UsernameConfiguration={"CaseSensitive": False})
    return str(pool["UserPool"]["Id"])


def federated_client(server: FederationServer, pool_id: str, providers: list[str], **over: Any) -> dict[str, Any]:
    """An app client for the code flow (openid email profile, the test CALLBACK) offering ``providers``."""
    config: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ClientName": "web",
        "GenerateSecret": True,
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email", "profile"],
        "CallbackURLs": [CALLBACK],
        "SupportedIdentityProviders": providers,
        **over,
    }
    return dict(server.idp.create_user_pool_client(**config)["UserPoolClient"])


def oidc_provider(server: FederationServer, pool_id: str, name: str = "Corp", **over: Any) -> dict[str, Any]:
    """An OIDC provider record for the oidc-provider process, endpoints found by discovery."""
    details = {
        "client_id": server.oidc.client_id,
        "client_secret": server.oidc.secret,
        "authorize_scopes": "openid email profile",
        "attributes_request_method": "GET",
        "oidc_issuer": server.oidc.issuer,
    }
    request: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ProviderName": name,
        "ProviderType": "OIDC",
        "ProviderDetails": details,
        "AttributeMapping": {"email": "email", "email_verified": "email_verified", "given_name": "given_name"},
        **over,
    }
    return dict(server.idp.create_identity_provider(**request)["IdentityProvider"])


@dataclass
class AppRequest:
    """The application's side of one authorization request: what it sent and must get back."""

    state: str
    nonce: str
    verifier: str

    @property
    def challenge(self) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).decode().rstrip("=")


def start(
    browser: httpx.Client, server: FederationServer, client: dict[str, Any], **params: str
) -> tuple[httpx.Response, AppRequest]:
    """The application sends the browser to /oauth2/authorize (code flow, PKCE); the server's answer."""
    app = AppRequest(secrets.token_urlsafe(12), secrets.token_urlsafe(12), secrets.token_urlsafe(48))
    query = {
        "response_type": "code",
        "client_id": client["ClientId"],
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": app.state,
        "nonce": app.nonce,
        "code_challenge": app.challenge,
        "code_challenge_method": "S256",
        **params,
    }
    return browser.get(f"{server.url}/oauth2/authorize", params=query), app


@dataclass
class ProviderAnswer:
    """How the provider sent the browser back: by GET (``url``) or by an auto-posting form (``fields``)."""

    url: str
    fields: dict[str, str] | None = None

    @property
    def params(self) -> dict[str, str]:
        return self.fields if self.fields is not None else dict(parse_qsl(urlsplit(self.url).query))


def walk_provider(browser: httpx.Client, server: FederationServer, to_provider: httpx.Response) -> ProviderAnswer:
    """Follow the provider's pages, as a browser would, until it sends the browser back to the server."""
    assert to_provider.is_redirect, to_provider.text
    response = to_provider
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(server.idp_response):
                return ProviderAnswer(location)
            response = browser.get(location)
            continue
        form = _FormPost()
        form.feed(response.text)
        if response.status_code == 200 and form.action == server.idp_response:
            return ProviderAnswer(server.idp_response, form.fields)
        raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
    raise AssertionError("too many redirects")


def deliver(browser: httpx.Client, answer: ProviderAnswer) -> httpx.Response:
    """The browser brings the provider's answer to /oauth2/idpresponse."""
    if answer.fields is not None:
        return browser.post(answer.url, data=answer.fields)
    return browser.get(answer.url)


def callback_params(response: httpx.Response) -> dict[str, str]:
    """What the server sent the application: the query of its redirect to CALLBACK."""
    return hosted.callback_params(response, CALLBACK)


def sign_in(
    browser: httpx.Client, server: FederationServer, client: dict[str, Any], provider: str, **params: str
) -> tuple[dict[str, str], AppRequest]:
    """A whole federated sign-in: the application's callback parameters and its request."""
    to_provider, app = start(browser, server, client, identity_provider=provider, **params)
    answer = walk_provider(browser, server, to_provider)
    return callback_params(deliver(browser, answer)), app


def redeem(server: FederationServer, client: dict[str, Any], code: str, app: AppRequest) -> dict[str, Any]:
    """The application's token request for ``code`` (client_secret_basic, PKCE)."""
    answer = httpx.post(
        f"{server.url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": app.verifier,
        },
        auth=(client["ClientId"], client["ClientSecret"]),
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def refresh(server: FederationServer, client: dict[str, Any], refresh_token: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(client["ClientId"], client["ClientSecret"]),
    )


def users_of(server: FederationServer, pool_id: str) -> list[dict[str, Any]]:
    return list(server.idp.list_users(UserPoolId=pool_id)["Users"])


def attributes(user: Mapping[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("Attributes") or user.get("UserAttributes") or []}


@dataclass(frozen=True)
class ProviderPool:
    """A pool of the server acting as another pool's OIDC provider: its id, the app client the other pool signs
    in with (its callback is the server's /oauth2/idpresponse) and its one user's name, password and sub."""

    pool_id: str
    client: dict[str, Any]
    username: str
    password: str
    sub: str


def provider_pool(server: FederationServer) -> ProviderPool:
    """A case-sensitive pool with a confirmed user whose e-mail address is verified, and its app client for the
    pools that sign in through it."""
    pool_id = server.idp.create_user_pool(PoolName="Provider")["UserPool"]["Id"]
    client = server.idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="relying-pool",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[server.idp_response],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    username, password = "Bertha", "Pool-B-Passw0rd!"
    created = server.idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": "bertha@example.test"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )["User"]
    server.idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return ProviderPool(pool_id, dict(client), username, password, attributes(created)["sub"])


def pool_provider(
    server: FederationServer, pool_id: str, provider: ProviderPool, name: str = "PoolB", method: str = "GET"
) -> dict[str, Any]:
    """An OIDC provider record of ``pool_id`` for the pool ``provider``, endpoints found by discovery at its
    issuer, the e-mail claims mapped; userInfo asked by ``method``."""
    details = {
        "client_id": provider.client["ClientId"],
        "client_secret": provider.client["ClientSecret"],
        "authorize_scopes": "openid email profile",
        "attributes_request_method": method,
        "oidc_issuer": server.issuer(provider.pool_id),
    }
    record = server.idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName=name,
        ProviderType="OIDC",
        ProviderDetails=details,
        AttributeMapping={"email": "email", "email_verified": "email_verified"},
    )
    return dict(record["IdentityProvider"])
