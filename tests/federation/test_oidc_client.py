"""The server as a relying party (services/federation/steps/), against real identity providers: npm
oidc-provider (an OIDC provider, and a Sign in with Apple stand-in that checks Apple's client secret) and
npm oauth2-mock-server (Login with Amazon and Facebook shapes). Each step is called as the sign-in flow
calls it, with a Ctx of a real runtime."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

from tests.conftest import make_settings
from tests.federation.conftest import REDIRECT_URI, AppleIdp, OAuth2Idp, OidcIdp, authorize_at
from userpool.app import Runtime, build_runtime
from userpool.config import FederationSettings
from userpool.context import Ctx
from userpool.crypto.idp_key_sets import IdpKeySets
from userpool.outbound.httpx_client import HttpxOutbound
from userpool.outbound.port import OutboundResponse
from userpool.services.federation.steps.code_exchange import IdpTokens, apple_client_secret, exchange_code
from userpool.services.federation.steps.id_tokens import CLOCK_SKEW_SECONDS, verify_id_token
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure
from userpool.services.federation.steps.idp_keys import MAX_AGE_SECONDS, REFETCH_INTERVAL_SECONDS
from userpool.services.federation.steps.oidc_discovery import OidcEndpoints, discover
from userpool.services.federation.steps.userinfo import fetch_attributes


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A server's runtime that may call identity providers on loopback addresses over http."""
    base = tmp_path_factory.mktemp("relying-party")
    settings = make_settings(
        base / "data", f"sqlite:///{base / 'userpool.sqlite3'}", federation=FederationSettings(allow_http_idp_urls=True)
    )
    built = build_runtime(settings)
    yield built
    assert isinstance(built.deps.outbound, HttpxOutbound)
    built.deps.outbound.close()
    built.store.dispose()


def relying_party(runtime: Runtime, now: float | None = None, allow_http: bool = True) -> Ctx:
    """A call's Ctx at ``now``, with a key cache of its own (as a fresh process would have)."""
    deps = replace(runtime.deps, idp_keys=IdpKeySets())
    if not allow_http:
        settings = runtime.deps.settings.replace(federation=FederationSettings())
        deps = replace(deps, settings=settings, outbound=HttpxOutbound(allow_http=False))
    return Ctx(deps=deps, request_id="test", now=time.time() if now is None else now, region="us-east-1")


def _code(idp: OidcIdp, client_id: str, nonce: str, **extra: str) -> str:
    state = secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": idp.redirect_uri,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        **extra,
    }
    fields = authorize_at(idp.authorize_url, params, idp.redirect_uri)
    assert fields["state"] == state
    return fields["code"]


def _sign_in(ctx: Ctx, idp: OidcIdp, client_id: str = "", nonce: str = "n-0S6_WzA2Mj", **extra: str) -> IdpTokens:
    """A code from walking the provider's authorization, exchanged at its token endpoint."""
    client_id = client_id or idp.client_id
    return exchange_code(
        ctx,
        provider_name="Corp",
        token_url=idp.token_url,
        code=_code(idp, client_id, nonce, **extra),
        redirect_uri=idp.redirect_uri,
        client_id=client_id,
        client_secret=idp.secret,
    )


