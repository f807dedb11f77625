"""Passkeys through boto3 (Cognito developer guide: 'Passkey sign-in'): StartWebAuthnRegistration,
CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential, and USER_AUTH sign-in with the
WEB_AUTHN challenge, answered by a software authenticator of the test's own (tests/support/passkeys.py), with
the origins, relying party IDs, counters, challenges and users that must be refused."""

from __future__ import annotations

import json
from typing import Any

import jwt as pyjwt
import pytest

from tests.api.conftest import Env
from tests.support.auth import PASSWORD
from tests.support.errors import fails
from tests.support.passkeys import SoftwareAuthenticator
from userpool.context import Ctx
from userpool.errors import UserNotFoundException
from userpool.services.lookup.app_clients import app_client
from userpool.services.sign_in.auth_challenges import answer_challenge
from userpool.services.sign_in.steps.calls import ChallengeCall
from userpool.services.sign_in.steps.outcome import Attempt
from userpool.services.sign_in.steps.passkey_auth import begin_passkey_sign_in

FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ORIGIN = "http://localhost:9229"
REFUSED = ("NotAuthorizedException", "Incorrect passkey credential.")


def _pool(idp: Any, verification: str = "required", factors: list[str] | None = None, **webauthn: str) -> str:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": factors or ["PASSWORD", "WEB_AUTHN"]}}
    pool_id = str(idp.create_user_pool(PoolName="passkeys", Policies=policies)["UserPool"]["Id"])
    config = {"RelyingPartyId": "localhost", "UserVerification": verification, **webauthn}
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=config)
    return pool_id


def _client(idp: Any, pool_id: str) -> str:
    made = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS)
    return str(made["UserPoolClient"]["ClientId"])


def _signed_in(idp: Any, pool_id: str, client_id: str, username: str = "ann", **attributes: str) -> str:
    """A confirmed user with a password, signed in with it: its access token."""
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    done = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )
    return str(done["AuthenticationResult"]["AccessToken"])


def _register(idp: Any, token: str, authenticator: SoftwareAuthenticator, **how: Any) -> dict[str, Any]:
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=token, Credential=authenticator.register(options, **how))
    return dict(options)


def _passkey_challenge(idp: Any, client_id: str, username: str = "ann") -> dict[str, Any]:
    step = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert step["ChallengeName"] == "WEB_AUTHN"
    return dict(step)


