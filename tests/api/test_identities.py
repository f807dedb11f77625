"""Identities of identity pools through boto3's cognito-identity client: GetId with this server's user pools'
ID tokens (both spellings of the provider name) and for guests, the basic flow's GetOpenIdToken and its tokens
(verified with PyJWT against the published JWKS), linking and merging, ServerSideTokenCheck, UnlinkIdentity,
DescribeIdentity, ListIdentities and DeleteIdentities, and every refusal of a login with its message."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import make_client, make_user, payload, sign_in
from tests.support.bridge import REGION
from tests.support.pools import error_of
from userpool.clock import FixedClock

pytestmark = pytest.mark.xdist_group("identities")

ISSUER = "http://localhost:9229/identity"
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."


@dataclass
class Setup:
    server: Server
    idp: Any
    cid: Any


@dataclass
class UserPool:
    id: str
    client: dict[str, Any]
    provider: str  # as AWS names it
    issuer_name: str  # as Amplify names it: the issuer without its scheme

    def tokens(self, idp: Any, username: str) -> dict[str, Any]:
        return sign_in(idp, self.client, username)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("identities")
    with running_server(make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}")) as server:
        yield Setup(server, server.client(), server.identity())


def user_pool(idp: Any, *usernames: str) -> UserPool:
    pool_id = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    for username in usernames:
        make_user(idp, pool_id, username)
    return UserPool(pool_id, client, f"cognito-idp.{REGION}.amazonaws.com/{pool_id}", f"localhost:9229/{pool_id}")


def identity_pool(cid: Any, users: UserPool | None = None, **config: Any) -> str:
    if users is not None:
        config.setdefault(
            "CognitoIdentityProviders", [{"ProviderName": users.provider, "ClientId": users.client["ClientId"]}]
        )
    config.setdefault("AllowUnauthenticatedIdentities", False)
    return str(cid.create_identity_pool(IdentityPoolName="identities", **config)["IdentityPoolId"])


def keys(setup: Setup) -> jwt.PyJWKSet:
    """The identity issuer's published keys, as an IAM OIDC provider reads them (discovery, then jwks_uri)."""
    discovery = setup.server.test_client.get("/identity/.well-known/openid-configuration").json()
    assert discovery["issuer"] == ISSUER
    jwks_path = discovery["jwks_uri"].removeprefix("http://localhost:9229")
    return jwt.PyJWKSet.from_dict(setup.server.test_client.get(jwks_path).json())


