"""GetDerivedToken: token exchange (RFC 8693) of a user's token for a narrower one bound to one audience (API
reference; Cognito developer guide: 'Exchanging tokens for downstream services'). The user's tokens come from the
hosted sign-in and /oauth2/token, or from InitiateAuth; the issued tokens are verified against the pool's JWKS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt as pyjwt
import pytest
from botocore import UNSIGNED

from tests.conftest import Server
from tests.support.auth import PASSWORD, make_client, make_user, payload, sign_in
from tests.support.errors import fails
from tests.support.hosted import code_flow_tokens, in_process_browser
from userpool.services.tokens.steps.signing_keys import issuer as pool_issuer

API = "https://api.example.com"
READ, WRITE, ADMIN = f"{API}/read", f"{API}/write", f"{API}/admin"
CALLBACK = "https://app.example.com/cb"
EXCHANGE = ["ALLOW_TOKEN_EXCHANGE_IMPERSONATION", "ALLOW_TOKEN_EXCHANGE_DELEGATION"]


@dataclass
class Setup:
    server: Server
    idp: Any  # signed with the server's admin key: IAM credentials
    public: Any  # unsigned: only the client's secret authorizes
    pool_id: str
    web: dict[str, Any]
    service: dict[str, Any]

    def claims(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """The claims of a token the pool signed, checked against its JWKS."""
        keys = self.server.test_client.get(f"/{self.pool_id}/.well-known/jwks.json").json()["keys"]
        kid = pyjwt.get_unverified_header(token)["kid"]
        key = pyjwt.PyJWK(next(k for k in keys if k["kid"] == kid)).key
        options = {"verify_aud": audience is not None}
        issuer = pool_issuer(self.server.settings, self.pool_id)
        found: dict[str, Any] = pyjwt.decode(
            token, key, algorithms=["RS256"], audience=audience, issuer=issuer, options=options
        )
        return found

    def derive(self, subject: str, **request: Any) -> dict[str, Any]:
        request.setdefault("SubjectTokenType", "ACCESS_TOKEN")
        answer = self.public.get_derived_token(
            ClientId=self.service["ClientId"],
            ClientSecret=self.service["ClientSecret"],
            SubjectToken=subject,
            **request,
        )
        answer.pop("ResponseMetadata")
        return dict(answer)


@pytest.fixture
def setup(app_server: Server, pool_id: str) -> Setup:
    idp = app_server.client()
    scopes = [{"ScopeName": n, "ScopeDescription": n} for n in ("read", "write", "admin")]
    idp.create_resource_server(UserPoolId=pool_id, Identifier=API, Name="api", Scopes=scopes)
    web = make_client(
        idp,
        pool_id,
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", READ, WRITE],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )
    service = make_client(
        idp,
        pool_id,
        GenerateSecret=True,
        ExplicitAuthFlows=EXCHANGE,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[READ, WRITE, ADMIN],
    )
    make_user(idp, pool_id, "ann", attributes={"email": "ann@example.com"})
    return Setup(app_server, idp, app_server.client(signature_version=UNSIGNED), pool_id, web, service)


def _hosted_tokens(setup: Setup, scope: str = f"openid {READ} {WRITE}") -> dict[str, Any]:
    browser = in_process_browser(setup.server.test_client.app)
    return code_flow_tokens(browser, setup.web, CALLBACK, "ann", PASSWORD, scope)


def test_get_derived_token__narrowed_to_one_scope_and_audience(setup: Setup) -> None:
    subject = _hosted_tokens(setup)["access_token"]
    before = setup.claims(subject)
    answer = setup.derive(subject, Scopes=[READ, ADMIN], Audiences=["billing"])
    assert set(answer) == {"IssuedToken", "IssuedTokenType", "TokenType", "ExpiresIn", "Scopes"}
    assert (answer["IssuedTokenType"], answer["TokenType"], answer["Scopes"]) == ("ACCESS_TOKEN", "Bearer", [READ])
    assert 0 < answer["ExpiresIn"] <= before["exp"] - before["iat"]
    after = setup.claims(answer["IssuedToken"], audience="billing")
    assert after["scope"] == READ  # the admin scope is not the subject's to give
    assert after["aud"] == "billing" and after["client_id"] == setup.service["ClientId"]
    for name in ("sub", "username", "origin_jti", "auth_time", "event_id"):
        assert after[name] == before[name]
    assert after["token_use"] == "access" and after["exp"] - after["iat"] == answer["ExpiresIn"]
    assert after["jti"] != before["jti"] and "act" not in after

    # No scopes asked for: the subject's; a resource server: its scopes only, and it is the audience.
    same = setup.derive(subject, Audiences=["billing"])
    assert sorted(same["Scopes"]) == sorted(["openid", READ, WRITE])
    bound = setup.derive(subject, Resources=[API])
    assert sorted(bound["Scopes"]) == [READ, WRITE]
    assert setup.claims(bound["IssuedToken"], audience=API)["aud"] == API


def test_get_derived_token__revoked_with_the_subject_sign_in(setup: Setup) -> None:
    client = make_client(setup.idp, setup.pool_id)
    tokens = sign_in(setup.idp, client, "ann")
    derived = setup.derive(tokens["AccessToken"], Audiences=["self-service"])
    assert derived["Scopes"] == ["aws.cognito.signin.user.admin"]
    assert setup.idp.get_user(AccessToken=derived["IssuedToken"])["Username"] == "ann"
    setup.idp.revoke_token(ClientId=client["ClientId"], Token=tokens["RefreshToken"])
    assert fails(setup.idp.get_user, AccessToken=derived["IssuedToken"]) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
    assert fails(setup.derive, subject=tokens["AccessToken"]) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )


def test_get_derived_token__delegation_carries_the_actor(setup: Setup) -> None:
    subject = _hosted_tokens(setup)["access_token"]
    service_id = setup.service["ClientId"]
    granted = setup.server.test_client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "scope": ADMIN},
        auth=(service_id, setup.service["ClientSecret"]),
    )
    actor = granted.json()["access_token"]
    answer = setup.derive(
        subject, Scopes=[WRITE], Audiences=["ledger"], ActorToken=actor, ActorTokenType="ACCESS_TOKEN"
    )
    claims = setup.claims(answer["IssuedToken"], audience="ledger")
    assert claims["act"] == {"sub": service_id, "client_id": service_id}
    assert claims["sub"] == payload(subject)["sub"] and claims["scope"] == WRITE
    # The delegated token as the actor of a further exchange: the chain nests (RFC 8693 §4.1).
    chained = setup.derive(
        subject, Audiences=["ledger"], ActorToken=answer["IssuedToken"], ActorTokenType="ACCESS_TOKEN"
    )
    assert setup.claims(chained["IssuedToken"], audience="ledger")["act"] == {
        "sub": claims["sub"],
        "client_id": service_id,
        "act": {"sub": service_id, "client_id": service_id},
    }
    assert fails(setup.derive, subject=subject, ActorToken=actor) == (
        "InvalidParameterException",
        "ActorTokenType is required with an ActorToken.",
    )


def test_get_derived_token__id_tokens(setup: Setup) -> None:
    client = make_client(setup.idp, setup.pool_id)
    tokens = sign_in(setup.idp, client, "ann")
    answer = setup.derive(
        tokens["IdToken"], SubjectTokenType="ID_TOKEN", RequestedTokenType="ID_TOKEN", Audiences=["reports"]
    )
    assert set(answer) == {"IssuedToken", "IssuedTokenType", "TokenType", "ExpiresIn"}
    assert (answer["IssuedTokenType"], answer["TokenType"]) == ("ID_TOKEN", "N_A")
    claims = setup.claims(answer["IssuedToken"], audience="reports")
    before = payload(tokens["IdToken"])
    assert claims["token_use"] == "id" and claims["email"] == "ann@example.com"
    for name in ("sub", "cognito:username", "origin_jti", "auth_time", "event_id"):
        assert claims[name] == before[name]
    # An access token from an ID token: the scope of the sign-in it names.
    access = setup.derive(tokens["IdToken"], SubjectTokenType="ID_TOKEN", Audiences=["reports"])
    assert access["Scopes"] == ["aws.cognito.signin.user.admin"]


def test_get_derived_token__authorized_by_iam_or_the_client_secret(setup: Setup) -> None:
    subject = sign_in(setup.idp, make_client(setup.idp, setup.pool_id), "ann")["AccessToken"]
    service_id = setup.service["ClientId"]
    request = {"ClientId": service_id, "SubjectToken": subject, "SubjectTokenType": "ACCESS_TOKEN"}
    # Signed by an admin key: IAM credentials, no secret needed.
    assert setup.idp.get_derived_token(**request)["IssuedTokenType"] == "ACCESS_TOKEN"
    assert fails(setup.public.get_derived_token, **request) == (
        "NotAuthorizedException",
        f"Client {service_id} is configured for secret but secret was not received",
    )
    assert fails(setup.public.get_derived_token, ClientSecret="w" * 40, **request) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {service_id}",
    )
    # A signature by an unknown key is checked, and refused, as any signed call's.
    stranger = setup.server.client("AKIDUNKNOWN000000000", "x" * 40)
    assert fails(stranger.get_derived_token, **request)[0] == "UnrecognizedClientException"


def test_get_derived_token__errors(setup: Setup) -> None:
    subject = sign_in(setup.idp, make_client(setup.idp, setup.pool_id), "ann")["AccessToken"]
    web_id = setup.web["ClientId"]
    assert fails(
        setup.public.get_derived_token,
        ClientId=web_id,
        ClientSecret=setup.web["ClientSecret"],
        SubjectToken=subject,
        SubjectTokenType="ACCESS_TOKEN",
    ) == ("InvalidParameterException", "TOKEN_EXCHANGE_IMPERSONATION flow not enabled for this client")
    impersonation_only = make_client(
        setup.idp, setup.pool_id, GenerateSecret=True, ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"]
    )
    assert fails(
        setup.public.get_derived_token,
        ClientId=impersonation_only["ClientId"],
        ClientSecret=impersonation_only["ClientSecret"],
        SubjectToken=subject,
        SubjectTokenType="ACCESS_TOKEN",
        ActorToken=subject,
        ActorTokenType="ACCESS_TOKEN",
    ) == ("InvalidParameterException", "TOKEN_EXCHANGE_DELEGATION flow not enabled for this client")
    assert fails(setup.derive, subject=subject, Audiences=["a"], Resources=[API]) == (
        "InvalidParameterException",
        "You can't request both Audiences and Resources.",
    )
    assert fails(setup.derive, subject=subject, Resources=["https://nothere.example.com"]) == (
        "ResourceNotFoundException",
        "Resource server https://nothere.example.com does not exist.",
    )
    assert fails(setup.derive, subject=subject, Scopes=[READ]) == (
        "InvalidParameterException",
        "None of the requested scopes can be granted.",
    )
    unsupported = (
        "InvalidParameterException",
        "Only access and ID tokens that this user pool issued can be exchanged.",
    )
    assert fails(setup.derive, subject="PHNhbWw+", SubjectTokenType="SAML2") == unsupported
    assert fails(setup.derive, subject=subject, SubjectTokenProviderName="Okta") == unsupported
    assert fails(setup.derive, subject="not.a.token") == ("NotAuthorizedException", "Invalid Access Token")
    assert fails(setup.derive, subject=subject, SubjectTokenType="ID_TOKEN") == (
        "NotAuthorizedException",
        "Invalid Id Token",
    )
    other_pool = setup.idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    make_user(setup.idp, other_pool, "bob")
    foreign = sign_in(setup.idp, make_client(setup.idp, other_pool), "bob")["AccessToken"]
    assert fails(setup.derive, subject=foreign) == (
        "NotAuthorizedException",
        f"The subject token was not issued by the user pool of client {setup.service['ClientId']}.",
    )
    assert fails(
        setup.public.get_derived_token, ClientId="nosuchclient", SubjectToken=subject, SubjectTokenType="ACCESS_TOKEN"
    ) == ("ResourceNotFoundException", "User pool client nosuchclient does not exist.")
