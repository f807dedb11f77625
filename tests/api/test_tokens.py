"""ID and access tokens: claims, lifetimes, JWKS and discovery, verification by real JWT libraries (PyJWT,
joserfc) against the keys we serve, key rotation (Cognito developer guide: 'Understanding user pool JSON web tokens
(JWTs)')."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from click.testing import CliRunner
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet
from pycognito import Cognito

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings, running_server
from tests.support.auth import PASSWORD, header, make_client, make_user, payload, served_at_public_url, sign_in
from tests.support.bridge import socket_client
from tests.support.errors import fails
from userpool.cli import main
from userpool.config import Settings

ADMIN_ROLE = "arn:aws:iam::123456789012:role/Admin"
STAFF_ROLE = "arn:aws:iam::123456789012:role/Staff"


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and str(uuid.UUID(value)) == value


def _profile_pool(idp: Any) -> str:
    schema = [
        {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
        {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
    ]
    return str(idp.create_user_pool(PoolName="profiles", Schema=schema)["UserPool"]["Id"])


def _jane(idp: Any, pool_id: str) -> None:
    attributes = {
        "email": "jane@example.com",
        "email_verified": "true",
        "phone_number": "+14325551212",
        "phone_number_verified": "false",
        "given_name": "Jane",
        "custom:tier": "gold",
        "dev:custom:secret": "hidden",
    }
    make_user(idp, pool_id, "jane", attributes=attributes)


def test_initiate_auth__id_token_claims(idp: Any, settings: Settings) -> None:
    pool_id = _profile_pool(idp)
    client = make_client(idp, pool_id)
    _jane(idp, pool_id)
    idp.create_group(UserPoolId=pool_id, GroupName="staff", Precedence=5, RoleArn=STAFF_ROLE)
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1, RoleArn=ADMIN_ROLE)
    idp.create_group(UserPoolId=pool_id, GroupName="readers")
    for group in ("staff", "admins", "readers"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="jane", GroupName=group)

    result = sign_in(idp, client, "jane")
    claims = payload(result["IdToken"])
    sub = idp.admin_get_user(UserPoolId=pool_id, Username="jane")["UserAttributes"][0]["Value"]

    assert header(result["IdToken"]) == {"alg": "RS256", "kid": header(result["IdToken"])["kid"]}
    assert claims["sub"] == sub
    assert claims["aud"] == client["ClientId"]
    assert "client_id" not in claims
    assert claims["iss"] == f"{settings.base_url}/{pool_id}"
    assert claims["token_use"] == "id"
    assert claims["cognito:username"] == "jane"
    assert claims["email"] == "jane@example.com"
    assert claims["email_verified"] is True
    assert claims["phone_number_verified"] is False
    assert claims["given_name"] == "Jane"
    assert claims["custom:tier"] == "gold"
    assert not any("secret" in name for name in claims)
    assert claims["cognito:groups"] == ["admins", "staff", "readers"]
    assert claims["cognito:roles"] == [ADMIN_ROLE, STAFF_ROLE]
    assert claims["cognito:preferred_role"] == ADMIN_ROLE
    assert all(isinstance(claims[k], int) for k in ("auth_time", "iat", "exp"))
    assert claims["auth_time"] == claims["iat"]
    assert claims["exp"] - claims["iat"] == 3600
    assert all(_is_uuid(claims[k]) for k in ("jti", "origin_jti", "event_id"))


def test_initiate_auth__access_token_claims(idp: Any, settings: Settings) -> None:
    pool_id = _profile_pool(idp)
    client = make_client(idp, pool_id)
    _jane(idp, pool_id)
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="jane", GroupName="admins")

    result = sign_in(idp, client, "jane")
    access, id_claims = payload(result["AccessToken"]), payload(result["IdToken"])

    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert access["token_use"] == "access"
    assert access["client_id"] == client["ClientId"]
    assert "aud" not in access
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["username"] == "jane"
    assert access["version"] == 2
    assert access["iss"] == f"{settings.base_url}/{pool_id}"
    assert access["cognito:groups"] == ["admins"]
    assert access["sub"] == id_claims["sub"]
    assert "email" not in access
    # One issuance: one event and one sign-in; two tokens; two keys.
    assert access["event_id"] == id_claims["event_id"]
    assert access["origin_jti"] == id_claims["origin_jti"]
    assert access["jti"] != id_claims["jti"]
    assert header(result["AccessToken"])["kid"] != header(result["IdToken"])["kid"]


def test_initiate_auth__read_attributes_limit_claims(idp: Any) -> None:
    pool_id = _profile_pool(idp)
    client = make_client(idp, pool_id, ReadAttributes=["email", "custom:tier"])
    _jane(idp, pool_id)
    claims = payload(sign_in(idp, client, "jane")["IdToken"])
    assert claims["email"] == "jane@example.com"
    assert claims["custom:tier"] == "gold"
    assert "phone_number" not in claims
    assert "given_name" not in claims
    assert "email_verified" not in claims
    assert claims["cognito:username"] == "jane"


def test_refresh__read_attributes_changed_on_the_client_shape_the_next_tokens_and_get_user(idp: Any) -> None:
    """What a client may read is worked out once per configuration the server holds: a change to the client's
    ReadAttributes is what the very next refresh and GetUser follow."""
    pool_id = _profile_pool(idp)
    client = make_client(idp, pool_id, ReadAttributes=["email"])
    _jane(idp, pool_id)
    first = sign_in(idp, client, "jane")
    assert "email" in payload(first["IdToken"]) and "given_name" not in payload(first["IdToken"])

    idp.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        ExplicitAuthFlows=client["ExplicitAuthFlows"],
        ReadAttributes=["given_name"],
    )
    refreshed = idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )["AuthenticationResult"]
    claims = payload(refreshed["IdToken"])
    assert claims["given_name"] == "Jane" and "email" not in claims
    attributes = idp.get_user(AccessToken=refreshed["AccessToken"])["UserAttributes"]
    assert sorted(a["Name"] for a in attributes) == ["given_name", "sub"]


def test_initiate_auth__lifetimes_follow_the_client_units(idp: Any, pool_id: str) -> None:
    client = make_client(
        idp,
        pool_id,
        AccessTokenValidity=10,
        IdTokenValidity=2,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours"},
    )
    make_user(idp, pool_id, "ann")
    result = sign_in(idp, client, "ann")
    access, id_claims = payload(result["AccessToken"]), payload(result["IdToken"])
    assert result["ExpiresIn"] == 600
    assert access["exp"] - access["iat"] == 600
    assert id_claims["exp"] - id_claims["iat"] == 7200


def test_initiate_auth__groups_follow_membership(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    idp.create_group(UserPoolId=pool_id, GroupName="editors")

    def groups_after_refresh(refresh_token: str) -> Any:
        result = idp.initiate_auth(
            ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        )["AuthenticationResult"]
        return payload(result["IdToken"]).get("cognito:groups"), payload(result["AccessToken"]).get("cognito:groups")

    first = sign_in(idp, client, "ann")
    assert "cognito:groups" not in payload(first["IdToken"])
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="ann", GroupName="editors")
    assert groups_after_refresh(first["RefreshToken"]) == (["editors"], ["editors"])
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="ann", GroupName="editors")
    assert groups_after_refresh(first["RefreshToken"]) == (None, None)


def test_initiate_auth__issuer_base_with_region(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path / "data", database_url, issuer_base="https://cognito-idp.{region}.amazonaws.com")
    with running_server(settings) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="aws-style")["UserPool"]["Id"]
        client = make_client(idp, pool_id)
        make_user(idp, pool_id, "ann")
        claims = payload(sign_in(idp, client, "ann")["AccessToken"])
        discovery = server.test_client.get(f"/{pool_id}/.well-known/openid-configuration").json()
    region = pool_id.split("_")[0]
    assert claims["iss"] == f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    assert discovery["issuer"] == claims["iss"]
    assert discovery["jwks_uri"] == f"{claims['iss']}/.well-known/jwks.json"


def test_jwks__two_keys_with_exactly_aws_members(app_server: Server, idp: Any, pool_id: str) -> None:
    response = app_server.test_client.get(f"/{pool_id}/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "max-age" in response.headers["cache-control"]
    keys = response.json()["keys"]
    assert len(keys) == 2
    for key in keys:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (key["alg"], key["kty"], key["use"], key["e"]) == ("RS256", "RSA", "sig", "AQAB")
        assert len(key["kid"]) == 44
    # Keys are created once: the tokens of a later sign-in are signed by the published keys.
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    result = sign_in(idp, client, "ann")
    published = {k["kid"] for k in keys}
    assert {header(result["IdToken"])["kid"], header(result["AccessToken"])["kid"]} == published


def test_jwks__unknown_pool_is_404(app_server: Server) -> None:
    for document in ("jwks.json", "openid-configuration"):
        for pool_id in ("eu-west-1_Nope12345", "eu-west-1_%00x", "x" * 80 + "_1", "nounderscore"):
            response = app_server.test_client.get(f"/{pool_id}/.well-known/{document}")
            assert response.status_code == 404, pool_id
            assert response.json()["error"] == "ResourceNotFoundException"


def test_openid_configuration__document(app_server: Server, pool_id: str, settings: Settings) -> None:
    # The endpoints are those of the host the document was fetched from (here: the default public URL's).
    host = settings.base_url.split("://", 1)[1]
    response = app_server.test_client.get(f"/{pool_id}/.well-known/openid-configuration", headers={"host": host})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    doc = response.json()
    base = settings.base_url
    assert doc["issuer"] == f"{base}/{pool_id}"
    assert doc["jwks_uri"] == f"{base}/{pool_id}/.well-known/jwks.json"
    assert doc["authorization_endpoint"] == f"{base}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{base}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{base}/oauth2/userInfo"
    assert doc["revocation_endpoint"] == f"{base}/oauth2/revoke"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "code" in doc["response_types_supported"]
    assert "openid" in doc["scopes_supported"]
    assert "sub" in doc["claims_supported"]


def test_tokens__verify_with_pyjwt_and_joserfc_against_served_jwks(
    live_server: str, live_idp: Any, settings: Settings
) -> None:
    pool_id = live_idp.create_user_pool(PoolName="verify")["UserPool"]["Id"]
    client = make_client(live_idp, pool_id)
    make_user(live_idp, pool_id, "ann")
    result = sign_in(live_idp, client, "ann")
    issuer = f"{settings.base_url}/{pool_id}"
    jwks_url = f"{live_server}/{pool_id}/.well-known/jwks.json"

    keys = pyjwt.PyJWKClient(jwks_url)
    id_claims = pyjwt.decode(
        result["IdToken"],
        keys.get_signing_key_from_jwt(result["IdToken"]).key,
        algorithms=["RS256"],
        audience=client["ClientId"],
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    assert id_claims["token_use"] == "id"
    access = pyjwt.decode(
        result["AccessToken"],
        keys.get_signing_key_from_jwt(result["AccessToken"]).key,
        algorithms=["RS256"],
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "sub"]},
    )
    assert access["token_use"] == "access"
    assert access["client_id"] == client["ClientId"]

    key_set = KeySet.import_key_set(keys.fetch_data())
    for token, use in ((result["IdToken"], "id"), (result["AccessToken"], "access")):
        decoded = jose_jwt.decode(token, key_set, algorithms=["RS256"])
        jose_jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer}, token_use={"essential": True, "value": use}
        ).validate(decoded.claims)
    with pytest.raises(pyjwt.InvalidAudienceError):
        pyjwt.decode(
            result["IdToken"],
            keys.get_signing_key_from_jwt(result["IdToken"]).key,
            algorithms=["RS256"],
            audience="another-client",
            issuer=issuer,
        )


def _rotate(settings: Settings, pool_id: str) -> Any:
    env = {"USERPOOL_SECRET_KEYS": ",".join(settings.secret_keys)}
    args = ["keys", "rotate", "--pool-id", pool_id, "--database-url", settings.database_url]
    args += ["--data-dir", str(settings.data_dir)]
    return CliRunner().invoke(main, args, env=env)


def test_keys_rotate__tokens_signed_before_still_verify(app_server: Server, idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    before = sign_in(idp, client, "ann")

    outcome = _rotate(app_server.settings, pool_id)
    assert outcome.exit_code == 0, outcome.output

    keys = app_server.test_client.get(f"/{pool_id}/.well-known/jwks.json").json()["keys"]
    after = sign_in(idp, client, "ann")
    old_kids = {header(before["IdToken"])["kid"], header(before["AccessToken"])["kid"]}
    new_kids = {header(after["IdToken"])["kid"], header(after["AccessToken"])["kid"]}
    assert not old_kids & new_kids
    assert {k["kid"] for k in keys} == old_kids | new_kids
    jwks = KeySet.import_key_set({"keys": keys})
    for token in (before["IdToken"], before["AccessToken"], after["IdToken"], after["AccessToken"]):
        jose_jwt.decode(token, jwks, algorithms=["RS256"])
    # The server still accepts the access token it signed with the previous key.
    idp.global_sign_out(AccessToken=before["AccessToken"])
    code, message = fails(idp.global_sign_out, AccessToken=after["AccessToken"])
    assert (code, message) == ("NotAuthorizedException", "Access Token has been revoked")


def test_keys_rotate__unknown_pool_fails(app_server: Server) -> None:
    outcome = _rotate(app_server.settings, "eu-west-1_Nope12345")
    assert outcome.exit_code != 0
    assert "does not exist" in outcome.output


def test_jwks__concurrent_first_sign_ins_make_one_key_pair(live_server: str, live_idp: Any) -> None:
    pool_id = live_idp.create_user_pool(PoolName="race")["UserPool"]["Id"]
    client = make_client(live_idp, pool_id)
    for i in range(6):
        make_user(live_idp, pool_id, f"user{i}")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda i: sign_in(live_idp, client, f"user{i}"), range(6)))
    keys = pyjwt.PyJWKClient(f"{live_server}/{pool_id}/.well-known/jwks.json").fetch_data()["keys"]
    assert len(keys) == 2
    used = {header(r[kind])["kid"] for r in results for kind in ("IdToken", "AccessToken")}
    assert used == {k["kid"] for k in keys}


def test_admin_initiate_auth__pycognito_verifies_and_renews_tokens(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path / "data", database_url)
    with served_at_public_url(settings) as url:
        idp = socket_client(url, ACCESS_KEY, SECRET_KEY)
        pool_id = idp.create_user_pool(PoolName="pycognito")["UserPool"]["Id"]
        client = make_client(idp, pool_id, GenerateSecret=True, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"])
        make_user(idp, pool_id, "ann")
        user = Cognito(
            pool_id,
            client["ClientId"],
            client_secret=client["ClientSecret"],
            username="ann",
            boto3_client_kwargs={
                "endpoint_url": url,
                "aws_access_key_id": ACCESS_KEY,
                "aws_secret_access_key": SECRET_KEY,
            },
        )
        # pycognito verifies both tokens against <endpoint>/<poolId>/.well-known/jwks.json and that issuer.
        user.admin_authenticate(PASSWORD)
        assert user.id_claims["cognito:username"] == "ann"
        first_jti = user.access_claims["jti"]
        user.renew_access_token()
        user.verify_tokens()
        assert user.access_claims["jti"] != first_jti
        assert user.access_claims["origin_jti"] == user.id_claims["origin_jti"]