def verified(setup: Setup, token: str, pool_id: str) -> dict[str, Any]:
    """The claims of an OpenID token, verified with PyJWT as a relying party would."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in keys(setup).keys if k.key_id == kid)
    claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"], audience=pool_id, issuer=ISSUER)
    return claims


def test_get_id__the_same_identity_for_the_same_user(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann", "bob")
    pool_id = identity_pool(setup.cid, users)
    ann = users.tokens(setup.idp, "ann")["IdToken"]
    first = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: ann})["IdentityId"]
    assert first.startswith(f"{REGION}:") and len(first) == len(REGION) + 37
    # Amplify names the provider after the token's issuer: the same provider, the same identity.
    again = users.tokens(setup.idp, "ann")["IdToken"]
    assert setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.issuer_name: again})["IdentityId"] == first
    bob = users.tokens(setup.idp, "bob")["IdToken"]
    assert setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: bob})["IdentityId"] != first
    described = setup.cid.describe_identity(IdentityId=first)
    assert described["Logins"] == [users.provider]
    assert described["CreationDate"] <= described["LastModifiedDate"]


def test_get_id__guests(setup: Setup) -> None:
    closed = identity_pool(setup.cid)
    assert error_of(lambda: setup.cid.get_id(IdentityPoolId=closed)) == (
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
    )
    assert error_of(lambda: setup.cid.get_id(IdentityPoolId=closed, Logins={})) == (
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
    )
    open_pool = identity_pool(setup.cid, AllowUnauthenticatedIdentities=True)
    first = setup.cid.get_id(IdentityPoolId=open_pool)["IdentityId"]
    second = setup.cid.get_id(IdentityPoolId=open_pool, AccountId="123456789012")["IdentityId"]
    assert first != second
    assert "Logins" not in setup.cid.describe_identity(IdentityId=first)
    assert error_of(lambda: setup.cid.get_id(IdentityPoolId=open_pool, AccountId="999999999999")) == (
        "ResourceNotFoundException",
        f"IdentityPool '{open_pool}' not found.",
    )


def _tampered(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}.{forged}.{signature}"


def test_get_id__login_refusals(setup: Setup) -> None:
    users, others = user_pool(setup.idp, "ann"), user_pool(setup.idp, "cat")
    second_client = make_client(setup.idp, users.id)
    pool_id = identity_pool(
        setup.cid,
        CognitoIdentityProviders=[
            {"ProviderName": users.provider, "ClientId": users.client["ClientId"]},
            {"ProviderName": others.provider, "ClientId": others.client["ClientId"]},
        ],
    )
    ann = users.tokens(setup.idp, "ann")
    cat = others.tokens(setup.idp, "cat")["IdToken"]
    other_client = sign_in(setup.idp, second_client, "ann")["IdToken"]

    def refused(logins: dict[str, str]) -> tuple[str, str]:
        return error_of(lambda: setup.cid.get_id(IdentityPoolId=pool_id, Logins=logins))

    assert refused({users.provider: "not a token"}) == (
        "NotAuthorizedException",
        "Invalid login token. Not a valid OpenId Connect identity token.",
    )
    assert refused({users.provider: _tampered(ann["IdToken"])}) == (
        "NotAuthorizedException",
        "Invalid login token. Couldn't verify signed token.",
    )
    assert refused({users.provider: cat}) == (
        "NotAuthorizedException",
        "Invalid login token. Issuer doesn't match providerName",
    )
    assert refused({users.provider: ann["AccessToken"]}) == (
        "NotAuthorizedException",
        "Invalid login token. Missing a required claim: aud",
    )
    assert refused({users.provider: other_client}) == ("NotAuthorizedException", NOT_SUPPORTED)
    assert refused({"graph.facebook.com": ann["IdToken"]}) == ("NotAuthorizedException", NOT_SUPPORTED)
    unconfigured = user_pool(setup.idp)
    assert refused({unconfigured.provider: ann["IdToken"]}) == ("NotAuthorizedException", NOT_SUPPORTED)
    # A region that is not the user pool's names no user pool.
    assert refused({users.provider.replace(REGION, "us-east-2"): ann["IdToken"]}) == (
        "NotAuthorizedException",
        NOT_SUPPORTED,
    )
    assert setup.cid.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"] == []


def test_get_id__expired_token(tmp_path: Any) -> None:
    clock = FixedClock(1_800_000_000.0)
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'userpool.sqlite3'}", dev=True)
    with running_server(settings, clock) as server:
        idp, cid = server.client(), server.identity()
        users = user_pool(idp, "ann")
        pool_id = identity_pool(cid, users)
        token = users.tokens(idp, "ann")["IdToken"]
        clock.advance(3600)
        assert error_of(lambda: cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})) == (
            "NotAuthorizedException",
            f"Invalid login token. Token expired: {1_800_003_600} >= {1_800_003_600}",
        )


def test_get_id__server_side_token_check(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    provider = {"ProviderName": users.provider, "ClientId": users.client["ClientId"]}
    checked = identity_pool(setup.cid, CognitoIdentityProviders=[{**provider, "ServerSideTokenCheck": True}])
    unchecked = identity_pool(setup.cid, CognitoIdentityProviders=[provider])
    token = users.tokens(setup.idp, "ann")["IdToken"]
    assert setup.cid.get_id(IdentityPoolId=checked, Logins={users.provider: token})["IdentityId"]
    setup.idp.admin_user_global_sign_out(UserPoolId=users.id, Username="ann")
    assert error_of(lambda: setup.cid.get_id(IdentityPoolId=checked, Logins={users.provider: token})) == (
        "NotAuthorizedException",
        "Invalid login token. The user is signed out, disabled or deleted.",
    )
    # Without the check the token stands until it expires, as on AWS.
    assert setup.cid.get_id(IdentityPoolId=unchecked, Logins={users.provider: token})["IdentityId"]


def test_get_open_id_token__claims_verify_against_the_published_keys(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    pool_id = identity_pool(setup.cid, users, AllowClassicFlow=True, AllowUnauthenticatedIdentities=True)
    token = users.tokens(setup.idp, "ann")["IdToken"]
    sub = payload(token)["sub"]
    identity_id = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"]
    answer = setup.cid.get_open_id_token(IdentityId=identity_id, Logins={users.provider: token})
    assert answer["IdentityId"] == identity_id
    claims = verified(setup, answer["Token"], pool_id)
    assert claims["sub"] == identity_id and claims["aud"] == pool_id
    assert claims["amr"] == ["authenticated", users.provider, f"{users.provider}:CognitoSignIn:{sub}"]
    assert claims["exp"] - claims["iat"] == 600
    assert claims["https://cognito-identity.amazonaws.com/identity-pool-arn"] == (
        f"arn:aws:cognito-identity:{REGION}:123456789012:identitypool/{pool_id}"
    )
    assert jwt.get_unverified_header(answer["Token"])["alg"] == "RS256"
    guest = setup.cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
    guest_token = setup.cid.get_open_id_token(IdentityId=guest)["Token"]
    assert verified(setup, guest_token, pool_id)["amr"] == ["unauthenticated"]
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(
            guest_token,
            keys(setup).keys[0].key,
            algorithms=["RS256"],
            audience=identity_pool(setup.cid),
            issuer=ISSUER,
        )


def test_get_open_id_token__refusals(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann", "bob")
    enhanced_only = identity_pool(setup.cid, users, AllowUnauthenticatedIdentities=True)
    guest = setup.cid.get_id(IdentityPoolId=enhanced_only)["IdentityId"]
    assert error_of(lambda: setup.cid.get_open_id_token(IdentityId=guest)) == (
        "InvalidParameterException",
        "Basic (classic) flow is not enabled, please use enhanced flow.",
    )
    classic = identity_pool(setup.cid, users, AllowClassicFlow=True)
    ann = users.tokens(setup.idp, "ann")["IdToken"]
    bob = users.tokens(setup.idp, "bob")["IdToken"]
    ann_id = setup.cid.get_id(IdentityPoolId=classic, Logins={users.provider: ann})["IdentityId"]
    for logins in ({}, {users.provider: bob}):
        assert error_of(lambda lg=logins: setup.cid.get_open_id_token(IdentityId=ann_id, Logins=lg)) == (
            "NotAuthorizedException",
            LOGINS_DONT_MATCH,
        )
    missing = f"{REGION}:00000000-0000-0000-0000-000000000000"
    assert error_of(lambda: setup.cid.get_open_id_token(IdentityId=missing)) == (
        "ResourceNotFoundException",
        f"Identity '{missing}' not found.",
    )
    # Bob's token linked no identity to Ann's.
    assert setup.cid.describe_identity(IdentityId=ann_id)["Logins"] == [users.provider]


def test_get_open_id_token__a_guest_identity_takes_its_first_login(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    pool_id = identity_pool(setup.cid, users, AllowClassicFlow=True, AllowUnauthenticatedIdentities=True)
    guest = setup.cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = users.tokens(setup.idp, "ann")["IdToken"]
    answer = setup.cid.get_open_id_token(IdentityId=guest, Logins={users.provider: token})
    assert answer["IdentityId"] == guest
    assert setup.cid.describe_identity(IdentityId=guest)["Logins"] == [users.provider]
    assert setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"] == guest
    # Now authenticated: no unauthenticated token for it.
    assert error_of(lambda: setup.cid.get_open_id_token(IdentityId=guest)) == (
        "NotAuthorizedException",
        LOGINS_DONT_MATCH,
    )


def test_get_open_id_token__merges_a_guest_into_the_login_s_identity(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    pool_id = identity_pool(setup.cid, users, AllowClassicFlow=True, AllowUnauthenticatedIdentities=True)
    token = users.tokens(setup.idp, "ann")["IdToken"]
    known = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"]
    guest = setup.cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
    answer = setup.cid.get_open_id_token(IdentityId=guest, Logins={users.provider: token})
    assert answer["IdentityId"] == known
    assert verified(setup, answer["Token"], pool_id)["sub"] == known
    # The guest is disabled: listed unless HideDisabled, and refused.
    listed = [i["IdentityId"] for i in setup.cid.list_identities(IdentityPoolId=pool_id, MaxResults=10)["Identities"]]
    assert sorted(listed) == sorted([known, guest])
    shown = setup.cid.list_identities(IdentityPoolId=pool_id, MaxResults=10, HideDisabled=True)["Identities"]
    assert [i["IdentityId"] for i in shown] == [known]
    assert error_of(lambda: setup.cid.get_open_id_token(IdentityId=guest)) == (
        "NotAuthorizedException",
        f"Access to Identity '{guest}' is forbidden.",
    )


def test_unlink_identity__the_login_leaves_the_identity(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann", "bob")
    pool_id = identity_pool(setup.cid, users, AllowClassicFlow=True)
    ann = users.tokens(setup.idp, "ann")["IdToken"]
    bob = users.tokens(setup.idp, "bob")["IdToken"]
    identity_id = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: ann})["IdentityId"]
    assert error_of(
        lambda: setup.cid.unlink_identity(
            IdentityId=identity_id, Logins={users.provider: bob}, LoginsToRemove=[users.provider]
        )
    ) == ("NotAuthorizedException", LOGINS_DONT_MATCH)
    assert error_of(
        lambda: setup.cid.unlink_identity(IdentityId=identity_id, Logins={}, LoginsToRemove=[users.provider])
    ) == ("NotAuthorizedException", LOGINS_DONT_MATCH)
    # Named as Amplify names it.
    setup.cid.unlink_identity(IdentityId=identity_id, Logins={users.provider: ann}, LoginsToRemove=[users.issuer_name])
    assert "Logins" not in setup.cid.describe_identity(IdentityId=identity_id)
    # "Unlinked logins will be considered new identities next time they are seen."
    assert setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: ann})["IdentityId"] != identity_id


def test_list_identities__pages_and_descriptions(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    pool_id = identity_pool(setup.cid, users, AllowUnauthenticatedIdentities=True)
    made = {setup.cid.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(4)}
    token = users.tokens(setup.idp, "ann")["IdToken"]
    ann = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"]
    seen: dict[str, Any] = {}
    kwargs: dict[str, Any] = {}
    while True:
        page = setup.cid.list_identities(IdentityPoolId=pool_id, MaxResults=2, **kwargs)
        assert page["IdentityPoolId"] == pool_id and len(page["Identities"]) <= 2
        seen.update({i["IdentityId"]: i for i in page["Identities"]})
        if "NextToken" not in page:
            break
        kwargs = {"NextToken": page["NextToken"]}
    assert set(seen) == made | {ann}
    assert seen[ann]["Logins"] == [users.provider]
    # A page token belongs to its pool's listing.
    first = setup.cid.list_identities(IdentityPoolId=pool_id, MaxResults=2)["NextToken"]
    other = identity_pool(setup.cid)
    assert error_of(lambda: setup.cid.list_identities(IdentityPoolId=other, MaxResults=2, NextToken=first)) == (
        "InvalidParameterException",
        "Invalid pagination token.",
    )
    missing = f"{REGION}:00000000-0000-0000-0000-000000000000"
    assert error_of(lambda: setup.cid.list_identities(IdentityPoolId=missing, MaxResults=2)) == (
        "ResourceNotFoundException",
        f"IdentityPool '{missing}' not found.",
    )


def test_delete_identities__gone_with_their_logins(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    pool_id = identity_pool(setup.cid, users, AllowUnauthenticatedIdentities=True)
    token = users.tokens(setup.idp, "ann")["IdToken"]
    ann = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"]
    guest = setup.cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
    missing = f"{REGION}:00000000-0000-0000-0000-000000000000"
    answer = setup.cid.delete_identities(IdentityIdsToDelete=[ann, guest, missing])
    assert answer["UnprocessedIdentityIds"] == []
    assert error_of(lambda: setup.cid.describe_identity(IdentityId=ann)) == (
        "ResourceNotFoundException",
        f"Identity '{ann}' not found.",
    )
    # Ann's login is free again: a new identity.
    assert setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"] != ann
    unchecked = setup.server.identity(parameter_validation=False)
    code, message = error_of(lambda: unchecked.delete_identities(IdentityIdsToDelete=[]))
    assert code == "ValidationException" and "Member must have length greater than or equal to 1" in message


def test_delete_identity_pool__its_identities_go_too(setup: Setup) -> None:
    pool_id = identity_pool(setup.cid, AllowUnauthenticatedIdentities=True)
    guest = setup.cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
    setup.cid.delete_identity_pool(IdentityPoolId=pool_id)
    assert error_of(lambda: setup.cid.describe_identity(IdentityId=guest))[0] == "ResourceNotFoundException"


def test_get_open_id_token__principal_tags_from_the_login(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    pool_id = identity_pool(setup.cid, users, AllowClassicFlow=True)
    setup.cid.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName=users.provider, UseDefaults=True
    )
    token = users.tokens(setup.idp, "ann")["IdToken"]
    identity_id = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"]
    claims = verified(
        setup, setup.cid.get_open_id_token(IdentityId=identity_id, Logins={users.provider: token})["Token"], pool_id
    )
    assert claims["https://aws.amazon.com/tags"] == {
        "principal_tags": {"username": [payload(token)["sub"]], "client": [users.client["ClientId"]]}
    }


def test_get_credentials_for_identity__sts_unreachable(tmp_path: Any) -> None:
    from tests.support.bridge import free_port
    from userpool.config import IdentityPoolSettings

    closed = f"http://127.0.0.1:{free_port()}/"
    settings = make_settings(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'userpool.sqlite3'}",
        identity_pools=IdentityPoolSettings(sts_endpoint=closed),
    )
    with running_server(settings) as server:
        cid = server.identity()
        pool_id = identity_pool(cid, AllowUnauthenticatedIdentities=True)
        cid.set_identity_pool_roles(
            IdentityPoolId=pool_id, Roles={"unauthenticated": "arn:aws:iam::123456789012:role/guest"}
        )
        guest = cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
        assert error_of(lambda: cid.get_credentials_for_identity(IdentityId=guest)) == (
            "ExternalServiceException",
            "The Security Token Service did not answer: Could not connect",
        )


def test_openid_configuration__at_the_issuer_s_path(tmp_path: Any) -> None:
    from userpool.config import IdentityPoolSettings

    issuer = "https://ids.example.com/cognito-identity"
    settings = make_settings(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'userpool.sqlite3'}",
        identity_pools=IdentityPoolSettings(issuer=issuer),
    )
    with running_server(settings) as server:
        for path in ("/cognito-identity", "/identity"):
            discovery = server.test_client.get(f"{path}/.well-known/openid-configuration")
            assert discovery.status_code == 200
            assert discovery.headers["access-control-allow-origin"] == "*"
            assert discovery.json() == {
                "issuer": issuer,
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "claims_supported": [
                    "sub",
                    "aud",
                    "amr",
                    "iss",
                    "exp",
                    "iat",
                    "https://cognito-identity.amazonaws.com/identity-pool-arn",
                ],
            }
            keys = server.test_client.get(f"{path}/.well-known/jwks.json").json()["keys"]
            assert [set(k) for k in keys] == [{"alg", "e", "kid", "kty", "n", "use"}]


def test_get_id__requests_the_model_refuses(setup: Setup) -> None:
    unchecked = setup.server.identity(parameter_validation=False)
    pool_id = identity_pool(setup.cid, AllowUnauthenticatedIdentities=True)
    code, message = error_of(lambda: unchecked.get_id(IdentityPoolId=pool_id, Logins={"": "token"}))
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value '' at 'logins.key' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    # Tokens are sensitive: a refused one is never echoed.
    code, message = error_of(lambda: unchecked.get_id(IdentityPoolId=pool_id, Logins={"p": "x" * 50_001}))
    assert code == "ValidationException" and "x" * 10 not in message
    assert message.startswith("1 validation error detected: Value at 'logins.p.value' failed to satisfy constraint")


def test_keys_rotate__identity_pool_tokens_signed_before_still_verify(app_server: Server) -> None:
    from click.testing import CliRunner

    from userpool.cli import main

    cid = app_server.identity()
    settings = app_server.settings
    pool_id = identity_pool(cid, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)
    guest = cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
    before = cid.get_open_id_token(IdentityId=guest)["Token"]
    args = ["keys", "rotate", "--identity-pools", "--database-url", settings.database_url]
    args += ["--data-dir", str(settings.data_dir)]
    outcome = CliRunner().invoke(main, args, env={"USERPOOL_SECRET_KEYS": ",".join(settings.secret_keys)})
    assert outcome.exit_code == 0, outcome.output
    rotated = json.loads(outcome.output)
    after = cid.get_open_id_token(IdentityId=guest)["Token"]
    assert jwt.get_unverified_header(after)["kid"] == rotated["CurrentKeyIds"][0]
    assert jwt.get_unverified_header(before)["kid"] != rotated["CurrentKeyIds"][0]
    published = jwt.PyJWKSet.from_dict(app_server.test_client.get("/identity/.well-known/jwks.json").json())
    assert [k.key_id for k in published.keys] == [jwt.get_unverified_header(t)["kid"] for t in (after, before)]
    for token in (before, after):
        key = next(k for k in published.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
        assert jwt.decode(token, key.key, algorithms=["RS256"], audience=pool_id)["sub"] == guest
    both = CliRunner().invoke(main, [*args, "--pool-id", "eu-west-1_abc"])
    assert both.exit_code != 0 and "Give either --pool-id or --identity-pools." in both.output


def test_identity_operations__identities_and_pools_not_found(setup: Setup) -> None:
    missing = f"{REGION}:00000000-0000-0000-0000-0000000000aa"
    gone = ("ResourceNotFoundException", f"Identity '{missing}' not found.")
    logins = {"graph.facebook.com": "token"}
    for call in (
        lambda: setup.cid.describe_identity(IdentityId=missing),
        lambda: setup.cid.get_open_id_token(IdentityId=missing),
        lambda: setup.cid.get_credentials_for_identity(IdentityId=missing),
        lambda: setup.cid.unlink_identity(IdentityId=missing, Logins=logins, LoginsToRemove=["graph.facebook.com"]),
    ):
        assert error_of(call) == gone
    pool_gone = ("ResourceNotFoundException", f"IdentityPool '{missing}' not found.")
    for call in (
        lambda: setup.cid.get_principal_tag_attribute_map(IdentityPoolId=missing, IdentityProviderName="p"),
        lambda: setup.cid.set_principal_tag_attribute_map(IdentityPoolId=missing, IdentityProviderName="p"),
        lambda: setup.cid.set_identity_pool_roles(IdentityPoolId=missing, Roles={}),
        lambda: setup.cid.lookup_developer_identity(IdentityPoolId=missing, DeveloperUserIdentifier="u"),
        lambda: setup.cid.merge_developer_identities(
            SourceUserIdentifier="a", DestinationUserIdentifier="b", DeveloperProviderName="d", IdentityPoolId=missing
        ),
        lambda: setup.cid.unlink_developer_identity(
            IdentityId=missing, IdentityPoolId=missing, DeveloperProviderName="d", DeveloperUserIdentifier="u"
        ),
    ):
        assert error_of(call) == pool_gone


def test_get_credentials_for_identity__a_merged_identity_is_forbidden(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann")
    pool_id = identity_pool(setup.cid, users, AllowUnauthenticatedIdentities=True)
    token = users.tokens(setup.idp, "ann")["IdToken"]
    known = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: token})["IdentityId"]
    guest = setup.cid.get_id(IdentityPoolId=pool_id)["IdentityId"]
    # GetCredentialsForIdentity merges like GetOpenIdToken (no roles yet: the merge stands, STS is not asked).
    assert error_of(
        lambda: setup.cid.get_credentials_for_identity(IdentityId=guest, Logins={users.provider: token})
    ) == (
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
    assert error_of(lambda: setup.cid.get_credentials_for_identity(IdentityId=guest)) == (
        "NotAuthorizedException",
        f"Access to Identity '{guest}' is forbidden.",
    )
    assert setup.cid.describe_identity(IdentityId=known)["Logins"] == [users.provider]


def test_get_open_id_token_for_developer_identity__one_user_per_provider(setup: Setup) -> None:
    users = user_pool(setup.idp, "ann", "bob")
    pool_id = identity_pool(setup.cid, users, DeveloperProviderName="login.example.app")
    ann = users.tokens(setup.idp, "ann")["IdToken"]
    bob = users.tokens(setup.idp, "bob")["IdToken"]
    identity_id = setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: ann})["IdentityId"]
    assert error_of(
        lambda: setup.cid.get_open_id_token_for_developer_identity(
            IdentityPoolId=pool_id, IdentityId=identity_id, Logins={"login.example.app": "dev-1", users.provider: bob}
        )
    ) == (
        "ResourceConflictException",
        f"A login of {users.provider} for another user is already linked to identity '{identity_id}'.",
    )
    # Nothing was linked half-way.
    assert setup.cid.describe_identity(IdentityId=identity_id)["Logins"] == [users.provider]
    assert (
        error_of(lambda: setup.cid.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="dev-1"))[
            0
        ]
        == "ResourceNotFoundException"
    )
    # Two spellings of one user pool naming two users in one request.
    assert error_of(
        lambda: setup.cid.get_id(IdentityPoolId=pool_id, Logins={users.provider: ann, users.issuer_name: bob})
    ) == ("ResourceConflictException", f"Logins name two different users of {users.provider}.")