def _verify(ctx: Ctx, idp: OidcIdp, id_token: str, **over: str) -> dict[str, Any]:
    expected = {
        "issuer": idp.issuer,
        "client_id": idp.client_id,
        "client_secret": idp.secret,
        "jwks_uri": idp.jwks_uri,
        "nonce": "n-0S6_WzA2Mj",
        **over,
    }
    return verify_id_token(ctx, id_token, **expected)


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a JWT, unverified."""
    header, payload = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in token.split(".")[:2])
    return header, payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _failure(call: Any, *args: Any, **kwargs: Any) -> IdpError:
    with pytest.raises(IdpError) as failed:
        call(*args, **kwargs)
    return failed.value


@pytest.fixture(scope="module")
def signed_in(runtime: Runtime, oidc_idp: OidcIdp) -> IdpTokens:
    """Tokens of one sign-in as alice, for the tests that only look at them."""
    return _sign_in(relying_party(runtime), oidc_idp)


# Discovery


def test_discover__reads_the_providers_endpoints(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    assert discover(relying_party(runtime), oidc_idp.issuer) == OidcEndpoints(
        issuer=oidc_idp.issuer,
        authorize_url=oidc_idp.authorize_url,
        token_url=oidc_idp.token_url,
        attributes_url=oidc_idp.userinfo_url,
        jwks_uri=oidc_idp.jwks_uri,
    )


def test_discover__an_issuer_that_differs_from_the_documents_by_a_slash_is_refused(
    runtime: Runtime, oidc_idp: OidcIdp
) -> None:
    failure = _failure(discover, relying_party(runtime), oidc_idp.issuer + "/")
    assert failure.reason is IdpFailure.DISCOVERY_ISSUER_MISMATCH


def test_discover__a_provider_without_a_configuration_is_unreachable(runtime: Runtime, amazon_idp: OAuth2Idp) -> None:
    failure = _failure(discover, relying_party(runtime), amazon_idp.issuer + "/tenant")
    assert (failure.reason, failure.description) == (
        IdpFailure.DISCOVERY_UNREACHABLE,
        "404 error getting the IdP well-known configuration",
    )


def test_discover__a_closed_port_is_unreachable(runtime: Runtime) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    failure = _failure(discover, relying_party(runtime), f"http://127.0.0.1:{port}")
    assert (failure.reason, failure.description) == (IdpFailure.DISCOVERY_UNREACHABLE, "Could not connect")


def test_discover__http_is_refused_without_the_switch(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    failure = _failure(discover, relying_party(runtime, allow_http=False), oidc_idp.issuer)
    assert (failure.reason, failure.description) == (IdpFailure.URL_REFUSED, "oidc_issuer must use https")


def test_discover__http_to_a_public_address_is_refused_even_with_the_switch(runtime: Runtime) -> None:
    failure = _failure(discover, relying_party(runtime), "http://203.0.113.7:8080")
    assert failure.reason is IdpFailure.URL_REFUSED
    assert failure.description == (
        "oidc_issuer may use http or a port other than 443 only on a loopback or private address"
    )


# The code exchange, the ID token and userinfo with an OIDC provider


def test_oidc_sign_in__code_exchanged_with_client_secret_post_id_token_verified_and_userinfo_read(
    runtime: Runtime, oidc_idp: OidcIdp
) -> None:
    ctx = relying_party(runtime)
    tokens = _sign_in(ctx, oidc_idp)
    assert tokens.access_token and tokens.token_type == "Bearer" and tokens.expires_in

    claims = _verify(ctx, oidc_idp, tokens.id_token)
    assert claims["sub"] == "alice" and claims["aud"] == oidc_idp.client_id and claims["iss"] == oidc_idp.issuer
    # The library's default (conformIdTokenClaims): scope claims are given by userinfo only.
    assert "email" not in claims

    attributes = fetch_attributes(
        ctx,
        provider_name="Corp",
        attributes_url=oidc_idp.userinfo_url,
        access_token=tokens.access_token,
        id_token_subject=claims["sub"],
    )
    assert attributes == {"sub": "alice", **oidc_idp.accounts["alice"]}


def test_oidc_sign_in__login_hint_signs_in_another_account_read_by_post(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    ctx = relying_party(runtime)
    tokens = _sign_in(ctx, oidc_idp, login_hint="bob")
    assert _verify(ctx, oidc_idp, tokens.id_token)["sub"] == "bob"
    attributes = fetch_attributes(
        ctx,
        provider_name="Corp",
        attributes_url=oidc_idp.userinfo_url,
        access_token=tokens.access_token,
        attributes_request_method="POST",
        id_token_subject="bob",
    )
    assert attributes["email"] == "bob@example.test" and attributes["email_verified"] is False


@pytest.mark.parametrize(("client", "alg"), [("es256_client_id", "ES256"), ("ps256_client_id", "PS256")])
def test_oidc_sign_in__es256_and_ps256_id_tokens_verified_with_the_providers_keys(
    runtime: Runtime, oidc_idp: OidcIdp, client: str, alg: str
) -> None:
    ctx = relying_party(runtime)
    client_id = getattr(oidc_idp, client)
    tokens = _sign_in(ctx, oidc_idp, client_id=client_id)
    assert _parts(tokens.id_token)[0]["alg"] == alg
    assert _verify(ctx, oidc_idp, tokens.id_token, client_id=client_id)["sub"] == "alice"


def test_oidc_sign_in__hs256_id_token_verified_with_the_client_secret_only(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    ctx = relying_party(runtime)
    tokens = _sign_in(ctx, oidc_idp, client_id=oidc_idp.hs256_client_id)
    assert _parts(tokens.id_token)[0]["alg"] == "HS256"
    claims = _verify(ctx, oidc_idp, tokens.id_token, client_id=oidc_idp.hs256_client_id)
    assert claims["aud"] == oidc_idp.hs256_client_id

    wrong = _failure(
        _verify, ctx, oidc_idp, tokens.id_token, client_id=oidc_idp.hs256_client_id, client_secret="not-the-secret"
    )
    assert wrong.reason is IdpFailure.ID_TOKEN_SIGNATURE
    none = _failure(_verify, ctx, oidc_idp, tokens.id_token, client_id=oidc_idp.hs256_client_id, client_secret="")
    assert none.reason is IdpFailure.ID_TOKEN_ALGORITHM


def test_exchange_code__with_pkce_the_verifier_is_sent_and_checked_by_the_provider(
    runtime: Runtime, oidc_idp: OidcIdp
) -> None:
    ctx = relying_party(runtime)
    verifier = secrets.token_urlsafe(48)
    challenge = _b64(hashlib.sha256(verifier.encode()).digest())
    exchange = {
        "provider_name": "Corp",
        "token_url": oidc_idp.token_url,
        "redirect_uri": oidc_idp.redirect_uri,
        "client_id": oidc_idp.client_id,
        "client_secret": oidc_idp.secret,
    }
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = _code(oidc_idp, oidc_idp.client_id, "n", **pkce)
    assert exchange_code(ctx, code=code, code_verifier=verifier, **exchange).access_token
    code = _code(oidc_idp, oidc_idp.client_id, "n", **pkce)
    failure = _failure(exchange_code, ctx, code=code, code_verifier=secrets.token_urlsafe(48), **exchange)
    assert failure.description == "Corp Error - 400 error getting token"


def test_exchange_code__a_used_code_is_the_providers_error(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    ctx = relying_party(runtime)
    code = _code(oidc_idp, oidc_idp.client_id, "n")
    exchange = {
        "provider_name": "Corp",
        "token_url": oidc_idp.token_url,
        "code": code,
        "redirect_uri": oidc_idp.redirect_uri,
        "client_id": oidc_idp.client_id,
        "client_secret": oidc_idp.secret,
    }
    exchange_code(ctx, **exchange)
    failure = _failure(exchange_code, ctx, **exchange)
    assert (failure.reason, failure.description) == (IdpFailure.TOKEN_ERROR, "Corp Error - 400 error getting token")


def test_exchange_code__a_wrong_client_secret_is_the_providers_error(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    ctx = relying_party(runtime)
    failure = _failure(
        exchange_code,
        ctx,
        provider_name="Corp",
        token_url=oidc_idp.token_url,
        code=_code(oidc_idp, oidc_idp.client_id, "n"),
        redirect_uri=oidc_idp.redirect_uri,
        client_id=oidc_idp.client_id,
        client_secret="wrong",
    )
    assert (failure.reason, failure.description) == (IdpFailure.TOKEN_ERROR, "Corp Error - 401 error getting token")


def test_exchange_code__google_errors_carry_the_providers_error_code(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    failure = _failure(
        exchange_code,
        relying_party(runtime),
        provider_name="Google",
        token_url=oidc_idp.token_url,
        code="not-a-code",
        redirect_uri=oidc_idp.redirect_uri,
        client_id=oidc_idp.client_id,
        client_secret=oidc_idp.secret,
    )
    assert failure.description == "Google Error - 400 invalid_grant"


def test_exchange_code__http_token_url_is_refused_without_the_switch(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    failure = _failure(
        exchange_code,
        relying_party(runtime, allow_http=False),
        provider_name="Corp",
        token_url=oidc_idp.token_url,
        code="c",
        redirect_uri=oidc_idp.redirect_uri,
        client_id=oidc_idp.client_id,
        client_secret=oidc_idp.secret,
    )
    assert (failure.reason, failure.description) == (
        IdpFailure.URL_REFUSED,
        "The identity provider URL must use https",
    )


def test_fetch_attributes__a_userinfo_subject_other_than_the_id_tokens_is_refused(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens
) -> None:
    failure = _failure(
        fetch_attributes,
        relying_party(runtime),
        provider_name="Corp",
        attributes_url=oidc_idp.userinfo_url,
        access_token=signed_in.access_token,
        id_token_subject="mallory",
    )
    assert failure.reason is IdpFailure.ATTRIBUTES_SUBJECT_MISMATCH


def test_fetch_attributes__a_refused_access_token_is_the_providers_error(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    failure = _failure(
        fetch_attributes,
        relying_party(runtime),
        provider_name="Corp",
        attributes_url=oidc_idp.userinfo_url,
        access_token="not-a-token",
    )
    assert (failure.reason, failure.description) == (
        IdpFailure.ATTRIBUTES_ERROR,
        "Corp Error - 401 error getting user attributes",
    )


# ID tokens the provider did not issue, or not to us, or not now


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"nonce": "another-nonce"}, IdpFailure.ID_TOKEN_NONCE),
        ({"nonce": ""}, IdpFailure.ID_TOKEN_NONCE),
        ({"client_id": "someone-else"}, IdpFailure.ID_TOKEN_AUDIENCE),
        ({"issuer": "http://127.0.0.1:1"}, IdpFailure.ID_TOKEN_ISSUER),
    ],
)
def test_verify_id_token__a_token_for_another_request_is_refused(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens, over: dict[str, str], reason: IdpFailure
) -> None:
    assert _failure(_verify, relying_party(runtime), oidc_idp, signed_in.id_token, **over).reason is reason


def test_verify_id_token__an_issuer_alias_is_accepted_only_when_given(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens
) -> None:
    ctx = relying_party(runtime)
    configured = "https://accounts.example.test"
    refused = _failure(_verify, ctx, oidc_idp, signed_in.id_token, issuer=configured)
    assert refused.reason is IdpFailure.ID_TOKEN_ISSUER
    claims = verify_id_token(
        ctx,
        signed_in.id_token,
        issuer=configured,
        issuer_aliases=(oidc_idp.issuer,),
        client_id=oidc_idp.client_id,
        client_secret=oidc_idp.secret,
        jwks_uri=oidc_idp.jwks_uri,
        nonce="n-0S6_WzA2Mj",
    )
    assert claims["iss"] == oidc_idp.issuer


def test_verify_id_token__expiry_and_issue_time_are_checked_against_the_calls_clock(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens
) -> None:
    claims = _parts(signed_in.id_token)[1]
    late = relying_party(runtime, now=claims["exp"] + CLOCK_SKEW_SECONDS + 1)
    early = relying_party(runtime, now=claims["iat"] - CLOCK_SKEW_SECONDS - 1)
    assert _failure(_verify, late, oidc_idp, signed_in.id_token).reason is IdpFailure.ID_TOKEN_EXPIRED
    assert _failure(_verify, early, oidc_idp, signed_in.id_token).reason is IdpFailure.ID_TOKEN_NOT_YET_VALID
    # Within the skew either way, it passes.
    assert _verify(relying_party(runtime, now=claims["exp"] + CLOCK_SKEW_SECONDS - 1), oidc_idp, signed_in.id_token)


def test_verify_id_token__a_token_of_another_provider_names_a_key_this_one_does_not_publish(
    runtime: Runtime, oidc_idp: OidcIdp, amazon_idp: OAuth2Idp
) -> None:
    ctx = relying_party(runtime)
    # oauth2-mock-server's access tokens are RS256 JWTs signed with a key of its own.
    foreign = exchange_code(
        ctx,
        provider_name="LoginWithAmazon",
        token_url=amazon_idp.token_url,
        code=_social_code(amazon_idp, "profile"),
        redirect_uri=amazon_idp.redirect_uri,
        client_id=amazon_idp.client_id,
        client_secret=amazon_idp.client_secret,
    ).access_token
    assert _parts(foreign)[0]["alg"] == "RS256"
    assert _failure(_verify, ctx, oidc_idp, foreign).reason is IdpFailure.ID_TOKEN_UNKNOWN_KEY


def _forged(header: dict[str, Any], claims: dict[str, Any], sign: Any) -> str:
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    return signing_input + "." + _b64(sign(signing_input.encode()))


def _provider_keys(oidc_idp: OidcIdp, runtime: Runtime) -> dict[str, dict[str, Any]]:
    body = relying_party(runtime).outbound.get(oidc_idp.jwks_uri).body
    return {key["kty"]: key for key in json.loads(body)["keys"]}


def test_verify_id_token__a_token_signed_by_another_key_under_the_providers_kid_is_refused(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens
) -> None:
    header, claims = _parts(signed_in.id_token)
    impostor = RSAKey.generate_key(2048, private=True)
    forged = jws.serialize_compact(header, json.dumps(claims), impostor, algorithms=["RS256"])
    failure = _failure(_verify, relying_party(runtime), oidc_idp, forged)
    assert failure.reason is IdpFailure.ID_TOKEN_SIGNATURE


def test_verify_id_token__alg_none_is_refused(runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens) -> None:
    header, claims = _parts(signed_in.id_token)
    unsigned = _forged({**header, "alg": "none"}, claims, lambda _: b"")
    assert _failure(_verify, relying_party(runtime), oidc_idp, unsigned).reason is IdpFailure.ID_TOKEN_ALGORITHM
    no_signature = unsigned.rsplit(".", 1)[0] + "."
    assert _failure(_verify, relying_party(runtime), oidc_idp, no_signature).reason is IdpFailure.ID_TOKEN_ALGORITHM


def test_verify_id_token__hs256_keyed_with_the_providers_public_rsa_key_is_refused(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens
) -> None:
    header, claims = _parts(signed_in.id_token)
    public = RSAKey.import_key(_provider_keys(oidc_idp, runtime)["RSA"])
    for secret in (public.as_pem(private=False), json.dumps(public.as_dict(private=False)).encode()):
        forged = _forged(
            {**header, "alg": "HS256"}, claims, lambda data, k=secret: hmac.digest(k, data, hashlib.sha256)
        )
        failure = _failure(_verify, relying_party(runtime), oidc_idp, forged)
        assert failure.reason is IdpFailure.ID_TOKEN_SIGNATURE


def test_verify_id_token__a_key_of_the_wrong_type_for_the_algorithm_is_refused(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens
) -> None:
    header, claims = _parts(signed_in.id_token)
    ec_kid = _provider_keys(oidc_idp, runtime)["EC"]["kid"]
    # An RS256 token naming the provider's EC key, and an ES384 one naming it (a P-256 key).
    for alg in ("RS256", "ES384"):
        forged = _forged({**header, "alg": alg, "kid": ec_kid}, claims, lambda _: b"x" * 64)
        failure = _failure(_verify, relying_party(runtime), oidc_idp, forged)
        assert failure.reason is IdpFailure.ID_TOKEN_ALGORITHM


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d.e", "!!.??.##", _b64(b"[]") + "." + _b64(b"{}") + ".sig"],
)
def test_verify_id_token__a_malformed_token_is_refused(runtime: Runtime, oidc_idp: OidcIdp, token: str) -> None:
    assert _failure(_verify, relying_party(runtime), oidc_idp, token).reason is IdpFailure.ID_TOKEN_MALFORMED


# The provider's keys: cached per process, fetched again when old or when a token names an unknown key


class CountingOutbound:
    """The runtime's real outbound client, counting the calls to each URL."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: dict[str, int] = {}

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        self.calls[url] = self.calls.get(url, 0) + 1
        return self.inner.get(url, headers)  # type: ignore[no-any-return]

    def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> OutboundResponse:
        self.calls[url] = self.calls.get(url, 0) + 1
        return self.inner.post_form(url, form, headers)  # type: ignore[no-any-return]


