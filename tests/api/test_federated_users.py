"""Users who sign in through external identity providers, as the pool's directory shows them through boto3:
the federated user a first sign-in makes, the attributes later sign-ins write, ``identities`` in both its
encodings, AdminLinkProviderForUser / AdminDisableProviderForUser with every error, and what the password
operations do for such users. The sign-ins are what the browser flow does once a provider's answer is verified
(tests/support/federation.py)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import Server
from tests.support.errors import fails
from tests.support.federation import CORP, OIDC_DETAILS, federated_sign_in, hosted_id_token, hosted_tokens
from tests.support.pools import error_of
from tests.support.saml_metadata import metadata
from userpool.services.federation.steps.federated_calls import FederatedSignInError, ProviderIdentity

GOOGLE = ProviderIdentity("Google", "Google", None, {"email": "email", "email_verified": "email_verified"})
ADFS = ProviderIdentity("ADFS", "SAML", "http://adfs.example/adfs/services/trust", {"email": "mail"})
PASSWORD = "Correct-Horse-9!"


def _pool(idp: Any, **config: Any) -> str:
    config.setdefault("UsernameConfiguration", {"CaseSensitive": False})
    return str(idp.create_user_pool(PoolName="federated", **config)["UserPool"]["Id"])


def _client(idp: Any, pool_id: str, **config: Any) -> str:
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    config.setdefault("ExplicitAuthFlows", flows)
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **config)
    return str(created["UserPoolClient"]["ClientId"])


GOOGLE_DETAILS = {"client_id": "1.apps.googleusercontent.com", "client_secret": "g", "authorize_scopes": "email openid"}


def _identity_providers(idp: Any, pool_id: str) -> None:
    """The IdP records the identities of these tests come from: Corp (OIDC), Google, ADFS (SAML)."""
    create = idp.create_identity_provider
    create(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
        AttributeMapping=dict(CORP.attribute_mapping),
    )
    create(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE_DETAILS,
        AttributeMapping=dict(GOOGLE.attribute_mapping),
    )
    saml = {"MetadataFile": metadata(entity_id=str(ADFS.issuer))}
    create(
        UserPoolId=pool_id,
        ProviderName="ADFS",
        ProviderType="SAML",
        ProviderDetails=saml,
        AttributeMapping=dict(ADFS.attribute_mapping),
    )


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    return {a["Name"]: a["Value"] for a in found}


def _native_user(idp: Any, pool_id: str, username: str = "carlos", **attributes: str) -> str:
    given = [{"Name": k, "Value": v} for k, v in attributes.items()]
    idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=given, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return str(_attributes(idp, pool_id, username)["sub"])


def _refusal(call: Any) -> str:
    with pytest.raises(FederatedSignInError) as refused:
        call()
    assert refused.value.error == "invalid_request"
    return refused.value.description


def _password_sign_in(idp: Any, pool_id: str, client_id: str, username: str, password: str = PASSWORD) -> Any:
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def _link(idp: Any, pool_id: str, destination: dict[str, str], source: dict[str, str]) -> Any:
    return idp.admin_link_provider_for_user(UserPoolId=pool_id, DestinationUser=destination, SourceUser=source)


def _corp_source(subject: str) -> dict[str, str]:
    return {"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": subject}


def test_federated_sign_in__first_sign_in_makes_an_external_provider_user(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    claims = {"sub": "AB12cd", "email": "ann@example.com", "email_verified": True, "given_name": "Ann"}
    user = federated_sign_in(deps, pool_id, client_id, "AB12cd", claims)

    # The whole username lower-cased in a case-insensitive pool; the identity keeps the provider's case.
    got = idp.admin_get_user(UserPoolId=pool_id, Username="corp_ab12cd")
    assert (got["Username"], got["UserStatus"], got["Enabled"]) == ("corp_ab12cd", "EXTERNAL_PROVIDER", True)
    attributes = {a["Name"]: a["Value"] for a in got["UserAttributes"]}
    assert attributes["sub"] == user.sub != "AB12cd"
    # email_verified is not mapped: the address is unverified whatever the provider says.
    assert (attributes["email"], attributes["email_verified"], attributes["given_name"]) == (
        "ann@example.com",
        "false",
        "Ann",
    )
    identities = json.loads(attributes["identities"])
    assert identities == [
        {
            "userId": "AB12cd",
            "providerName": "Corp",
            "providerType": "OIDC",
            "issuer": None,
            "primary": True,
            "dateCreated": identities[0]["dateCreated"],
        }
    ]
    assert isinstance(identities[0]["dateCreated"], int) and identities[0]["dateCreated"] > 1_600_000_000_000
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="corp_ab12cd")["Groups"]
    assert [g["GroupName"] for g in groups] == [f"{pool_id}_Corp"]

    token = hosted_id_token(deps, pool_id, client_id, user)
    assert token["cognito:username"] == "corp_ab12cd" and token["sub"] == user.sub
    assert token["cognito:groups"] == [f"{pool_id}_Corp"]
    assert token["email_verified"] is False
    # The array form, every value a string.
    assert token["identities"] == [
        {
            "userId": "AB12cd",
            "providerName": "Corp",
            "providerType": "OIDC",
            "issuer": None,
            "primary": "true",
            "dateCreated": str(identities[0]["dateCreated"]),
        }
    ]


def test_federated_sign_in__case_sensitive_pool_keeps_the_username_as_built(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp, UsernameConfiguration={"CaseSensitive": True})
    client_id = _client(idp, pool_id)
    user = federated_sign_in(app_server.runtime.deps, pool_id, client_id, "AB12cd", {"email": "a@example.com"})
    assert user.username == "Corp_AB12cd"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="Corp_AB12cd")["UserStatus"] == "EXTERNAL_PROVIDER"


def test_federated_sign_in__later_sign_in_writes_mapped_attributes_and_keeps_missing_ones(
    app_server: Server, idp: Any
) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    first = federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "old@example.com", "given_name": "Ann"})
    again = federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "new@example.com"})
    assert again.sub == first.sub
    attributes = _attributes(idp, pool_id, first.username)
    assert (attributes["email"], attributes["given_name"]) == ("new@example.com", "Ann")
    assert json.loads(attributes["identities"])[0]["primary"] is True
    assert len(idp.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_federated_sign_in__provider_group_made_again_when_deleted(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    ann = federated_sign_in(deps, pool_id, client_id, "ann", {})
    group = f"{pool_id}_Corp"
    assert idp.get_group(UserPoolId=pool_id, GroupName=group)["Group"]["Description"] == (
        "Autogenerated group for users who sign in using Corp"
    )
    idp.delete_group(UserPoolId=pool_id, GroupName=group)
    bo = federated_sign_in(deps, pool_id, client_id, "bo", {})
    federated_sign_in(deps, pool_id, client_id, "ann", {})
    members = idp.list_users_in_group(UserPoolId=pool_id, GroupName=group)["Users"]
    assert sorted(u["Username"] for u in members) == sorted([ann.username, bo.username])


def test_federated_sign_in__verified_flag_mapped_and_stringified(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    user = federated_sign_in(
        app_server.runtime.deps,
        pool_id,
        client_id,
        "109844304513055947397",
        {"email": "g@example.com", "email_verified": "True"},
        provider=GOOGLE,
    )
    assert user.username == "google_109844304513055947397"
    assert _attributes(idp, pool_id, user.username)["email_verified"] == "true"


def test_federated_sign_in__saml_identity_carries_the_issuer(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    user = federated_sign_in(app_server.runtime.deps, pool_id, client_id, "AD\\rumesh", {"mail": "r@x.org"}, ADFS)
    assert user.username == "adfs_ad\\rumesh"
    entry = json.loads(_attributes(idp, pool_id, user.username)["identities"])[0]
    assert (entry["userId"], entry["providerType"], entry["issuer"]) == ("AD\\rumesh", "SAML", ADFS.issuer)


def test_federated_sign_in__required_attribute_missing_creates_nobody(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp, Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    message = _refusal(lambda: federated_sign_in(deps, pool_id, client_id, "s-1", {"given_name": "Ann"}))
    assert message == "attributes required: [email]"
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []


def test_federated_sign_in__immutable_mapped_attribute_fails_later_sign_ins(app_server: Server, idp: Any) -> None:
    tenant = {"Name": "tenant", "AttributeDataType": "String", "Mutable": False}
    pool_id = _pool(idp, Schema=[tenant])
    client_id = _client(idp, pool_id)
    provider = ProviderIdentity("Corp", "OIDC", None, {"custom:tenant": "tenant"})
    deps = app_server.runtime.deps
    user = federated_sign_in(deps, pool_id, client_id, "s-1", {"tenant": "acme"}, provider)
    assert _attributes(idp, pool_id, user.username)["custom:tenant"] == "acme"
    message = _refusal(lambda: federated_sign_in(deps, pool_id, client_id, "s-1", {"tenant": "acme"}, provider))
    assert message == "Invalid user attributes: custom:tenant: Attribute cannot be updated."
    # A claim the provider did not send this time writes nothing, so nothing is refused.
    assert federated_sign_in(deps, pool_id, client_id, "s-1", {}, provider).sub == user.sub


def test_federated_sign_in__value_longer_than_2048_is_refused(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    message = _refusal(lambda: federated_sign_in(deps, pool_id, client_id, "s-1", {"given_name": "x" * 2049}))
    assert message == "Invalid user attributes: given_name: String must be no longer than 2048 characters"


def test_federated_sign_in__attribute_outside_write_attributes_is_refused(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id, WriteAttributes=["email"])
    deps = app_server.runtime.deps
    message = _refusal(lambda: federated_sign_in(deps, pool_id, client_id, "s-1", {"given_name": "Ann"}))
    assert message == "Invalid user attributes: given_name: Attribute cannot be updated."


def test_federated_sign_in__disabled_user_is_refused(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    user = federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "a@example.com"})
    idp.admin_disable_user(UserPoolId=pool_id, Username=user.username)
    assert _refusal(lambda: federated_sign_in(deps, pool_id, client_id, "s-1", {})) == "User is disabled."


def test_federated_sign_in__admin_create_user_only_pool_refuses_new_users(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = _client(idp, pool_id)
    message = _refusal(lambda: federated_sign_in(app_server.runtime.deps, pool_id, client_id, "s-1", {}))
    assert message == "SignUp is not permitted for this user pool"


@pytest.mark.every_database
def test_federated_sign_in__racing_first_sign_ins_make_one_user(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    start = threading.Barrier(4)
    subs: list[str] = []

    def sign_in() -> None:
        start.wait()
        subs.append(federated_sign_in(deps, pool_id, client_id, "Racer", {"email": "r@example.com"}).sub)

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(subs) == 4 and len(set(subs)) == 1
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]] == ["corp_racer"]


def test_list_users__federated_users_by_status(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    _native_user(idp, pool_id, "native")
    federated_sign_in(app_server.runtime.deps, pool_id, client_id, "s-1", {"email": "a@example.com"})
    found = idp.list_users(UserPoolId=pool_id, Filter='cognito:user_status = "EXTERNAL_PROVIDER"')["Users"]
    assert [(u["Username"], u["UserStatus"]) for u in found] == [("corp_s-1", "EXTERNAL_PROVIDER")]
    assert "identities" in {a["Name"] for a in found[0]["Attributes"]}


def test_admin_update_user_attributes__identities_is_the_servers(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    user = federated_sign_in(app_server.runtime.deps, pool_id, client_id, "s-1", {"email": "a@example.com"})
    before = _attributes(idp, pool_id, user.username)["identities"]
    code, _ = error_of(
        lambda: idp.admin_update_user_attributes(
            UserPoolId=pool_id, Username=user.username, UserAttributes=[{"Name": "identities", "Value": "[]"}]
        )
    )
    assert code == "InvalidParameterException"
    code, _ = error_of(
        lambda: idp.admin_delete_user_attributes(
            UserPoolId=pool_id, Username=user.username, UserAttributeNames=["identities"]
        )
    )
    assert code == "InvalidParameterException"
    assert _attributes(idp, pool_id, user.username)["identities"] == before


def test_admin_initiate_auth__federated_user_has_no_password(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    user = federated_sign_in(app_server.runtime.deps, pool_id, client_id, "s-1", {"email": "a@example.com"})
    assert error_of(lambda: _password_sign_in(idp, pool_id, client_id, user.username)) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_admin_set_user_password__federated_user_becomes_confirmed(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    user = federated_sign_in(app_server.runtime.deps, pool_id, client_id, "s-1", {"email": "a@example.com"})
    idp.admin_set_user_password(UserPoolId=pool_id, Username=user.username, Password=PASSWORD, Permanent=True)
    assert idp.admin_get_user(UserPoolId=pool_id, Username=user.username)["UserStatus"] == "CONFIRMED"
    assert "IdToken" in _password_sign_in(idp, pool_id, client_id, user.username)["AuthenticationResult"]


def test_admin_delete_user__next_sign_in_is_a_first_one(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    first = federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "a@example.com"})
    idp.admin_delete_user(UserPoolId=pool_id, Username=first.username)
    second = federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "a@example.com"})
    assert second.sub != first.sub and second.username == first.username


def test_admin_link_provider_for_user__linked_identity_signs_in_as_the_native_user(
    app_server: Server, idp: Any
) -> None:
    pool_id = _pool(idp)
    _identity_providers(idp, pool_id)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    native_sub = _native_user(idp, pool_id, "carlos", email="carlos@example.com")
    assert _link(idp, pool_id, {"ProviderName": "Cognito", "ProviderAttributeValue": "carlos"}, _corp_source("Ext1"))
    entry = json.loads(_attributes(idp, pool_id, "carlos")["identities"])
    assert [(e["userId"], e["providerName"], e["primary"]) for e in entry] == [("Ext1", "Corp", False)]

    user = federated_sign_in(deps, pool_id, client_id, "Ext1", {"given_name": "Carlos"})
    assert (user.sub, user.username) == (native_sub, "carlos")
    assert _attributes(idp, pool_id, "carlos")["given_name"] == "Carlos"
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]] == ["carlos"]
    token = hosted_id_token(deps, pool_id, client_id, user)
    assert (token["sub"], token["cognito:username"]) == (native_sub, "carlos")
    assert token["identities"][0]["primary"] == "false"
    # The native user's password still signs it in.
    assert "AuthenticationResult" in _password_sign_in(idp, pool_id, client_id, "carlos")


def test_admin_link_provider_for_user__federated_destination(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    _identity_providers(idp, pool_id)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    corp_user = federated_sign_in(deps, pool_id, client_id, "Ext1", {"email": "a@example.com"})
    google = {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "g-1"}
    _link(idp, pool_id, {"ProviderName": "Corp", "ProviderAttributeValue": "Ext1"}, google)
    assert federated_sign_in(deps, pool_id, client_id, "g-1", {}, GOOGLE).sub == corp_user.sub
    entries = json.loads(_attributes(idp, pool_id, corp_user.username)["identities"])
    assert [(e["providerName"], e["primary"]) for e in entries] == [("Corp", True), ("Google", False)]


def test_admin_link_provider_for_user__by_mapped_attribute_then_disabled_by_subject(
    app_server: Server, idp: Any
) -> None:
    pool_id = _pool(idp)
    _identity_providers(idp, pool_id)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    native_sub = _native_user(idp, pool_id, "carlos")
    source = {"ProviderName": "ADFS", "ProviderAttributeName": "email", "ProviderAttributeValue": "c@adfs.example"}
    _link(idp, pool_id, {"ProviderName": "Cognito", "ProviderAttributeValue": "carlos"}, source)
    user = federated_sign_in(deps, pool_id, client_id, "CARLOS-NAMEID", {"mail": "c@adfs.example"}, ADFS)
    assert user.sub == native_sub
    # Once used, the link is the NameID's.
    entry = json.loads(_attributes(idp, pool_id, "carlos")["identities"])[0]
    assert (entry["userId"], entry["issuer"]) == ("CARLOS-NAMEID", ADFS.issuer)
    named = {
        "ProviderName": "ADFS",
        "ProviderAttributeName": "Cognito_Subject",
        "ProviderAttributeValue": "CARLOS-NAMEID",
    }
    idp.admin_disable_provider_for_user(UserPoolId=pool_id, User=named)
    assert "identities" not in _attributes(idp, pool_id, "carlos")
    assert federated_sign_in(deps, pool_id, client_id, "CARLOS-NAMEID", {"mail": "x@y.z"}, ADFS).sub != native_sub


def test_admin_link_provider_for_user__errors(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    _identity_providers(idp, pool_id)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    _native_user(idp, pool_id, "carlos")
    _native_user(idp, pool_id, "dana")
    carlos = {"ProviderName": "Cognito", "ProviderAttributeValue": "carlos"}

    def link(destination: dict[str, str], source: dict[str, str], pool: str = pool_id) -> tuple[str, str]:
        return error_of(lambda: _link(idp, pool, destination, source))

    assert link(carlos, _corp_source("x"), "not a pool id!")[0] == "ResourceNotFoundException"
    assert link(carlos, _corp_source("x"), "us-east-1_Nope")[0] == "ResourceNotFoundException"
    assert link({"ProviderName": "Cognito", "ProviderAttributeValue": "nobody"}, _corp_source("x")) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert link({"ProviderName": "Corp", "ProviderAttributeValue": "never-signed-in"}, _corp_source("x"))[0] == (
        "UserNotFoundException"
    )
    cognito_source = {
        "ProviderName": "Cognito",
        "ProviderAttributeName": "Cognito_Subject",
        "ProviderAttributeValue": "dana",
    }
    assert link(carlos, cognito_source)[0] == "InvalidParameterException"
    social_by_email = {"ProviderName": "Google", "ProviderAttributeName": "email", "ProviderAttributeValue": "a@b.c"}
    assert link(carlos, social_by_email)[0] == "InvalidParameterException"
    assert link(carlos, {"ProviderName": "Corp", "ProviderAttributeValue": "x"})[0] == "InvalidParameterException"
    # An OIDC or SAML identity may be named by a pool attribute its provider maps, no other.
    assert link(carlos, {**_corp_source("x"), "ProviderAttributeName": "phone_number"})[0] == (
        "InvalidParameterException"
    )
    unknown = {"ProviderName": "Nope", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "x"}
    assert link(carlos, unknown) == (
        "InvalidParameterException",
        f"The provider Nope does not exist for User Pool {pool_id}",
    )
    # Provider names are compared exactly.
    assert link(carlos, {**_corp_source("x"), "ProviderName": "corp"})[0] == "InvalidParameterException"

    federated_sign_in(deps, pool_id, client_id, "signed-in", {})
    assert link(carlos, _corp_source("signed-in")) == (
        "InvalidParameterException",
        "Merging is not currently supported, provide a SourceUser that has not been used to sign in",
    )
    _link(idp, pool_id, carlos, _corp_source("linked"))
    _link(idp, pool_id, carlos, _corp_source("linked"))  # to the same user again: nothing changes
    assert link({"ProviderName": "Cognito", "ProviderAttributeValue": "dana"}, _corp_source("linked"))[0] == (
        "InvalidParameterException"
    )
    for n in range(4):
        _link(idp, pool_id, carlos, _corp_source(f"more-{n}"))
    assert link(carlos, _corp_source("sixth"))[0] == "LimitExceededException"
    assert len(json.loads(_attributes(idp, pool_id, "carlos")["identities"])) == 5


def test_admin_disable_provider_for_user__cognito_ends_password_sign_in(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    _native_user(idp, pool_id, "carlos")
    named = {"ProviderName": "Cognito", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "carlos"}
    idp.admin_disable_provider_for_user(UserPoolId=pool_id, User=named)
    wrong = ("NotAuthorizedException", "Incorrect username or password.")
    assert error_of(lambda: _password_sign_in(idp, pool_id, client_id, "carlos")) == wrong
    user_password = {"USERNAME": "carlos", "PASSWORD": PASSWORD}
    assert (
        error_of(
            lambda: idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=user_password)
        )
        == wrong
    )
    srp_client = _client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH"])
    assert fails(AWSSRP("carlos", PASSWORD, pool_id, srp_client, client=idp).authenticate_user) == wrong
    choice = {"USERNAME": "carlos", "PASSWORD": PASSWORD, "PREFERRED_CHALLENGE": "PASSWORD"}
    assert (
        error_of(lambda: idp.initiate_auth(ClientId=srp_client, AuthFlow="USER_AUTH", AuthParameters=choice)) == wrong
    )
    # The user itself is still there, enabled and confirmed.
    got = idp.admin_get_user(UserPoolId=pool_id, Username="carlos")
    assert (got["UserStatus"], got["Enabled"]) == ("CONFIRMED", True)


def test_admin_disable_provider_for_user__linked_identity_is_unlinked(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    _identity_providers(idp, pool_id)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    native_sub = _native_user(idp, pool_id, "carlos")
    _link(idp, pool_id, {"ProviderName": "Cognito", "ProviderAttributeValue": "carlos"}, _corp_source("Ext1"))
    assert federated_sign_in(deps, pool_id, client_id, "Ext1", {}).sub == native_sub
    idp.admin_disable_provider_for_user(UserPoolId=pool_id, User=_corp_source("Ext1"))
    assert "identities" not in _attributes(idp, pool_id, "carlos")
    fresh = federated_sign_in(deps, pool_id, client_id, "Ext1", {})
    assert fresh.sub != native_sub and fresh.username == "corp_ext1"


def test_admin_disable_provider_for_user__federated_users_own_identity(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    _identity_providers(idp, pool_id)
    client_id = _client(idp, pool_id)
    deps = app_server.runtime.deps
    user = federated_sign_in(deps, pool_id, client_id, "Ext1", {})
    refresh_token = hosted_tokens(deps, pool_id, client_id, user)["RefreshToken"]
    idp.admin_disable_provider_for_user(UserPoolId=pool_id, User=_corp_source("Ext1"))
    assert _refusal(lambda: federated_sign_in(deps, pool_id, client_id, "Ext1", {})) == "User is disabled."
    # What it signed in ends with it.
    refresh = {"REFRESH_TOKEN": refresh_token}
    code, _ = error_of(
        lambda: idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
    )
    assert code == "NotAuthorizedException"
    # The subject's case counts: the identity is the provider's exact value.
    assert error_of(lambda: idp.admin_disable_provider_for_user(UserPoolId=pool_id, User=_corp_source("ext1"))) == (
        "UserNotFoundException",
        "User does not exist.",
    )


def test_admin_disable_provider_for_user__errors(idp: Any) -> None:
    pool_id = _pool(idp)
    _identity_providers(idp, pool_id)
    _native_user(idp, pool_id, "carlos")

    def disable(user: dict[str, str], pool: str = pool_id) -> str:
        return error_of(lambda: idp.admin_disable_provider_for_user(UserPoolId=pool, User=user))[0]

    assert disable(_corp_source("x"), "not a pool id!") == "ResourceNotFoundException"
    assert disable(_corp_source("nobody")) == "UserNotFoundException"
    cognito = {
        "ProviderName": "Cognito",
        "ProviderAttributeName": "Cognito_Subject",
        "ProviderAttributeValue": "nobody",
    }
    assert disable(cognito) == "UserNotFoundException"
    assert disable({**cognito, "ProviderAttributeName": "email", "ProviderAttributeValue": "carlos"}) == (
        "InvalidParameterException"
    )
    assert disable({"ProviderName": "Corp", "ProviderAttributeValue": "x"}) == "InvalidParameterException"
    assert disable({**_corp_source("x"), "ProviderName": "Nope"}) == "InvalidParameterException"


def test_update_user_attributes__identities_is_the_servers(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    _native_user(idp, pool_id, "carlos")
    token = _password_sign_in(idp, pool_id, client_id, "carlos")["AuthenticationResult"]["AccessToken"]
    forged = [{"Name": "identities", "Value": '[{"userId":"x","providerName":"Corp","primary":true}]'}]
    code, _ = error_of(lambda: idp.update_user_attributes(AccessToken=token, UserAttributes=forged))
    assert code == "InvalidParameterException"
    assert "identities" not in _attributes(idp, pool_id, "carlos")