def _options(step: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(step["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]))


def _answer(idp: Any, client_id: str, step: dict[str, Any], credential: str, username: str = "ann") -> Any:
    return idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="WEB_AUTHN",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": username, "CREDENTIAL": credential},
    )


def _claims(env: Env, pool_id: str, token: str, **checks: Any) -> dict[str, Any]:
    """The token's claims, its RS256 signature checked by PyJWT against the pool's served JWKS."""
    keys = env.server.test_client.get(f"/{pool_id}/.well-known/jwks.json").json()["keys"]
    kid = pyjwt.get_unverified_header(token)["kid"]
    key = pyjwt.PyJWK(next(k for k in keys if k["kid"] == kid))
    return dict(pyjwt.decode(token, key, algorithms=["RS256"], options={"verify_exp": False}, **checks))


@pytest.fixture
def passkey_pool(env: Env) -> tuple[str, str, str]:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    return pool_id, client_id, _signed_in(env.idp, pool_id, client_id)


def test_web_authn__register_list_and_sign_in_with_a_passkey(env: Env, passkey_pool: tuple[str, str, str]) -> None:
    pool_id, client_id, token = passkey_pool
    authenticator = SoftwareAuthenticator()
    options = _register(env.idp, token, authenticator)
    sub = _claims(env, pool_id, token)["sub"]
    assert options["rp"] == {"id": "localhost", "name": "localhost"}
    assert options["user"]["name"] == options["user"]["displayName"] == "ann"
    assert options["pubKeyCredParams"] == [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["excludeCredentials"] == [] and options["timeout"] > 0
    # A second registration excludes the passkey already there.
    again = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert again["excludeCredentials"] == [
        {"type": "public-key", "id": authenticator.id, "transports": ["internal", "hybrid"]}
    ]
    assert again["challenge"] != options["challenge"]

    listed = env.idp.list_web_authn_credentials(AccessToken=token)
    [credential] = listed["Credentials"]
    assert credential["CredentialId"] == authenticator.id
    assert credential["RelyingPartyId"] == "localhost"
    assert credential["AuthenticatorTransports"] == ["internal", "hybrid"]
    assert credential["AuthenticatorAttachment"] == "platform"
    assert credential["FriendlyCredentialName"] and "CreatedAt" in credential and "NextToken" not in listed
    factors = env.idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"]
    assert factors == ["PASSWORD", "WEB_AUTHN"]

    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    assert chosen["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    step = _passkey_challenge(env.idp, client_id)
    request = _options(step)
    assert request["rpId"] == "localhost" and request["userVerification"] == "required"
    assert request["allowCredentials"] == [
        {"type": "public-key", "id": authenticator.id, "transports": ["internal", "hybrid"]}
    ]
    done = _answer(env.idp, client_id, step, authenticator.assertion(request))
    result = done["AuthenticationResult"]
    access = _claims(env, pool_id, result["AccessToken"])
    assert (access["sub"], access["username"], access["client_id"]) == (sub, "ann", client_id)
    assert _claims(env, pool_id, result["IdToken"], audience=client_id)["cognito:username"] == "ann"

    # SELECT_CHALLENGE's answer WEB_AUTHN starts the same challenge.
    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    step = env.idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SELECT_CHALLENGE",
        Session=chosen["Session"],
        ChallengeResponses={"USERNAME": "ann", "ANSWER": "WEB_AUTHN"},
    )
    assert step["ChallengeName"] == "WEB_AUTHN"
    assert "AuthenticationResult" in _answer(env.idp, client_id, step, authenticator.assertion(_options(step)))


def test_complete_web_authn_registration__refuses_other_origins_and_relying_parties(
    env: Env, passkey_pool: tuple[str, str, str]
) -> None:
    _, _, token = passkey_pool
    for origin in ("https://evil.example", "http://127.0.0.1:9229", "http://localhost.evil.example", "ftp://localhost"):
        refused = fails(lambda o=origin: _register(env.idp, token, SoftwareAuthenticator(), origin=o))
        assert refused[0] == "WebAuthnOriginNotAllowedException", origin
    refused = fails(lambda: _register(env.idp, token, SoftwareAuthenticator(), rp_id="evil.example"))
    assert refused[0] == "WebAuthnRelyingPartyMismatchException"
    # The secure contexts browsers allow for RP ID localhost: http and https on any port, and subdomains.
    for origin in ("https://localhost", "http://localhost:3000", "http://app.localhost:8080"):
        _register(env.idp, token, SoftwareAuthenticator(), origin=origin)
    assert len(env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 3


def test_complete_web_authn_registration__user_verification_where_required(env: Env) -> None:
    strict = _pool(env.idp, "required")
    token = _signed_in(env.idp, strict, _client(env.idp, strict))
    refused = fails(lambda: _register(env.idp, token, SoftwareAuthenticator(), verified=False))
    assert refused[0] == "WebAuthnCredentialNotSupportedException"
    assert env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    lenient = _pool(env.idp, "preferred")
    token = _signed_in(env.idp, lenient, _client(env.idp, lenient))
    _register(env.idp, token, SoftwareAuthenticator(), verified=False)
    assert len(env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 1


def test_complete_web_authn_registration__challenge_single_use_expiring_and_bound_to_the_client(
    env: Env, passkey_pool: tuple[str, str, str]
) -> None:
    pool_id, _, token = passkey_pool
    authenticator = SoftwareAuthenticator()
    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = authenticator.register(options)
    env.idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
    again = fails(lambda: env.idp.complete_web_authn_registration(AccessToken=token, Credential=credential))
    assert again[0] == "WebAuthnChallengeNotFoundException"
    made_up = SoftwareAuthenticator().register({**options, "challenge": "bm90LWlzc3VlZA"})
    unknown = fails(lambda: env.idp.complete_web_authn_registration(AccessToken=token, Credential=made_up))
    assert unknown[0] == "WebAuthnChallengeNotFoundException"

    stale = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    env.clock.advance(301)
    late = SoftwareAuthenticator().register(stale)
    expired = fails(lambda: env.idp.complete_web_authn_registration(AccessToken=token, Credential=late))
    assert expired[0] == "WebAuthnChallengeNotFoundException"

    # Started with one app client's token, completed with another's.
    other_token = env.idp.initiate_auth(
        ClientId=_client(env.idp, pool_id),
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "ann", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    started = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    crossed = SoftwareAuthenticator().register(started)
    mismatch = fails(lambda: env.idp.complete_web_authn_registration(AccessToken=other_token, Credential=crossed))
    assert mismatch[0] == "WebAuthnClientMismatchException"
    # Nor can another user complete it.
    bo_token = _signed_in(env.idp, pool_id, _client(env.idp, pool_id), "bo")
    theirs = fails(lambda: env.idp.complete_web_authn_registration(AccessToken=bo_token, Credential=crossed))
    assert theirs[0] == "WebAuthnChallengeNotFoundException"
    assert len(env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 1


def test_complete_web_authn_registration__malformed_and_duplicate_credentials(
    env: Env, passkey_pool: tuple[str, str, str]
) -> None:
    _, _, token = passkey_pool
    for credential in ({}, {"response": {"clientDataJSON": "%%%"}}, {"id": "x", "response": "no"}):
        refused = fails(lambda c=credential: env.idp.complete_web_authn_registration(AccessToken=token, Credential=c))
        assert refused[0] == "InvalidParameterException", credential
    authenticator = SoftwareAuthenticator()
    _register(env.idp, token, authenticator)
    twice = fails(lambda: _register(env.idp, token, authenticator))
    assert twice == ("InvalidParameterException", "The passkey credential is already registered.")


def test_respond_to_auth_challenge__web_authn_refusals(env: Env, passkey_pool: tuple[str, str, str]) -> None:
    pool_id, client_id, token = passkey_pool
    authenticator = SoftwareAuthenticator()
    _register(env.idp, token, authenticator)
    bo = SoftwareAuthenticator()
    _register(env.idp, _signed_in(env.idp, pool_id, client_id, "bo"), bo)

    step = _passkey_challenge(env.idp, client_id)
    options = _options(step)
    # Another origin, another RP ID, no user verification, another user's passkey, another Session's
    # challenge, a bad signature: each refused, and the Session stays usable.
    assert (
        fails(
            lambda: _answer(env.idp, client_id, step, authenticator.assertion(options, origin="https://evil.example"))
        )
        == REFUSED
    )
    assert (
        fails(lambda: _answer(env.idp, client_id, step, authenticator.assertion(options, rp_id="evil.example")))
        == REFUSED
    )
    assert fails(lambda: _answer(env.idp, client_id, step, authenticator.assertion(options, verified=False))) == REFUSED
    assert fails(lambda: _answer(env.idp, client_id, step, bo.assertion(options))) == REFUSED
    other_step = _passkey_challenge(env.idp, client_id)
    assert fails(lambda: _answer(env.idp, client_id, step, authenticator.assertion(_options(other_step)))) == REFUSED
    forged = json.loads(authenticator.assertion(options))
    forged["response"]["signature"] = json.loads(authenticator.assertion(options))["response"]["signature"]
    assert fails(lambda: _answer(env.idp, client_id, step, json.dumps(forged))) == REFUSED
    assert fails(lambda: _answer(env.idp, client_id, step, "not json")) == REFUSED
    good = authenticator.assertion(options)
    assert "AuthenticationResult" in _answer(env.idp, client_id, step, good)
    # The same assertion again: its Session is used up; in a new Session, its counter has not grown.
    assert fails(lambda: _answer(env.idp, client_id, step, good))[0] == "NotAuthorizedException"
    fresh = _passkey_challenge(env.idp, client_id)
    replayed = authenticator.assertion(_options(fresh), count=authenticator.sign_count)
    assert fails(lambda: _answer(env.idp, client_id, fresh, replayed)) == REFUSED
    assert "AuthenticationResult" in _answer(env.idp, client_id, fresh, authenticator.assertion(_options(fresh)))


def test_delete_web_authn_credential__the_passkey_no_longer_signs_in(
    env: Env, passkey_pool: tuple[str, str, str]
) -> None:
    _, client_id, token = passkey_pool
    authenticator = SoftwareAuthenticator()
    _register(env.idp, token, authenticator)
    kept = SoftwareAuthenticator()
    _register(env.idp, token, kept)
    step = _passkey_challenge(env.idp, client_id)
    env.idp.delete_web_authn_credential(AccessToken=token, CredentialId=authenticator.id)
    assert fails(lambda: _answer(env.idp, client_id, step, authenticator.assertion(_options(step)))) == REFUSED
    assert [c["CredentialId"] for c in env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]] == [
        kept.id
    ]
    gone = fails(lambda: env.idp.delete_web_authn_credential(AccessToken=token, CredentialId=authenticator.id))
    assert gone == ("ResourceNotFoundException", "The passkey credential was not found.")
    env.idp.delete_web_authn_credential(AccessToken=token, CredentialId=kept.id)
    # Without a passkey the user is not offered one.
    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    assert "WEB_AUTHN" not in chosen["AvailableChallenges"]
    assert env.idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"] == ["PASSWORD"]


def test_list_web_authn_credentials__pages(env: Env, passkey_pool: tuple[str, str, str]) -> None:
    _, _, token = passkey_pool
    ids = set()
    for _ in range(3):
        authenticator = SoftwareAuthenticator()
        _register(env.idp, token, authenticator)
        ids.add(authenticator.id)
    seen: list[str] = []
    page = env.idp.list_web_authn_credentials(AccessToken=token, MaxResults=2)
    seen += [c["CredentialId"] for c in page["Credentials"]]
    page = env.idp.list_web_authn_credentials(AccessToken=token, MaxResults=2, NextToken=page["NextToken"])
    seen += [c["CredentialId"] for c in page["Credentials"]]
    assert "NextToken" not in page and sorted(seen) == sorted(ids)
    assert fails(lambda: env.idp.list_web_authn_credentials(AccessToken=token, NextToken="bogus.token"))[0] == (
        "InvalidParameterException"
    )
    assert fails(lambda: env.idp.list_web_authn_credentials(AccessToken=token, MaxResults=21))[0] == (
        "InvalidParameterException"
    )


def test_start_web_authn_registration__pool_not_ready(env: Env) -> None:
    off = _pool(env.idp, factors=["PASSWORD"])
    token = _signed_in(env.idp, off, _client(env.idp, off))
    assert fails(lambda: env.idp.start_web_authn_registration(AccessToken=token))[0] == "WebAuthnNotEnabledException"
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    bare = str(env.idp.create_user_pool(PoolName="bare", Policies=policies)["UserPool"]["Id"])
    token = _signed_in(env.idp, bare, _client(env.idp, bare))
    missing = fails(lambda: env.idp.start_web_authn_registration(AccessToken=token))
    assert missing[0] == "WebAuthnConfigurationMissingException"
    # A custom domain becomes the relying party.
    env.idp.create_user_pool_domain(
        UserPoolId=bare,
        Domain="auth.example.com",
        CustomDomainConfig={"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
    )
    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "auth.example.com"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    _register(env.idp, token, SoftwareAuthenticator(origin="https://login.auth.example.com"))
    assert fails(lambda: env.idp.start_web_authn_registration(AccessToken="not-a-token"))[0] == "NotAuthorizedException"


def test_start_web_authn_registration__at_most_twenty_passkeys(env: Env, passkey_pool: tuple[str, str, str]) -> None:
    _, _, token = passkey_pool
    for _ in range(20):
        _register(env.idp, token, SoftwareAuthenticator())
    limited = fails(lambda: env.idp.start_web_authn_registration(AccessToken=token))
    assert limited == ("LimitExceededException", "The user has the maximum number of passkeys registered.")


def test_set_user_pool_mfa_config__relying_party_id_must_be_a_domain_name(env: Env) -> None:
    pool_id = _pool(env.idp)
    for rp_id in ("127.0.0.1", "::1", "https://auth.example.com", "auth.example.com:443", "auth example", "-a.com"):
        refused = fails(
            lambda r=rp_id: env.idp.set_user_pool_mfa_config(
                UserPoolId=pool_id, MfaConfiguration="OFF", WebAuthnConfiguration={"RelyingPartyId": r}
            )
        )
        assert refused[0] == "InvalidParameterException", rp_id
    config = env.idp.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"]
    assert config == {"RelyingPartyId": "localhost", "UserVerification": "required"}


def test_set_user_mfa_preference__passkey_mfa_signs_in_where_mfa_is_required(env: Env) -> None:
    pool_id = _pool(env.idp, "preferred")
    client_id = _client(env.idp, pool_id)
    token = _signed_in(env.idp, pool_id, client_id, email="ann@example.com", email_verified="true")
    authenticator = SoftwareAuthenticator()
    _register(env.idp, token, authenticator, verified=False)
    bo_token = _signed_in(env.idp, pool_id, client_id, "bo", email="bo@example.com", email_verified="true")
    env.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"},
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "preferred"},
    )
    # A single-factor passkey does not sign in where MFA is required...
    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    assert chosen["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    passkey_mfa = {"WebAuthnMfaSettings": {"Enabled": True}}
    no_passkey = fails(lambda: env.idp.set_user_mfa_preference(AccessToken=bo_token, **passkey_mfa))
    assert no_passkey == (
        "InvalidParameterException",
        "User does not have a passkey registered to turn on WEB_AUTHN MFA.",
    )
    alone = fails(lambda: env.idp.set_user_mfa_preference(AccessToken=token, **passkey_mfa))
    assert alone == ("InvalidParameterException", "Passkey MFA needs another MFA method turned on for the user.")
    # ... until the user turns passkey MFA on, beside another factor; then it must verify the user.
    env.idp.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": True}, **passkey_mfa)
    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    assert chosen["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    step = _passkey_challenge(env.idp, client_id)
    assert (
        fails(lambda: _answer(env.idp, client_id, step, authenticator.assertion(_options(step), verified=False)))
        == REFUSED
    )
    done = _answer(env.idp, client_id, step, authenticator.assertion(_options(step)))
    assert done["AuthenticationResult"]["AccessToken"]
    env.idp.set_user_mfa_preference(AccessToken=token, WebAuthnMfaSettings={"Enabled": False})
    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    assert chosen["ChallengeName"] == "SELECT_CHALLENGE" and "WEB_AUTHN" not in chosen["AvailableChallenges"]


def test_initiate_auth__web_authn_for_a_name_no_user_has_where_users_are_hidden(env: Env) -> None:
    pool_id = _pool(env.idp)
    made = env.idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS, PreventUserExistenceErrors="ENABLED"
    )
    client_id = made["UserPoolClient"]["ClientId"]
    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "nobody"})
    assert chosen["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    step = _passkey_challenge(env.idp, client_id, "nobody")
    options = _options(step)
    assert options["allowCredentials"] == [] and options["rpId"] == "localhost"
    stranger = SoftwareAuthenticator()
    assert fails(lambda: _answer(env.idp, client_id, step, stranger.assertion(options), "nobody")) == REFUSED


def test_hosted_pages__passkey_sign_in_ends_in_a_signed_in_user(env: Env, passkey_pool: tuple[str, str, str]) -> None:
    """The steps the hosted pages call: begin_passkey_sign_in, then the WEB_AUTHN answer, ending in the user
    (for an authorization code) rather than in tokens."""
    pool_id, client_id, token = passkey_pool
    authenticator = SoftwareAuthenticator()
    _register(env.idp, token, authenticator)
    deps = env.server.runtime.deps
    ctx = Ctx(deps=deps, request_id="hosted", now=env.clock.now(), region="us-east-1")
    with deps.store.read() as tx:
        pool, client = app_client(tx, client_id)
    hosted = Attempt(may_track=False, hosted=True)
    begun = begin_passkey_sign_in(ctx, pool, client, "ann", hosted)
    assert begun.challenge is not None and begun.challenge["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(begun.challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    responses = {"USERNAME": "ann", "CREDENTIAL": authenticator.assertion(options)}
    call = ChallengeCall(pool, client, "WEB_AUTHN", responses, begun.challenge["Session"], admin=False)
    done = answer_challenge(ctx, call)
    assert done.signed_in is not None and done.signed_in.username == "ann" and done.grant is None
    with pytest.raises(UserNotFoundException):
        begin_passkey_sign_in(ctx, pool, client, "nobody", hosted)
    assert pool.id == pool_id


def test_initiate_auth__passkeys_that_count_as_mfa_sign_in_where_mfa_is_required(env: Env) -> None:
    pool_id = _pool(env.idp, "preferred")
    client_id = _client(env.idp, pool_id)
    authenticator = SoftwareAuthenticator()
    _register(env.idp, _signed_in(env.idp, pool_id, client_id), authenticator)
    env.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"},
        WebAuthnConfiguration={
            "RelyingPartyId": "localhost",
            "UserVerification": "preferred",
            "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION",
        },
    )
    chosen = env.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    assert chosen["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    step = _passkey_challenge(env.idp, client_id)
    options = _options(step)
    assert options["userVerification"] == "required"
    unverified = authenticator.assertion(options, verified=False)
    assert fails(lambda: _answer(env.idp, client_id, step, unverified)) == REFUSED
    assert "AuthenticationResult" in _answer(env.idp, client_id, step, authenticator.assertion(options))


def test_respond_to_auth_challenge__web_authn_session_expires(env: Env, passkey_pool: tuple[str, str, str]) -> None:
    _, client_id, token = passkey_pool
    authenticator = SoftwareAuthenticator()
    _register(env.idp, token, authenticator)
    step = _passkey_challenge(env.idp, client_id)
    options = _options(step)
    assert options["timeout"] == 180_000  # the client's AuthSessionValidity, three minutes by default
    env.clock.advance(181)
    late = fails(lambda: _answer(env.idp, client_id, step, authenticator.assertion(options)))
    assert late == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