def test_idp_keys__fetched_once_then_again_on_an_unknown_kid_at_most_every_30_s_and_after_an_hour(
    runtime: Runtime, oidc_idp: OidcIdp, signed_in: IdpTokens
) -> None:
    counting = CountingOutbound(runtime.deps.outbound)
    deps = replace(runtime.deps, outbound=counting, idp_keys=IdpKeySets())
    now = float(_parts(signed_in.id_token)[1]["iat"])

    def at(offset: float) -> Ctx:
        return Ctx(deps=deps, request_id="t", now=now + offset, region="us-east-1")

    header, claims = _parts(signed_in.id_token)
    unknown = _forged({**header, "kid": "rotated-away"}, claims, lambda _: b"x" * 256)

    _verify(at(0), oidc_idp, signed_in.id_token)
    _verify(at(1), oidc_idp, signed_in.id_token)
    assert counting.calls[oidc_idp.jwks_uri] == 1
    assert _failure(_verify, at(2), oidc_idp, unknown).reason is IdpFailure.ID_TOKEN_UNKNOWN_KEY
    assert _failure(_verify, at(3), oidc_idp, unknown).reason is IdpFailure.ID_TOKEN_UNKNOWN_KEY
    assert counting.calls[oidc_idp.jwks_uri] == 1
    _failure(_verify, at(1 + REFETCH_INTERVAL_SECONDS), oidc_idp, unknown)
    assert counting.calls[oidc_idp.jwks_uri] == 2
    # The keys are used from the cache until they are an hour old.
    _verify(at(30 + MAX_AGE_SECONDS), oidc_idp, signed_in.id_token)
    assert counting.calls[oidc_idp.jwks_uri] == 2
    _verify(at(32 + MAX_AGE_SECONDS), oidc_idp, signed_in.id_token)
    assert counting.calls[oidc_idp.jwks_uri] == 3


