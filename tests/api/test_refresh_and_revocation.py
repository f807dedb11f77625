"""Refreshing tokens (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, rotation) and ending sign-ins
(RevokeToken, GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser, AdminDeleteUser); Cognito developer guide:
'Refresh tokens', 'Ending user sessions with token revocation'."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.support.auth import make_client, make_user, payload, sdk_secret_hash, sign_in
from tests.support.errors import fails
from userpool.clock import FixedClock

REVOKED = ("NotAuthorizedException", "Refresh Token has been revoked")
ACCESS_REVOKED = ("NotAuthorizedException", "Access Token has been revoked")


def _refresh(idp: Any, client: dict[str, Any], token: str, flow: str = "REFRESH_TOKEN_AUTH", **extra: str) -> Any:
    params = {"REFRESH_TOKEN": token, **extra}
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow=flow, AuthParameters=params)


def _get_tokens(idp: Any, client: dict[str, Any], token: str, **extra: Any) -> Any:
    return idp.get_tokens_from_refresh_token(ClientId=client["ClientId"], RefreshToken=token, **extra)


def test_initiate_auth__refresh_token_auth_keeps_sign_in(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    first = sign_in(idp, client, "ann")
    for flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        answer = _refresh(idp, client, first["RefreshToken"], flow)
        assert answer["ChallengeParameters"] == {}
        result = answer["AuthenticationResult"]
        assert "RefreshToken" not in result
        for kind in ("IdToken", "AccessToken"):
            before, after = payload(first[kind]), payload(result[kind])
            assert after["origin_jti"] == before["origin_jti"]
            assert after["auth_time"] == before["auth_time"]
            assert after["jti"] != before["jti"]


def test_admin_initiate_auth__refresh_token_auth(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    first = sign_in(idp, client, "ann")
    answer = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    assert payload(answer["AuthenticationResult"]["AccessToken"])["username"] == "ann"


def test_initiate_auth__refresh_token_of_another_client_or_unknown(idp: Any, pool_id: str) -> None:
    client, other = make_client(idp, pool_id), make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    token = sign_in(idp, client, "ann")["RefreshToken"]
    invalid = ("NotAuthorizedException", "Invalid Refresh Token")
    assert fails(_refresh, idp=idp, client=other, token=token) == invalid
    assert fails(_refresh, idp=idp, client=client, token="not-a-token") == invalid
    assert fails(_get_tokens, idp=idp, client=other, token=token) == invalid


def test_initiate_auth__refresh_secret_hash_over_internal_username_or_sub(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="email", UsernameAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool_id, GenerateSecret=True)
    make_user(idp, pool_id, "ann@example.com")
    client_id, secret = client["ClientId"], client["ClientSecret"]
    first = sign_in(idp, client, "ann@example.com")
    internal = payload(first["AccessToken"])["username"]
    assert internal == payload(first["IdToken"])["sub"]  # email-as-username: the username is the sub

    token = first["RefreshToken"]
    assert fails(_refresh, idp=idp, client=client, token=token)[1] == (
        f"Client {client_id} is configured for secret but secret was not received"
    )
    wrong = sdk_secret_hash(secret, "ann@example.com", client_id)
    assert fails(_refresh, idp=idp, client=client, token=token, SECRET_HASH=wrong)[1] == (
        f"Unable to verify secret hash for client {client_id}"
    )
    assert _refresh(idp, client, token, SECRET_HASH=sdk_secret_hash(secret, internal, client_id))


def test_get_tokens_from_refresh_token__client_secret_and_no_rotation(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id, GenerateSecret=True)
    make_user(idp, pool_id, "ann")
    token = sign_in(idp, client, "ann")["RefreshToken"]
    assert fails(_get_tokens, idp=idp, client=client, token=token)[0] == "NotAuthorizedException"
    assert fails(_get_tokens, idp=idp, client=client, token=token, ClientSecret="x" * 51)[0] == (
        "NotAuthorizedException"
    )
    result = _get_tokens(idp, client, token, ClientSecret=client["ClientSecret"])["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert payload(result["AccessToken"])["client_id"] == client["ClientId"]


def test_get_tokens_from_refresh_token__refresh_flow_must_be_enabled(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    make_user(idp, pool_id, "ann")
    token = sign_in(idp, client, "ann")["RefreshToken"]
    assert fails(_get_tokens, idp=idp, client=client, token=token)[0] == "InvalidParameterException"
    assert fails(_refresh, idp=idp, client=client, token=token)[0] == "InvalidParameterException"


def test_get_tokens_from_refresh_token__rotation_with_grace_period(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="rotation")["UserPool"]["Id"]
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    client = make_client(idp, pool_id, RefreshTokenRotation=rotation)
    make_user(idp, pool_id, "ann")
    first = sign_in(idp, client, "ann")
    rotated = _get_tokens(idp, client, first["RefreshToken"])["AuthenticationResult"]
    assert rotated["RefreshToken"] != first["RefreshToken"]
    assert payload(rotated["IdToken"])["origin_jti"] == payload(first["IdToken"])["origin_jti"]
    # REFRESH_TOKEN_AUTH cannot rotate, so a rotating client must use GetTokensFromRefreshToken.
    assert fails(_refresh, idp=idp, client=client, token=rotated["RefreshToken"])[0] == "InvalidParameterException"

    clock.advance(5)  # a retry within the grace period works
    assert "RefreshToken" in _get_tokens(idp, client, first["RefreshToken"])["AuthenticationResult"]
    clock.advance(6)
    assert fails(_get_tokens, idp=idp, client=client, token=first["RefreshToken"])[0] == "RefreshTokenReuseException"
    # The reuse ends the whole sign-in: its successor and its access tokens are revoked too.
    assert fails(_get_tokens, idp=idp, client=client, token=rotated["RefreshToken"]) == REVOKED
    assert fails(idp.global_sign_out, AccessToken=rotated["AccessToken"]) == ACCESS_REVOKED


def test_initiate_auth__refresh_token_expires(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="expiry")["UserPool"]["Id"]
    client = make_client(idp, pool_id, RefreshTokenValidity=60, TokenValidityUnits={"RefreshToken": "minutes"})
    make_user(idp, pool_id, "ann")
    first = sign_in(idp, client, "ann")
    clock.advance(59 * 60)
    assert _refresh(idp, client, first["RefreshToken"])
    clock.advance(2 * 60)
    assert fails(_refresh, idp=idp, client=client, token=first["RefreshToken"]) == (
        "NotAuthorizedException",
        "Refresh Token has expired",
    )
    assert fails(idp.global_sign_out, AccessToken=first["AccessToken"]) == (
        "NotAuthorizedException",
        "Access Token has expired",
    )


def test_revoke_token__revokes_the_sign_in_only(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    one, two = sign_in(idp, client, "ann"), sign_in(idp, client, "ann")
    idp.revoke_token(ClientId=client["ClientId"], Token=one["RefreshToken"])
    assert fails(_refresh, idp=idp, client=client, token=one["RefreshToken"]) == REVOKED
    assert fails(idp.global_sign_out, AccessToken=one["AccessToken"]) == ACCESS_REVOKED
    assert _refresh(idp, client, two["RefreshToken"])
    # Revoking again, or a token nobody issued, is not an error (RFC 7009).
    idp.revoke_token(ClientId=client["ClientId"], Token=one["RefreshToken"])
    idp.revoke_token(ClientId=client["ClientId"], Token="unknown-token")


def test_revoke_token__refusals(idp: Any, pool_id: str) -> None:
    plain = make_client(idp, pool_id, EnableTokenRevocation=False)
    secret = make_client(idp, pool_id, GenerateSecret=True)
    make_user(idp, pool_id, "ann")
    token = sign_in(idp, plain, "ann")["RefreshToken"]
    assert fails(idp.revoke_token, ClientId=plain["ClientId"], Token=token)[0] == "UnsupportedOperationException"
    assert "origin_jti" not in payload(sign_in(idp, plain, "ann")["AccessToken"])

    tokens = sign_in(idp, secret, "ann")
    assert fails(idp.revoke_token, ClientId=secret["ClientId"], Token=tokens["RefreshToken"])[0] == (
        "UnauthorizedException"
    )
    bad = {"ClientId": secret["ClientId"], "Token": tokens["RefreshToken"], "ClientSecret": "y" * 51}
    assert fails(idp.revoke_token, **bad)[0] == "UnauthorizedException"
    good = {**bad, "ClientSecret": secret["ClientSecret"]}
    assert fails(idp.revoke_token, **{**good, "Token": tokens["AccessToken"]})[0] == "UnsupportedTokenTypeException"
    idp.revoke_token(**good)
    refused = fails(
        _get_tokens, idp=idp, client=secret, token=tokens["RefreshToken"], ClientSecret=secret["ClientSecret"]
    )
    assert refused == REVOKED


def test_global_sign_out__revokes_every_sign_in_of_the_user(idp: Any, pool_id: str) -> None:
    web, mobile = make_client(idp, pool_id), make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    make_user(idp, pool_id, "bob")
    one, two, bobs = sign_in(idp, web, "ann"), sign_in(idp, mobile, "ann"), sign_in(idp, web, "bob")
    idp.global_sign_out(AccessToken=one["AccessToken"])
    assert fails(_refresh, idp=idp, client=web, token=one["RefreshToken"]) == REVOKED
    assert fails(_refresh, idp=idp, client=mobile, token=two["RefreshToken"]) == REVOKED
    assert fails(idp.global_sign_out, AccessToken=two["AccessToken"]) == ACCESS_REVOKED
    assert _refresh(idp, web, bobs["RefreshToken"])
    # Signing in again right away works: only tokens from before the sign-out are refused.
    fresh = sign_in(idp, web, "ann")
    assert _refresh(idp, web, fresh["RefreshToken"])
    idp.global_sign_out(AccessToken=fresh["AccessToken"])


def test_global_sign_out__refuses_bad_access_tokens(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    tokens = sign_in(idp, client, "ann")
    head, body, signature = tokens["AccessToken"].split(".")
    tampered_body = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    forged = [
        f"{head}.{tampered_body}.{signature}",
        f"{head}.{body}.{signature[:-4]}AAAA",
        tokens["IdToken"],  # right signature, wrong token_use
        "eyJhbGciOiJub25lIiwia2lkIjoieCJ9." + body + ".",  # alg "none"
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFcdTAwMDBiIn0." + body + "." + signature,  # kid "a\u0000b"
        "garbage",
    ]
    for token in forged:
        assert fails(idp.global_sign_out, AccessToken=token) == ("NotAuthorizedException", "Invalid Access Token")
    idp.global_sign_out(AccessToken=tokens["AccessToken"])


def test_get_user__a_token_used_before_is_checked_again_but_its_signature(clocked: Server, clock: FixedClock) -> None:
    # A token's verified signature is kept (crypto/verified_tokens.py): the same token again is refused once its
    # session is revoked or it expires, and no other text, however close, rides on its verification.
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="reused")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    tokens, later = sign_in(idp, client, "ann"), sign_in(idp, client, "ann")
    for _ in range(3):
        assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ann"
    head, body, signature = tokens["AccessToken"].split(".")
    tampered_body = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    for token in (f"{head}.{tampered_body}.{signature}", f"{head}.{body}.{signature[:-4]}AAAA", tokens["IdToken"]):
        assert fails(idp.get_user, AccessToken=token) == ("NotAuthorizedException", "Invalid Access Token")
    idp.revoke_token(ClientId=client["ClientId"], Token=tokens["RefreshToken"])
    assert fails(idp.get_user, AccessToken=tokens["AccessToken"]) == ACCESS_REVOKED
    assert idp.get_user(AccessToken=later["AccessToken"])["Username"] == "ann"
    clock.advance(3601)
    assert fails(idp.get_user, AccessToken=later["AccessToken"]) == (
        "NotAuthorizedException",
        "Access Token has expired",
    )


def test_global_sign_out__client_deleted_or_user_deleted(idp: Any, pool_id: str) -> None:
    client, other = make_client(idp, pool_id), make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    make_user(idp, pool_id, "bob")
    anns, bobs = sign_in(idp, client, "ann"), sign_in(idp, other, "bob")
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert fails(idp.global_sign_out, AccessToken=anns["AccessToken"]) == (
        "NotAuthorizedException",
        "Invalid Access Token",
    )
    idp.admin_delete_user(UserPoolId=pool_id, Username="bob")
    assert fails(idp.global_sign_out, AccessToken=bobs["AccessToken"]) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert fails(_refresh, idp=idp, client=other, token=bobs["RefreshToken"])[0] == "NotAuthorizedException"


def test_admin_user_global_sign_out__revokes_tokens(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    tokens = sign_in(idp, client, "ann")
    idp.admin_user_global_sign_out(UserPoolId=pool_id, Username="ann")
    assert fails(_refresh, idp=idp, client=client, token=tokens["RefreshToken"]) == REVOKED
    assert fails(idp.global_sign_out, AccessToken=tokens["AccessToken"]) == ACCESS_REVOKED
    code, _ = fails(idp.admin_user_global_sign_out, UserPoolId=pool_id, Username="nobody")
    assert code == "UserNotFoundException"


def test_admin_disable_user__revokes_tokens_for_good(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    tokens = sign_in(idp, client, "ann")
    idp.admin_disable_user(UserPoolId=pool_id, Username="ann")
    disabled = ("NotAuthorizedException", "User is disabled.")
    assert fails(_refresh, idp=idp, client=client, token=tokens["RefreshToken"]) == disabled
    assert fails(idp.global_sign_out, AccessToken=tokens["AccessToken"]) == disabled
    idp.admin_enable_user(UserPoolId=pool_id, Username="ann")
    assert fails(_refresh, idp=idp, client=client, token=tokens["RefreshToken"]) == REVOKED
    assert fails(idp.global_sign_out, AccessToken=tokens["AccessToken"]) == ACCESS_REVOKED
    assert _refresh(idp, client, sign_in(idp, client, "ann")["RefreshToken"])
