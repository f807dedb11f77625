"""Developer-authenticated identities through boto3's cognito-identity client: GetOpenIdTokenForDeveloperIdentity
(new identities, the same identity again, linking to an IdentityId, TokenDuration, PrincipalTags),
LookupDeveloperIdentity, MergeDeveloperIdentities and UnlinkDeveloperIdentity, with their refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import make_client, make_user, payload, sign_in
from tests.support.bridge import REGION
from tests.support.pools import error_of

pytestmark = pytest.mark.xdist_group("developer_identities")

DEVELOPER = "login.example.app"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("developer-identities")
    with running_server(make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}")) as found:
        yield found


@pytest.fixture(scope="module")
def cid(server: Server) -> Any:
    return server.identity()


def _pool(cid: Any, **config: Any) -> str:
    config.setdefault("DeveloperProviderName", DEVELOPER)
    return str(
        cid.create_identity_pool(IdentityPoolName="developer", AllowUnauthenticatedIdentities=False, **config)[
            "IdentityPoolId"
        ]
    )


def _token(cid: Any, pool_id: str, user: str, **extra: Any) -> dict[str, Any]:
    return dict(cid.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEVELOPER: user}, **extra))


def test_get_open_id_token_for_developer_identity__one_identity_per_user(cid: Any) -> None:
    pool_id = _pool(cid)
    first = _token(cid, pool_id, "user-1")
    claims = payload(first["Token"])
    assert claims["sub"] == first["IdentityId"] and claims["aud"] == pool_id
    assert claims["amr"] == ["authenticated", DEVELOPER, f"{DEVELOPER}:{pool_id}:user-1"]
    assert claims["exp"] - claims["iat"] == 900
    assert _token(cid, pool_id, "user-1")["IdentityId"] == first["IdentityId"]
    assert _token(cid, pool_id, "user-2")["IdentityId"] != first["IdentityId"]
    assert cid.describe_identity(IdentityId=first["IdentityId"])["Logins"] == [DEVELOPER]


def test_get_open_id_token_for_developer_identity__duration_and_principal_tags(cid: Any) -> None:
    pool_id = _pool(cid)
    answer = _token(cid, pool_id, "user-1", TokenDuration=86_400, PrincipalTags={"dept": "sales"})
    claims = payload(answer["Token"])
    assert claims["exp"] - claims["iat"] == 86_400
    assert claims["https://aws.amazon.com/tags"] == {"principal_tags": {"dept": ["sales"]}}
    code, message = error_of(
        lambda: cid.get_open_id_token_for_developer_identity(
            IdentityPoolId=pool_id, Logins={DEVELOPER: "user-1"}, TokenDuration=86_401
        )
    )
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value '86401' at 'tokenDuration' failed to satisfy constraint: "
        "Member must have value less than or equal to 86400"
    )


def test_get_open_id_token_for_developer_identity__links_to_an_identity_id(cid: Any) -> None:
    pool_id = _pool(cid)
    identity_id = _token(cid, pool_id, "user-1")["IdentityId"]
    # A second identifier linked to the same identity ("multiple developer user identifiers").
    assert _token(cid, pool_id, "user-1b", IdentityId=identity_id)["IdentityId"] == identity_id
    other = _token(cid, pool_id, "user-2")["IdentityId"]
    assert error_of(lambda: _token(cid, pool_id, "user-2", IdentityId=identity_id)) == (
        "DeveloperUserAlreadyRegisteredException",
        "This developer user identifier is already registered with Cognito.",
    )
    assert _token(cid, pool_id, "user-2", IdentityId=other)["IdentityId"] == other
    missing = f"{REGION}:00000000-0000-0000-0000-000000000000"
    assert error_of(lambda: _token(cid, pool_id, "user-3", IdentityId=missing)) == (
        "ResourceNotFoundException",
        f"Identity '{missing}' not found.",
    )
    foreign = _token(cid, _pool(cid), "user-9")["IdentityId"]
    assert error_of(lambda: _token(cid, pool_id, "user-3", IdentityId=foreign)) == (
        "ResourceNotFoundException",
        f"Identity '{foreign}' not found.",
    )


def test_get_open_id_token_for_developer_identity__links_a_user_pool_login(server: Server, cid: Any) -> None:
    idp = server.client()
    user_pool_id = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    client = make_client(idp, user_pool_id)
    make_user(idp, user_pool_id, "ann")
    provider = f"cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"
    pool_id = _pool(cid, CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client["ClientId"]}])
    token = sign_in(idp, client, "ann")["IdToken"]
    answer = cid.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={DEVELOPER: "user-1", provider: token}
    )
    assert sorted(cid.describe_identity(IdentityId=answer["IdentityId"])["Logins"]) == sorted([DEVELOPER, provider])
    assert cid.get_id(IdentityPoolId=pool_id, Logins={provider: token})["IdentityId"] == answer["IdentityId"]
    # The developer provider is for signed calls only: GetId does not take it.
    assert error_of(lambda: cid.get_id(IdentityPoolId=pool_id, Logins={DEVELOPER: "user-1"})) == (
        "NotAuthorizedException",
        "Token is not from a supported provider of this identity pool.",
    )


def test_get_open_id_token_for_developer_identity__refusals(cid: Any) -> None:
    without = cid.create_identity_pool(IdentityPoolName="plain", AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
    message = "The Logins map must contain the identity pool's DeveloperProviderName."
    assert error_of(lambda: _token(cid, without, "user-1")) == ("InvalidParameterException", message)
    pool_id = _pool(cid)
    assert error_of(
        lambda: cid.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={"login.other.app": "x"})
    ) == ("InvalidParameterException", message)
    missing = f"{REGION}:00000000-0000-0000-0000-000000000000"
    assert error_of(lambda: _token(cid, missing, "user-1")) == (
        "ResourceNotFoundException",
        f"IdentityPool '{missing}' not found.",
    )


def test_lookup_developer_identity__both_ways(cid: Any) -> None:
    pool_id = _pool(cid)
    identity_id = _token(cid, pool_id, "user-1")["IdentityId"]
    for extra in ("user-1b", "user-1c", "user-1d"):
        _token(cid, pool_id, extra, IdentityId=identity_id)
    by_user = cid.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="user-1c")
    assert by_user["IdentityId"] == identity_id and by_user["DeveloperUserIdentifierList"] == ["user-1c"]
    both = cid.lookup_developer_identity(
        IdentityPoolId=pool_id, IdentityId=identity_id, DeveloperUserIdentifier="user-1"
    )
    assert both["IdentityId"] == identity_id and both["DeveloperUserIdentifierList"] == ["user-1"]
    found: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = cid.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id, MaxResults=3, **kwargs)
        found += page["DeveloperUserIdentifierList"]
        if "NextToken" not in page:
            break
        kwargs = {"NextToken": page["NextToken"]}
    assert sorted(found) == ["user-1", "user-1b", "user-1c", "user-1d"]


def test_lookup_developer_identity__refusals(cid: Any) -> None:
    pool_id = _pool(cid)
    identity_id = _token(cid, pool_id, "user-1")["IdentityId"]
    other = _token(cid, pool_id, "user-2")["IdentityId"]
    assert error_of(lambda: cid.lookup_developer_identity(IdentityPoolId=pool_id)) == (
        "InvalidParameterException",
        "Either IdentityId or DeveloperUserIdentifier must be specified.",
    )
    assert error_of(
        lambda: cid.lookup_developer_identity(
            IdentityPoolId=pool_id, IdentityId=other, DeveloperUserIdentifier="user-1"
        )
    ) == ("ResourceConflictException", f"DeveloperUserIdentifier 'user-1' does not belong to Identity '{other}'.")
    assert error_of(
        lambda: cid.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="nobody")
    ) == (
        "ResourceNotFoundException",
        f"DeveloperUserIdentifier 'nobody' not found in IdentityPool '{pool_id}'.",
    )
    plain = cid.create_identity_pool(IdentityPoolName="plain", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    assert error_of(lambda: cid.lookup_developer_identity(IdentityPoolId=plain, IdentityId=identity_id)) == (
        "ResourceNotFoundException",
        f"Developer provider DeveloperProviderName is not configured for IdentityPool '{plain}'.",
    )


def test_merge_developer_identities__the_source_joins_the_destination(cid: Any) -> None:
    pool_id = _pool(cid)
    source = _token(cid, pool_id, "user-1")["IdentityId"]
    destination = _token(cid, pool_id, "user-2")["IdentityId"]
    answer = cid.merge_developer_identities(
        SourceUserIdentifier="user-1",
        DestinationUserIdentifier="user-2",
        DeveloperProviderName=DEVELOPER,
        IdentityPoolId=pool_id,
    )
    assert answer["IdentityId"] == destination
    assert _token(cid, pool_id, "user-1")["IdentityId"] == destination
    found = cid.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=destination)["DeveloperUserIdentifierList"]
    assert sorted(found) == ["user-1", "user-2"]
    shown = cid.list_identities(IdentityPoolId=pool_id, MaxResults=10, HideDisabled=True)["Identities"]
    assert [i["IdentityId"] for i in shown] == [destination]
    assert source in [i["IdentityId"] for i in cid.list_identities(IdentityPoolId=pool_id, MaxResults=10)["Identities"]]
    # Merging the two again changes nothing.
    again = cid.merge_developer_identities(
        SourceUserIdentifier="user-1",
        DestinationUserIdentifier="user-2",
        DeveloperProviderName=DEVELOPER,
        IdentityPoolId=pool_id,
    )
    assert again["IdentityId"] == destination


def test_merge_developer_identities__refusals(cid: Any) -> None:
    pool_id = _pool(cid)
    _token(cid, pool_id, "user-1")
    _token(cid, pool_id, "user-2")

    def merge(source: str = "user-1", destination: str = "user-2", provider: str = DEVELOPER) -> tuple[str, str]:
        return error_of(
            lambda: cid.merge_developer_identities(
                SourceUserIdentifier=source,
                DestinationUserIdentifier=destination,
                DeveloperProviderName=provider,
                IdentityPoolId=pool_id,
            )
        )

    assert merge(provider="login.other.app") == (
        "ResourceNotFoundException",
        f"Developer provider login.other.app is not configured for IdentityPool '{pool_id}'.",
    )
    assert merge(source="nobody") == (
        "ResourceNotFoundException",
        f"DeveloperUserIdentifier 'nobody' not found in IdentityPool '{pool_id}'.",
    )
    big = _token(cid, pool_id, "many-0")["IdentityId"]
    for n in range(1, 15):
        _token(cid, pool_id, f"many-{n}", IdentityId=big)
    other = _token(cid, pool_id, "more-0")["IdentityId"]
    for n in range(1, 7):
        _token(cid, pool_id, f"more-{n}", IdentityId=other)
    assert merge("many-0", "more-0") == (
        "InvalidParameterException",
        "The identities to merge have more than 20 linked logins together.",
    )


def test_unlink_developer_identity__the_identifier_leaves(cid: Any) -> None:
    pool_id = _pool(cid)
    identity_id = _token(cid, pool_id, "user-1")["IdentityId"]
    other = _token(cid, pool_id, "user-2")["IdentityId"]

    def unlink(identity: str, user: str, provider: str = DEVELOPER) -> Any:
        return cid.unlink_developer_identity(
            IdentityId=identity, IdentityPoolId=pool_id, DeveloperProviderName=provider, DeveloperUserIdentifier=user
        )

    assert error_of(lambda: unlink(other, "user-1")) == (
        "ResourceConflictException",
        f"DeveloperUserIdentifier 'user-1' does not belong to Identity '{other}'.",
    )
    assert error_of(lambda: unlink(identity_id, "user-1", "login.other.app"))[0] == "ResourceNotFoundException"
    unlink(identity_id, "user-1")
    assert "Logins" not in cid.describe_identity(IdentityId=identity_id)
    assert _token(cid, pool_id, "user-1")["IdentityId"] not in (identity_id, other)
    assert error_of(lambda: unlink(identity_id, "user-9")) == (
        "ResourceNotFoundException",
        f"DeveloperUserIdentifier 'user-9' not found in IdentityPool '{pool_id}'.",
    )


def test_merge_developer_identities__two_users_of_one_provider_refused(server: Server, cid: Any) -> None:
    idp = server.client()
    user_pool_id = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    client = make_client(idp, user_pool_id)
    make_user(idp, user_pool_id, "ann")
    make_user(idp, user_pool_id, "bob")
    provider = f"cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"
    pool_id = _pool(cid, CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client["ClientId"]}])
    for developer_user, username in (("user-a", "ann"), ("user-b", "bob")):
        token = sign_in(idp, client, username)["IdToken"]
        cid.get_open_id_token_for_developer_identity(
            IdentityPoolId=pool_id, Logins={DEVELOPER: developer_user, provider: token}
        )
    assert error_of(
        lambda: cid.merge_developer_identities(
            SourceUserIdentifier="user-a",
            DestinationUserIdentifier="user-b",
            DeveloperProviderName=DEVELOPER,
            IdentityPoolId=pool_id,
        )
    ) == ("ResourceConflictException", f"The identities to merge have logins of {provider} for two different users.")