def test_idp_keys__a_jwks_uri_without_a_key_set_is_invalid(runtime: Runtime, oidc_idp: OidcIdp) -> None:
    tokens = _sign_in(relying_party(runtime), oidc_idp)
    failure = _failure(_verify, relying_party(runtime), oidc_idp, tokens.id_token, jwks_uri=oidc_idp.userinfo_url)
    # /me without a token answers 400 or 401: the key set cannot be had.
    assert failure.reason is IdpFailure.JWKS_UNREACHABLE
    discovery = oidc_idp.issuer + "/.well-known/openid-configuration"
    failure = _failure(_verify, relying_party(runtime), oidc_idp, tokens.id_token, jwks_uri=discovery)
    assert failure.reason is IdpFailure.JWKS_INVALID


# Sign in with Apple: the client secret is an ES256 JWT the stand-in checks as Apple does


def _apple_code(idp: AppleIdp, nonce: str) -> str:
    state = secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "response_mode": "form_post",
        "client_id": idp.client_id,
        "redirect_uri": idp.redirect_uri,
        "scope": "openid email",
        "state": state,
        "nonce": nonce,
    }
    fields = authorize_at(idp.authorize_url, params, idp.redirect_uri)
    assert fields["state"] == state
    return fields["code"]


def _apple_exchange(ctx: Ctx, idp: AppleIdp, client_secret: str) -> IdpTokens:
    return exchange_code(
        ctx,
        provider_name="SignInWithApple",
        token_url=idp.token_url,
        code=_apple_code(idp, "apple-nonce"),
        redirect_uri=idp.redirect_uri,
        client_id=idp.client_id,
        client_secret=client_secret,
    )


