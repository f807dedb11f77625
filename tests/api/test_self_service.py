"""The access-token operations on a user's own account through boto3: GetUser, UpdateUserAttributes,
DeleteUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUser, SetUserSettings,
ChangePassword. Codes are read from a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Server
from tests.support.auth import PASSWORD, make_client, make_user, sign_in
from tests.support.errors import fails
from tests.support.mail import Inbox

UNAUTHORIZED = ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
HOLD = {"AttributesRequireVerificationBeforeUpdate": ["email"]}
REUSED = ("PasswordHistoryPolicyViolationException", "Password has previously been used")


@pytest.fixture
def idp(server: Server) -> Any:
    return server.client()


def _pool(idp: Any, **config: Any) -> str:
    config.setdefault("AutoVerifiedAttributes", ["email"])
    return str(idp.create_user_pool(PoolName="self", **config)["UserPool"]["Id"])


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in found["UserAttributes"]}


def _signed_in(idp: Any, pool_id: str, username: str = "ann", **client_config: Any) -> tuple[dict[str, Any], str]:
    """A client and the access token of a confirmed user with a verified email ``<username>@example.com``."""
    client = make_client(idp, pool_id, **client_config)
    attributes = {"email": f"{username}@example.com", "email_verified": "true", "name": username.title()}
    make_user(idp, pool_id, username, attributes=attributes)
    return client, sign_in(idp, client, username)["AccessToken"]


def test_get_user__profile_limited_to_read_attributes(idp: Any) -> None:
    pool_id = _pool(idp)
    _client, token = _signed_in(idp, pool_id, ReadAttributes=["email", "name"])
    answer = idp.get_user(AccessToken=token)
    names = [a["Name"] for a in answer["UserAttributes"]]
    assert answer["Username"] == "ann"
    assert names[0] == "sub"
    assert sorted(names) == ["email", "name", "sub"]
    assert "MFAOptions" not in answer

    everything = make_client(idp, pool_id)
    full = idp.get_user(AccessToken=sign_in(idp, everything, "ann")["AccessToken"])
    assert {a["Name"]: a["Value"] for a in full["UserAttributes"]}["email_verified"] == "true"


def test_get_user__token_problems(idp: Any) -> None:
    pool_id = _pool(idp)
    client, token = _signed_in(idp, pool_id)
    assert fails(idp.get_user, AccessToken="not-a-token") == ("NotAuthorizedException", "Invalid Access Token")
    id_token = sign_in(idp, client, "ann")["IdToken"]
    assert fails(idp.get_user, AccessToken=id_token) == ("NotAuthorizedException", "Invalid Access Token")
    idp.admin_disable_user(UserPoolId=pool_id, Username="ann")
    assert fails(idp.get_user, AccessToken=token) == ("NotAuthorizedException", "User is disabled.")
    idp.admin_enable_user(UserPoolId=pool_id, Username="ann")
    fresh = sign_in(idp, client, "ann")["AccessToken"]
    idp.global_sign_out(AccessToken=fresh)
    assert fails(idp.get_user, AccessToken=fresh) == ("NotAuthorizedException", "Access Token has been revoked")
    assert fails(idp.update_user_attributes, AccessToken=fresh, UserAttributes=[{"Name": "name", "Value": "x"}]) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )


def test_update_user_attributes__write_permissions(idp: Any) -> None:
    pool_id = _pool(idp)
    _client, token = _signed_in(idp, pool_id, WriteAttributes=["name", "email"])
    for name, value in (("family_name", "Smith"), ("email_verified", "false"), ("sub", "x")):
        assert fails(
            idp.update_user_attributes, AccessToken=token, UserAttributes=[{"Name": name, "Value": value}]
        ) == (UNAUTHORIZED)
    # A refused call writes nothing, not even its permitted part.
    attrs = [{"Name": "name", "Value": "Changed"}, {"Name": "family_name", "Value": "Smith"}]
    assert fails(idp.update_user_attributes, AccessToken=token, UserAttributes=attrs) == UNAUTHORIZED
    assert _attributes(idp, pool_id, "ann")["name"] == "Ann"
    answer = idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "name", "Value": "Anne"}])
    assert "CodeDeliveryDetailsList" not in answer
    assert _attributes(idp, pool_id, "ann")["name"] == "Anne"


def test_update_user_attributes__schema_and_immutable(idp: Any) -> None:
    schema = [{"Name": "tier", "AttributeDataType": "String", "Mutable": False}]
    pool_id = _pool(idp, Schema=schema)
    _client, token = _signed_in(idp, pool_id)
    code, message = fails(
        idp.update_user_attributes, AccessToken=token, UserAttributes=[{"Name": "custom:tier", "Value": "gold"}]
    )
    assert code == "InvalidParameterException" and "custom:tier" in message
    code, message = fails(
        idp.update_user_attributes, AccessToken=token, UserAttributes=[{"Name": "nope", "Value": "1"}]
    )
    assert code == "InvalidParameterException" and "Attribute does not exist in the schema." in message
    code, _ = fails(idp.update_user_attributes, AccessToken=token, UserAttributes=[{"Name": "email", "Value": "bad"}])
    assert code == "InvalidParameterException"


def test_update_user_attributes__new_email_unverified_and_code_sent(idp: Any, server: Server, mail: Inbox) -> None:
    pool_id = _pool(idp)
    _client, token = _signed_in(idp, pool_id)
    answer = idp.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.org"}]
    )
    assert answer["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    attributes = _attributes(idp, pool_id, "ann")
    assert (attributes["email"], attributes["email_verified"]) == ("new@example.org", "false")
    sent = mail.next(server)
    assert sent.recipients == ["new@example.org"]
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=sent.code)
    assert _attributes(idp, pool_id, "ann")["email_verified"] == "true"


def test_update_user_attributes__verification_before_update_keeps_old_email(
    idp: Any, server: Server, mail: Inbox
) -> None:
    pool_id = _pool(idp, AliasAttributes=["email"], UserAttributeUpdateSettings=HOLD)
    client, token = _signed_in(idp, pool_id)
    answer = idp.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.org"}]
    )
    assert answer["CodeDeliveryDetailsList"][0]["Destination"] == "n***@e***"
    attributes = _attributes(idp, pool_id, "ann")
    assert (attributes["email"], attributes["email_verified"]) == ("ann@example.com", "true")
    assert sign_in(idp, client, "ann@example.com")["AccessToken"]
    assert fails(
        idp.initiate_auth,
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "new@example.org", "PASSWORD": PASSWORD},
    )[0] in (
        "UserNotFoundException",
        "NotAuthorizedException",
    )
    sent = mail.next(server)
    assert sent.recipients == ["new@example.org"]
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=sent.code)
    attributes = _attributes(idp, pool_id, "ann")
    assert (attributes["email"], attributes["email_verified"]) == ("new@example.org", "true")
    assert sign_in(idp, client, "new@example.org")["AccessToken"]
    assert fails(
        idp.initiate_auth,
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann@example.com", "PASSWORD": PASSWORD},
    )[0] in (
        "UserNotFoundException",
        "NotAuthorizedException",
    )


def test_verify_user_attribute__wrong_missing_and_too_many_codes(idp: Any, server: Server, mail: Inbox) -> None:
    pool_id = _pool(idp)
    _client, token = _signed_in(idp, pool_id)
    expired = ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    assert fails(idp.verify_user_attribute, AccessToken=token, AttributeName="email", Code="123456") == expired
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    right = mail.next(server).code
    wrong = "000000" if right != "000000" else "111111"
    assert fails(idp.verify_user_attribute, AccessToken=token, AttributeName="email", Code=wrong) == (
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
    for _ in range(14):
        fails(idp.verify_user_attribute, AccessToken=token, AttributeName="email", Code=wrong)
    assert fails(idp.verify_user_attribute, AccessToken=token, AttributeName="email", Code=right) == LIMIT
    code, _ = fails(idp.verify_user_attribute, AccessToken=token, AttributeName="name", Code=right)
    assert code == "InvalidParameterException"


def test_verify_user_attribute__email_alias_held_by_another_user(idp: Any, server: Server, mail: Inbox) -> None:
    pool_id = _pool(idp, AliasAttributes=["email"])
    client, token = _signed_in(idp, pool_id, "ann")
    make_user(idp, pool_id, "bob", attributes={"email": "bob@example.com", "email_verified": "true"})
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    code = mail.next(server).code
    assert fails(idp.verify_user_attribute, AccessToken=token, AttributeName="email", Code=code) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    assert _attributes(idp, pool_id, "ann")["email_verified"] == "false"
    assert sign_in(idp, client, "bob@example.com")["AccessToken"]


def test_get_user_attribute_verification_code__sends_and_caps(idp: Any, server: Server, mail: Inbox) -> None:
    pool_id = _pool(idp)
    _client, token = _signed_in(idp, pool_id)
    answer = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert mail.next(server).recipients == ["ann@example.com"]
    for _ in range(4):
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert fails(idp.get_user_attribute_verification_code, AccessToken=token, AttributeName="email") == LIMIT
    code, _ = fails(idp.get_user_attribute_verification_code, AccessToken=token, AttributeName="phone_number")
    assert code == "InvalidParameterException"


def test_delete_user_attributes__removes_permitted_only(idp: Any) -> None:
    pool_id = _pool(idp, Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])
    _client, token = _signed_in(idp, pool_id, WriteAttributes=["name", "email"])
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    assert "name" not in _attributes(idp, pool_id, "ann")
    assert fails(idp.delete_user_attributes, AccessToken=token, UserAttributeNames=["family_name"]) == UNAUTHORIZED
    assert fails(idp.delete_user_attributes, AccessToken=token, UserAttributeNames=["email"]) == (
        "InvalidParameterException",
        "Invalid user attributes: email: Required attribute cannot be deleted.",
    )
    assert _attributes(idp, pool_id, "ann")["email"] == "ann@example.com"


def test_delete_user__removes_the_user_and_its_tokens_stop(idp: Any) -> None:
    pool_id = _pool(idp)
    _client, token = _signed_in(idp, pool_id)
    assert idp.delete_user(AccessToken=token)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert fails(idp.admin_get_user, UserPoolId=pool_id, Username="ann")[0] == "UserNotFoundException"
    assert fails(idp.get_user, AccessToken=token) == ("UserNotFoundException", "User does not exist.")


def test_set_user_settings__mfa_options_echoed(idp: Any) -> None:
    pool_id = _pool(idp)
    _client, token = _signed_in(idp, pool_id)
    options = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    idp.set_user_settings(AccessToken=token, MFAOptions=options)
    assert idp.get_user(AccessToken=token)["MFAOptions"] == options
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["MFAOptions"] == options
    code, _ = fails(
        idp.set_user_settings, AccessToken=token, MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    )
    assert code == "InvalidParameterException"
    idp.set_user_settings(AccessToken=token, MFAOptions=[])
    assert "MFAOptions" not in idp.get_user(AccessToken=token)


def test_change_password__new_password_signs_in(idp: Any) -> None:
    pool_id = _pool(idp)
    client, token = _signed_in(idp, pool_id)
    idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="Brand-New-Pass-7")
    assert sign_in(idp, client, "ann", "Brand-New-Pass-7")["AccessToken"]
    assert fails(
        idp.initiate_auth,
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    ) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_change_password__wrong_previous_policy_and_attempt_limit(idp: Any) -> None:
    pool_id = _pool(idp)
    client, token = _signed_in(idp, pool_id)
    code, message = fails(idp.change_password, AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="short")
    assert code == "InvalidPasswordException" and message.startswith("Password did not conform with policy")
    for _ in range(5):
        assert fails(
            idp.change_password, AccessToken=token, PreviousPassword="Wrong-Pass-1", ProposedPassword="Brand-New-Pass-7"
        ) == (
            "NotAuthorizedException",
            "Incorrect username or password.",
        )
    assert (
        fails(idp.change_password, AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="Brand-New-Pass-7")
        == LIMIT
    )
    assert sign_in(idp, client, "ann")["AccessToken"]


def test_change_password__password_history_refuses_recent_passwords(idp: Any, server: Server) -> None:
    """PasswordHistorySize 3: the current password and the two before it cannot be chosen; the one before those
    can. What is kept of them is argon2id hashes, two at most."""
    pool_id = _pool(idp, Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 3}})
    client, token = _signed_in(idp, pool_id)

    def change(old: str, new: str) -> Any:
        return idp.change_password(AccessToken=token, PreviousPassword=old, ProposedPassword=new)

    assert fails(change, old=PASSWORD, new=PASSWORD) == REUSED
    change(PASSWORD, "second-pass")
    change("second-pass", "third-pass")
    assert fails(change, old="third-pass", new=PASSWORD) == REUSED
    assert fails(change, old="third-pass", new="second-pass") == REUSED
    change("third-pass", "fourth-pass")
    change("fourth-pass", PASSWORD)
    assert sign_in(idp, client, "ann")["AccessToken"]
    with server.runtime.store.read() as tx:
        sub = idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserAttributes"][0]["Value"]
        kept = tx.password_history.recent(pool_id, sub, 24)
    assert len(kept) == 2 and all(h.startswith("$argon2id$") for h in kept)
    assert [server.runtime.deps.hasher.verify(h, "fourth-pass") for h in kept] == [True, False]

    # Without a history size, the current password may be chosen again.
    plain = _pool(idp)
    _client, other = _signed_in(idp, plain, "bo")
    idp.change_password(AccessToken=other, PreviousPassword=PASSWORD, ProposedPassword=PASSWORD)
