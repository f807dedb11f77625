"""The triggers of federated sign-ins: InboundFederation at every one, PreSignUp_ExternalProvider and
PostConfirmation_ConfirmSignUp at the first, Pre/PostAuthentication at later ones, PreTokenGeneration with
TokenGeneration_HostedAuth for the tokens; the events as Cognito sends them and what the answers do."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.federation import CORP, OIDC_DETAILS, federated_sign_in, hosted_id_token
from tests.triggers.conftest import TriggerServer, arn, create_client, create_pool, events
from userpool.services.federation.steps.federated_calls import FederatedSignInError

SIGN_IN_TRIGGERS = {
    "PreSignUp": "pre_sign_up",
    "PostConfirmation": "post_confirmation",
    "PreAuthentication": "pre_authentication",
    "PostAuthentication": "post_authentication",
}


def _pool(idp: Any, triggers: dict[str, str], **config: Any) -> str:
    config.setdefault("UsernameConfiguration", {"CaseSensitive": False})
    return create_pool(idp, triggers, **config)


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    return {a["Name"]: a["Value"] for a in found}


@pytest.mark.every_transport
def test_federated_sign_in__first_sign_in_fires_pre_sign_up_and_post_confirmation(
    server: TriggerServer, idp: Any
) -> None:
    pool_id = _pool(idp, SIGN_IN_TRIGGERS)
    client_id = create_client(idp, pool_id)
    claims = {"sub": "AB12cd", "email": "ann@trusted.example", "given_name": "Ann"}
    user = federated_sign_in(server.runtime.deps, pool_id, client_id, "AB12cd", claims)

    (pre,) = events("pre_sign_up")
    assert pre["triggerSource"] == "PreSignUp_ExternalProvider"
    assert (pre["userName"], pre["userPoolId"], pre["callerContext"]["clientId"]) == ("corp_ab12cd", pool_id, client_id)
    assert pre["request"]["userAttributes"] == {
        "email": "ann@trusted.example",
        "email_verified": "false",
        "given_name": "Ann",
    }
    (post,) = events("post_confirmation")
    assert (post["triggerSource"], post["userName"]) == ("PostConfirmation_ConfirmSignUp", "corp_ab12cd")
    attributes = post["request"]["userAttributes"]
    assert attributes["cognito:user_status"] == "EXTERNAL_PROVIDER" and attributes["sub"] == user.sub
    assert json.loads(attributes["identities"])[0]["userId"] == "AB12cd"
    # The first sign-in runs neither of the authentication triggers.
    assert events("pre_authentication") == [] and events("post_authentication") == []
    # PreSignUp answered autoVerifyEmail for this domain.
    assert _attributes(idp, pool_id, "corp_ab12cd")["email_verified"] == "true"


def test_federated_sign_in__later_sign_in_fires_pre_and_post_authentication(server: TriggerServer, idp: Any) -> None:
    pool_id = _pool(idp, SIGN_IN_TRIGGERS)
    client_id = create_client(idp, pool_id)
    deps = server.runtime.deps
    federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "ann@example.com"})
    federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "ann@example.com", "given_name": "Ann"})
    assert len(events("pre_sign_up")) == 1 and len(events("post_confirmation")) == 1
    (pre,) = events("pre_authentication")
    (post,) = events("post_authentication")
    assert (pre["triggerSource"], post["triggerSource"]) == (
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
    )
    assert pre["userName"] == post["userName"] == "corp_s-1"
    assert pre["request"]["userAttributes"]["cognito:user_status"] == "EXTERNAL_PROVIDER"
    # PostAuthentication sees the attributes this sign-in wrote.
    assert post["request"]["userAttributes"]["given_name"] == "Ann"


@pytest.mark.every_transport
def test_federated_sign_in__pre_sign_up_failure_creates_nobody(server: TriggerServer, idp: Any) -> None:
    pool_id = _pool(idp, SIGN_IN_TRIGGERS)
    client_id = create_client(idp, pool_id)
    with pytest.raises(FederatedSignInError) as refused:
        federated_sign_in(server.runtime.deps, pool_id, client_id, "s-1", {"email": "eve@blocked.example"})
    assert refused.value.description == "PreSignUp failed with error Email domain not allowed."
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    assert events("post_confirmation") == []


def test_federated_sign_in__required_attribute_missing_fails_before_pre_sign_up(
    server: TriggerServer, idp: Any
) -> None:
    schema = [{"Name": "email", "AttributeDataType": "String", "Required": True}]
    pool_id = _pool(idp, SIGN_IN_TRIGGERS, Schema=schema)
    client_id = create_client(idp, pool_id)
    with pytest.raises(FederatedSignInError) as refused:
        federated_sign_in(server.runtime.deps, pool_id, client_id, "s-1", {"given_name": "Ann"})
    assert refused.value.description == "attributes required: [email]"
    assert events("pre_sign_up") == []


@pytest.mark.every_transport
def test_federated_sign_in__inbound_federation_replaces_the_mapped_attributes(server: TriggerServer, idp: Any) -> None:
    pool_id = _pool(idp, {})
    idp.update_user_pool(
        UserPoolId=pool_id,
        LambdaConfig={"InboundFederation": {"LambdaVersion": "V1_0", "LambdaArn": arn("inbound_federation")}},
    )
    client_id = create_client(idp, pool_id)
    deps = server.runtime.deps
    claims = {"sub": "s-lambda", "email": "Ann@Example.COM", "email_verified": True, "family_name": "Doe"}
    user = federated_sign_in(deps, pool_id, client_id, "s-lambda", claims)
    (event,) = events("inbound_federation")
    assert event["triggerSource"] == "InboundFederation_ExternalProvider"
    assert (event["userName"], event["callerContext"]["clientId"]) == ("corp_s-lambda", client_id)
    assert (event["request"]["providerName"], event["request"]["providerType"]) == ("Corp", "OIDC")
    assert event["request"]["attributes"]["userInfo"] == {
        "sub": "s-lambda",
        "email": "Ann@Example.COM",
        "email_verified": "true",
        "family_name": "Doe",
    }
    attributes = _attributes(idp, pool_id, user.username)
    assert (attributes["email"], attributes["given_name"]) == ("ann@example.com", "Chosen by the function")
    assert "family_name" not in attributes
    # An empty answer keeps the IdP's AttributeMapping.
    other = federated_sign_in(deps, pool_id, client_id, "s-2", {"email": "Bo@Example.com", "given_name": "Bo"})
    assert _attributes(idp, pool_id, other.username)["given_name"] == "Bo"


def test_federated_sign_in__hosted_tokens_fire_pre_token_generation_with_the_provider_group(
    server: TriggerServer, idp: Any
) -> None:
    pool_id = _pool(idp, {"PreTokenGeneration": "pre_token_v1"})
    client_id = create_client(idp, pool_id)
    deps = server.runtime.deps
    user = federated_sign_in(deps, pool_id, client_id, "s-1", {"email": "ann@example.com"})
    claims = hosted_id_token(deps, pool_id, client_id, user)
    (event,) = events("pre_token_v1")
    assert event["triggerSource"] == "TokenGeneration_HostedAuth"
    assert event["request"]["groupConfiguration"]["groupsToOverride"] == [f"{pool_id}_Corp"]
    assert claims["token_source"] == "TokenGeneration_HostedAuth"
    assert claims["cognito:groups"] == [f"{pool_id}_Corp", "beta-testers"]
    assert claims["identities"][0]["primary"] == "true"


def test_federated_sign_in__pre_sign_up_linking_the_identity_signs_in_the_destination(
    server: TriggerServer, idp: Any
) -> None:
    pool_id = _pool(idp, {"PreSignUp": "link_on_sign_up", "PostConfirmation": "post_confirmation"})
    client_id = create_client(idp, pool_id)
    idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
        AttributeMapping=dict(CORP.attribute_mapping),
    )
    idp.admin_create_user(UserPoolId=pool_id, Username="carlos", MessageAction="SUPPRESS")
    carlos = idp.admin_get_user(UserPoolId=pool_id, Username="carlos")
    user = federated_sign_in(server.runtime.deps, pool_id, client_id, "ext-carlos", {"email": "carlos@example.com"})
    assert user.username == "carlos"
    assert user.sub == {a["Name"]: a["Value"] for a in carlos["UserAttributes"]}["sub"]
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]] == ["carlos"]
    assert events("post_confirmation") == []


def test_federated_sign_in__no_user_triggers_beyond_its_own(server: TriggerServer, idp: Any) -> None:
    # CustomMessage and UserMigration never run for federated sign-ins, whatever the pool configures.
    pool_id = _pool(idp, {"CustomMessage": "custom_message", "UserMigration": "user_migration"})
    client_id = create_client(idp, pool_id)
    federated_sign_in(server.runtime.deps, pool_id, client_id, "s-1", {"email": "ann@example.com"})
    federated_sign_in(server.runtime.deps, pool_id, client_id, "s-1", {"email": "bo@example.com"})
    assert events("custom_message") == [] and events("user_migration") == []