def test_apple_sign_in__the_es256_client_secret_is_accepted_and_the_form_post_code_exchanged(
    runtime: Runtime, apple_idp: AppleIdp
) -> None:
    ctx = relying_party(runtime)
    secret = apple_client_secret(
        ctx,
        private_key=apple_idp.private_key,
        team_id=apple_idp.team_id,
        key_id=apple_idp.key_id,
        client_id=apple_idp.client_id,
        audience=apple_idp.issuer,
    )
    tokens = _apple_exchange(ctx, apple_idp, secret)
    claims = verify_id_token(
        ctx,
        tokens.id_token,
        issuer=apple_idp.issuer,
        client_id=apple_idp.client_id,
        client_secret="",
        jwks_uri=apple_idp.jwks_uri,
        nonce="apple-nonce",
    )
    assert claims["sub"] == "alice"
    # As Apple sends it: in the ID token, and a string.
    assert claims["email"] == "alice@example.test" and claims["email_verified"] == "true"


@pytest.mark.parametrize("wrong", ["another_key", "another_kid", "apple_audience", "another_team"])
def test_apple_sign_in__a_client_secret_apple_would_refuse_is_refused(
    runtime: Runtime, apple_idp: AppleIdp, wrong: str
) -> None:
    ctx = relying_party(runtime)
    other_key = ECKey.generate_key("P-256", private=True).as_pem(private=True).decode()
    secret = apple_client_secret(
        ctx,
        private_key=other_key if wrong == "another_key" else apple_idp.private_key,
        team_id="OTHERTEAM1" if wrong == "another_team" else apple_idp.team_id,
        key_id="OTHERKEY12" if wrong == "another_kid" else apple_idp.key_id,
        client_id=apple_idp.client_id,
        # The default audience is Apple's own, which this stand-in is not.
        **({} if wrong == "apple_audience" else {"audience": apple_idp.issuer}),
    )
    failure = _failure(_apple_exchange, ctx, apple_idp, secret)
    assert (failure.reason, failure.description) == (
        IdpFailure.TOKEN_ERROR,
        "SignInWithApple Error - 400 error getting token",
    )


def test_apple_client_secret__a_key_that_is_not_a_p256_private_key_cannot_sign(runtime: Runtime) -> None:
    ctx = relying_party(runtime)
    for pem in ("not a key", ECKey.generate_key("P-384", private=True).as_pem(private=True).decode()):
        failure = _failure(apple_client_secret, ctx, private_key=pem, team_id="T", key_id="K", client_id="c")
        assert failure.reason is IdpFailure.TOKEN_ERROR


# Social providers over plain OAuth 2.0: Facebook (token call by GET) and Login with Amazon


def _social_code(idp: OAuth2Idp, scope: str) -> str:
    params = {"response_type": "code", "client_id": idp.client_id, "redirect_uri": idp.redirect_uri, "scope": scope}
    return authorize_at(idp.authorize_url, params, idp.redirect_uri)["code"]


def test_facebook_sign_in__token_by_get_and_the_mapped_fields_asked_of_graph_me(
    runtime: Runtime, facebook_idp: OAuth2Idp
) -> None:
    ctx = relying_party(runtime)
    tokens = exchange_code(
        ctx,
        provider_name="Facebook",
        token_url=facebook_idp.token_url,
        code=_social_code(facebook_idp, "public_profile,email"),
        redirect_uri=facebook_idp.redirect_uri,
        client_id=facebook_idp.client_id,
        client_secret=facebook_idp.client_secret,
        token_request_method="GET",
    )
    assert tokens.access_token and tokens.id_token == ""
    attributes = fetch_attributes(
        ctx,
        provider_name="Facebook",
        attributes_url=facebook_idp.attributes_url,
        access_token=tokens.access_token,
        add_attributes=True,
        attribute_names=["email", "name", "email"],
    )
    user = facebook_idp.user
    assert attributes == {"id": user["id"], "email": user["email"], "name": user["name"]}


def test_facebook_sign_in__a_post_to_the_get_only_token_endpoint_is_the_providers_error(
    runtime: Runtime, facebook_idp: OAuth2Idp
) -> None:
    failure = _failure(
        exchange_code,
        relying_party(runtime),
        provider_name="Facebook",
        token_url=facebook_idp.token_url,
        code="c",
        redirect_uri=facebook_idp.redirect_uri,
        client_id=facebook_idp.client_id,
        client_secret=facebook_idp.client_secret,
    )
    assert failure.description == "Facebook Error - 404 error getting token"


def test_login_with_amazon_sign_in__token_by_post_and_the_profile_read(runtime: Runtime, amazon_idp: OAuth2Idp) -> None:
    ctx = relying_party(runtime)
    tokens = exchange_code(
        ctx,
        provider_name="LoginWithAmazon",
        token_url=amazon_idp.token_url,
        code=_social_code(amazon_idp, "profile postal_code"),
        redirect_uri=amazon_idp.redirect_uri,
        client_id=amazon_idp.client_id,
        client_secret=amazon_idp.client_secret,
    )
    attributes = fetch_attributes(
        ctx, provider_name="LoginWithAmazon", attributes_url=amazon_idp.attributes_url, access_token=tokens.access_token
    )
    user = amazon_idp.user
    assert attributes == {
        "user_id": user["id"],
        "email": user["email"],
        "name": user["name"],
        "postal_code": user["postal_code"],
    }


# Providers that do not answer: AWS's words for what the app is told


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose connections are accepted by the kernel and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture
def hanging_up_port() -> Iterator[int]:
    """A port that closes every connection as soon as the request arrives."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def hang_up() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    thread.join(5)


@pytest.fixture
def impatient(runtime: Runtime) -> Iterator[Ctx]:
    """A call whose outbound client waits 0.2 s for an answer, with a key cache of its own."""
    outbound = HttpxOutbound(allow_http=True, timeout=0.2)
    deps = replace(runtime.deps, outbound=outbound, idp_keys=IdpKeySets())
    yield Ctx(deps=deps, request_id="t", now=time.time(), region="us-east-1")
    outbound.close()


def _exchange_at(ctx: Ctx, token_url: str) -> None:
    exchange_code(
        ctx,
        provider_name="Corp",
        token_url=token_url,
        code="c",
        redirect_uri=REDIRECT_URI,
        client_id="rp",
        client_secret="s",
    )


def test_exchange_code__a_token_endpoint_that_does_not_answer_times_out(impatient: Ctx, silent_port: int) -> None:
    failure = _failure(_exchange_at, impatient, f"http://127.0.0.1:{silent_port}/token")
    assert (failure.reason, failure.description) == (
        IdpFailure.TOKEN_UNREACHABLE,
        "Timeout occurred in calling IdP token endpoint",
    )


def test_exchange_code__a_token_endpoint_that_hangs_up_resets_the_connection(
    impatient: Ctx, hanging_up_port: int
) -> None:
    failure = _failure(_exchange_at, impatient, f"http://127.0.0.1:{hanging_up_port}/token")
    assert (failure.reason, failure.description) == (IdpFailure.TOKEN_UNREACHABLE, "Connection reset")


def test_verify_id_token__a_jwks_uri_that_does_not_answer_times_out(
    impatient: Ctx, oidc_idp: OidcIdp, signed_in: IdpTokens, silent_port: int
) -> None:
    jwks_uri = f"http://127.0.0.1:{silent_port}/jwks"
    failure = _failure(_verify, impatient, oidc_idp, signed_in.id_token, jwks_uri=jwks_uri)
    assert (failure.reason, failure.description) == (IdpFailure.JWKS_UNREACHABLE, "Timeout in calling jwks uri")
