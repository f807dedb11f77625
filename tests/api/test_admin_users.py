"""Admin user management through boto3: AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminEnableUser,
AdminDisableUser, AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminSetUserPassword,
AdminResetUserPassword and AdminConfirmSignUp, with usernames, aliases and case sensitivity."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.support.users import add_user
from userpool.crypto.codes import code_matches
from userpool.model.codes import FORGOT_PASSWORD
from userpool.model.records import OutboxMessage, User
from userpool.services.lookup.records import find_user

PASSWORD = "Passw0rd!"
DAY = 86_400


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    response = exc.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response["Error"]["Code"], response["Error"]["Message"]


def _pool(idp: Any, **config: Any) -> str:
    return str(idp.create_user_pool(PoolName="admin-users", **config)["UserPool"]["Id"])


def _attrs(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def _create(idp: Any, pool_id: str, username: str, attributes: dict[str, str] | None = None, **kw: Any) -> Any:
    action = kw.pop("MessageAction", "SUPPRESS")
    if action is not None:
        kw["MessageAction"] = action
    user_attributes = [{"Name": k, "Value": v} for k, v in (attributes or {}).items()]
    return idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=user_attributes, **kw)["User"]


def _get(idp: Any, pool_id: str, username: str) -> Any:
    return idp.admin_get_user(UserPoolId=pool_id, Username=username)


def _stored(server: Server, pool_id: str, username: str) -> User:
    with server.runtime.store.read() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None
        user = find_user(tx, pool, username)
    assert user is not None
    return user


def _outbox(server: Server, pool_id: str) -> list[OutboxMessage]:
    """The pool's messages, oldest first, unsealed: the log sender keeps their text in the outbox."""
    with server.runtime.store.read() as tx:
        return [m for m in reversed(tx.outbox.recent_texts(100)) if m.pool_id == pool_id]


# -- AdminCreateUser ----------------------------------------------------------------------------------


def test_admin_create_user__returns_an_invited_user(idp: Any, pool_id: str) -> None:
    user = _create(idp, pool_id, "alice", {"email": "alice@example.com", "name": "Alice"})
    assert set(user) == {"Username", "Attributes", "UserCreateDate", "UserLastModifiedDate", "Enabled", "UserStatus"}
    assert user["Username"] == "alice"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    assert isinstance(user["UserCreateDate"], datetime)
    assert user["Attributes"][0]["Name"] == "sub"
    assert uuid.UUID(user["Attributes"][0]["Value"]).version == 4
    assert _attrs(user["Attributes"])["email"] == "alice@example.com"
    assert _attrs(user["Attributes"])["name"] == "Alice"


def test_admin_create_user__duplicate_username(idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "bob")
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "bob")
    assert _error(exc) == ("UsernameExistsException", "User account already exists")


def test_admin_create_user__case_insensitive_pool_refuses_other_case(idp: Any) -> None:
    pool_id = _pool(idp, UsernameConfiguration={"CaseSensitive": False})
    _create(idp, pool_id, "Carol")
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "cAROL")
    assert _error(exc) == ("UsernameExistsException", "User account already exists")
    # Matching ignores case; the stored username keeps the case it was created with.
    assert _get(idp, pool_id, "CAROL")["Username"] == "Carol"


def test_admin_create_user__case_sensitive_pool_keeps_cases_apart(idp: Any) -> None:
    pool_id = _pool(idp, UsernameConfiguration={"CaseSensitive": True})
    _create(idp, pool_id, "dave")
    _create(idp, pool_id, "Dave")
    assert _get(idp, pool_id, "Dave")["Username"] == "Dave"
    with pytest.raises(ClientError) as exc:
        _get(idp, pool_id, "DAVE")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_create_user__missing_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        _create(idp, "eu-west-1_nothere00", "erin")
    assert _error(exc) == ("ResourceNotFoundException", "User pool eu-west-1_nothere00 does not exist.")


def test_admin_create_user__temporary_password_against_policy(idp: Any, pool_id: str) -> None:
    cases = {
        "Aa1!": "Password not long enough",
        "abcdefg1!": "Password must have uppercase characters",
        "ABCDEFG1!": "Password must have lowercase characters",
        "Abcdefgh!": "Password must have numeric characters",
        "Abcdefgh1": "Password must have symbol characters",
    }
    for password, reason in cases.items():
        with pytest.raises(ClientError) as exc:
            _create(idp, pool_id, "frank", TemporaryPassword=password)
        assert _error(exc) == ("InvalidPasswordException", f"Password did not conform with policy: {reason}")
    with pytest.raises(ClientError) as exc:
        _get(idp, pool_id, "frank")
    assert _error(exc)[0] == "UserNotFoundException"


def test_admin_create_user__relaxed_policy_accepts_simple_password(idp: Any) -> None:
    pool_id = _pool(idp, Policies={"PasswordPolicy": {"MinimumLength": 6, "TemporaryPasswordValidityDays": 3}})
    assert _create(idp, pool_id, "gina", TemporaryPassword="simple")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_admin_create_user__stores_the_temporary_password_hashed(app_server: Server, idp: Any) -> None:
    pool_id = _pool(idp, Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 3}})
    _create(idp, pool_id, "hank", TemporaryPassword=PASSWORD)
    stored = _stored(app_server, pool_id, "hank")
    assert stored.password_hash is not None and PASSWORD not in stored.password_hash
    assert app_server.runtime.deps.hasher.verify(stored.password_hash, PASSWORD)
    assert stored.password_expires_at == pytest.approx(stored.created_at + 3 * DAY)
    assert stored.attributes["sub"] == stored.sub


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"custom:nope": "x"},
            "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n",
        ),
        ({"email": "not-an-email"}, "Invalid email address format."),
        ({"phone_number": "555-1234"}, "Invalid phone number format."),
        ({"email_verified": "yes"}, "email_verified: Boolean attribute value must be true or false"),
        ({"birthdate": "1990/01/01"}, "birthdate: Date must be in the format YYYY-MM-DD"),
        ({"sub": str(uuid.uuid4())}, "sub: Attribute cannot be updated."),
        ({"name": "a\x00b"}, "name: Attribute value must not contain the NUL character"),
    ],
)
def test_admin_create_user__invalid_attributes(
    idp: Any, pool_id: str, attributes: dict[str, str], message: str
) -> None:
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "ivan", attributes)
    code, text = _error(exc)
    assert code == "InvalidParameterException"
    assert message in text


def test_admin_create_user__required_attribute_missing(idp: Any) -> None:
    pool_id = _pool(idp, Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "jane", {"name": "Jane"})
    assert _error(exc) == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is required\n",
    )
    assert _create(idp, pool_id, "jane", {"email": "jane@example.com"})["Username"] == "jane"


def test_admin_create_user__custom_attribute_constraints(idp: Any) -> None:
    pool_id = _pool(
        idp,
        Schema=[
            {
                "Name": "age",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
            },
            {"Name": "code", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "3"}},
            {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
        ],
    )
    for attributes, reason in [
        ({"custom:age": "151"}, "custom:age: Number must be no greater than 150"),
        ({"custom:age": "old"}, "custom:age: Number attribute value must be a number"),
        ({"custom:code": "ABCD"}, "custom:code: String must be no longer than 3 characters"),
        ({"custom:secret": "s"}, "custom:secret: Attribute does not exist in the schema."),
    ]:
        with pytest.raises(ClientError) as exc:
            _create(idp, pool_id, "kate", attributes)
        code, text = _error(exc)
        assert code == "InvalidParameterException"
        assert reason in text
    _create(idp, pool_id, "kate", {"custom:age": "42", "custom:code": "ABC", "dev:custom:secret": "s"})
    attributes = _attrs(_get(idp, pool_id, "kate")["UserAttributes"])
    assert attributes["custom:age"] == "42"
    assert attributes["dev:custom:secret"] == "s"


def test_admin_create_user__email_as_username_pool(idp: Any) -> None:
    pool_id = _pool(idp, UsernameAttributes=["email"], UsernameConfiguration={"CaseSensitive": False})
    user = _create(idp, pool_id, "Liz@Example.com")
    sub = _attrs(user["Attributes"])["sub"]
    # The username of such a pool is the sub; the email is an attribute and the sign-in identifier.
    assert user["Username"] == sub
    assert _attrs(user["Attributes"])["email"] == "Liz@Example.com"
    assert _get(idp, pool_id, "liz@example.com")["Username"] == sub
    assert _get(idp, pool_id, sub)["Username"] == sub
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "LIZ@example.com")
    assert _error(exc) == ("UsernameExistsException", "An account with the given email already exists.")
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "liz")
    assert _error(exc) == ("InvalidParameterException", "Username should be an email.")


def test_admin_create_user__phone_or_email_as_username_pool(idp: Any) -> None:
    pool_id = _pool(idp, UsernameAttributes=["email", "phone_number"])
    user = _create(idp, pool_id, "+15550001111")
    assert _attrs(user["Attributes"])["phone_number"] == "+15550001111"
    assert _get(idp, pool_id, "+15550001111")["Username"] == user["Username"]
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "mike")
    assert _error(exc) == ("InvalidParameterException", "Username should be either an email or a phone number.")


def test_admin_create_user__verified_email_alias(idp: Any) -> None:
    pool_id = _pool(idp, AliasAttributes=["email", "preferred_username"])
    _create(idp, pool_id, "nina", {"email": "nina@example.com", "email_verified": "true"})
    _create(idp, pool_id, "otto", {"email": "otto@example.com", "preferred_username": "ot"})
    assert _get(idp, pool_id, "nina@example.com")["Username"] == "nina"
    assert _get(idp, pool_id, "ot")["Username"] == "otto"
    # An unverified email is not a sign-in alias.
    with pytest.raises(ClientError) as exc:
        _get(idp, pool_id, "otto@example.com")
    assert _error(exc)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "paul", {"email": "nina@example.com", "email_verified": "true"})
    assert _error(exc) == ("AliasExistsException", "An account with the given email already exists.")
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "paul", {"preferred_username": "ot"})
    assert _error(exc)[0] == "AliasExistsException"
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "paul@example.com")
    assert _error(exc) == (
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    )


def test_admin_create_user__force_alias_creation_moves_the_alias(idp: Any) -> None:
    pool_id = _pool(idp, AliasAttributes=["email"])
    _create(idp, pool_id, "quinn", {"email": "shared@example.com", "email_verified": "true"})
    _create(idp, pool_id, "rita", {"email": "shared@example.com", "email_verified": "true"}, ForceAliasCreation=True)
    assert _get(idp, pool_id, "shared@example.com")["Username"] == "rita"
    previous = _attrs(_get(idp, pool_id, "quinn")["UserAttributes"])
    assert previous["email"] == "shared@example.com"
    assert previous["email_verified"] == "false"


def test_admin_create_user__resend(app_server: Server, idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "sam", {"email": "sam@example.com"}, TemporaryPassword=PASSWORD)
    resent = _create(idp, pool_id, "sam", MessageAction="RESEND", TemporaryPassword="N3w-Passw0rd")
    assert resent["Username"] == "sam"
    assert resent["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    stored = _stored(app_server, pool_id, "sam")
    assert app_server.runtime.deps.hasher.verify(stored.password_hash, "N3w-Passw0rd")
    assert not app_server.runtime.deps.hasher.verify(stored.password_hash, PASSWORD)
    [message] = _outbox(app_server, pool_id)
    assert message.destination == "sam@example.com"
    assert "N3w-Passw0rd" in message.body
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "nobody", MessageAction="RESEND")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=PASSWORD, Permanent=True)
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "sam", MessageAction="RESEND")
    assert _error(exc)[0] == "UnsupportedUserStateException"


def test_admin_create_user__delivery_mediums(app_server: Server, idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "tom", {"email": "tom@example.com", "phone_number": "+15550002222"}, MessageAction=None)
    _create(idp, pool_id, "uma", {"email": "uma@example.com"}, MessageAction=None)
    _create(
        idp,
        pool_id,
        "vic",
        {"email": "vic@example.com", "phone_number": "+15550003333"},
        MessageAction=None,
        DesiredDeliveryMediums=["EMAIL", "SMS"],
    )
    _create(idp, pool_id, "walt", {"email": "walt@example.com"})  # SUPPRESS
    sent = [(m.channel, m.destination) for m in _outbox(app_server, pool_id)]
    # SMS is the default medium; a user with only an email address gets the invitation by email.
    assert sent == [
        ("SMS", "+15550002222"),
        ("EMAIL", "uma@example.com"),
        ("EMAIL", "vic@example.com"),
        ("SMS", "+15550003333"),
    ]
    with pytest.raises(ClientError) as exc:
        _create(
            idp, pool_id, "xena", {"phone_number": "+15550004444"}, MessageAction=None, DesiredDeliveryMediums=["EMAIL"]
        )
    assert _error(exc) == ("InvalidParameterException", "User has no attribute matching desired delivery mediums")


def _no_user(idp: Any, pool_id: str, username: str) -> None:
    with pytest.raises(ClientError) as exc:
        _get(idp, pool_id, username)
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_create_user__bad_message_action_is_refused(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool_id, Username="ghost", MessageAction="SHOUT")
    code, message = _error(exc)
    assert code == "InvalidParameterException"
    assert "messageAction" in message
    _no_user(idp, pool_id, "ghost")


# -- AdminGetUser ------------------------------------------------------------------------------------


def test_admin_get_user__shape(idp: Any, pool_id: str) -> None:
    created = _create(idp, pool_id, "yara", {"email": "yara@example.com"})
    sub = _attrs(created["Attributes"])["sub"]
    got = _get(idp, pool_id, sub)
    assert set(got) - {"ResponseMetadata"} == {
        "Username",
        "UserAttributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    assert got["Username"] == "yara"
    assert got["UserAttributes"] == created["Attributes"]
    assert got["UserCreateDate"] == created["UserCreateDate"]


def test_admin_get_user__not_found(idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "zack")
    _no_user(idp, pool_id, "zed")
    _no_user(idp, _pool(idp), "zack")  # the user belongs to another pool
    with pytest.raises(ClientError) as exc:
        _get(idp, "eu-west-1_nothere00", "zack")
    assert _error(exc)[0] == "ResourceNotFoundException"


# -- AdminDeleteUser, AdminDisableUser, AdminEnableUser --------------------------------------------------


def test_admin_delete_user__deletes_and_frees_the_username(idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "abel")
    assert idp.admin_delete_user(UserPoolId=pool_id, Username="abel")["ResponseMetadata"]["HTTPStatusCode"] == 200
    _no_user(idp, pool_id, "abel")
    _create(idp, pool_id, "abel")
    with pytest.raises(ClientError) as exc:
        idp.admin_delete_user(UserPoolId=pool_id, Username="cain")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_disable_user__and_enable_again(idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "dora")
    for _ in range(2):  # idempotent
        idp.admin_disable_user(UserPoolId=pool_id, Username="dora")
        assert _get(idp, pool_id, "dora")["Enabled"] is False
    idp.admin_enable_user(UserPoolId=pool_id, Username="dora")
    assert _get(idp, pool_id, "dora")["Enabled"] is True
    for operation in (idp.admin_disable_user, idp.admin_enable_user):
        with pytest.raises(ClientError) as exc:
            operation(UserPoolId=pool_id, Username="eve")
        assert _error(exc) == ("UserNotFoundException", "User does not exist.")


# -- AdminUpdateUserAttributes, AdminDeleteUserAttributes ------------------------------------------------


def _update(idp: Any, pool_id: str, username: str, attributes: dict[str, str]) -> None:
    items = [{"Name": k, "Value": v} for k, v in attributes.items()]
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username, UserAttributes=items)


def test_admin_update_user_attributes__sets_and_deletes(idp: Any, pool_id: str) -> None:
    created = _create(idp, pool_id, "fay", {"name": "Fay", "nickname": "ff"})
    _update(idp, pool_id, "fay", {"given_name": "Faye", "nickname": ""})
    got = _get(idp, pool_id, "fay")
    assert _attrs(got["UserAttributes"]) == {
        "sub": _attrs(created["Attributes"])["sub"],
        "name": "Fay",
        "given_name": "Faye",
    }
    assert got["UserLastModifiedDate"] >= created["UserLastModifiedDate"]


def test_admin_update_user_attributes__changed_email_is_unverified(idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "gus", {"email": "gus@example.com", "email_verified": "true"})
    _update(idp, pool_id, "gus", {"email": "gus@example.org"})
    assert _attrs(_get(idp, pool_id, "gus")["UserAttributes"])["email_verified"] == "false"
    _update(idp, pool_id, "gus", {"email": "gus@example.net", "email_verified": "true"})
    assert _attrs(_get(idp, pool_id, "gus")["UserAttributes"])["email_verified"] == "true"


def test_admin_update_user_attributes__invalid(idp: Any) -> None:
    pool_id = _pool(
        idp,
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True},
            {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
        ],
    )
    _create(idp, pool_id, "hal", {"email": "hal@example.com", "custom:badge": "b1"})
    for attributes, expected in [
        ({"custom:nope": "x"}, "user.custom:nope: Attribute does not exist in the schema.\n"),
        ({"custom:badge": "b2"}, "user.custom:badge: Attribute cannot be updated.\n"),
        ({"sub": str(uuid.uuid4())}, "user.sub: Attribute cannot be updated.\n"),
        ({"email": ""}, "user.email: The attribute is required\n"),
        ({"email": "hal"}, "Invalid email address format."),
    ]:
        with pytest.raises(ClientError) as exc:
            _update(idp, pool_id, "hal", attributes)
        assert _error(exc) == ("InvalidParameterException", expected)
    assert _attrs(_get(idp, pool_id, "hal")["UserAttributes"])["email"] == "hal@example.com"
    with pytest.raises(ClientError) as exc:
        _update(idp, pool_id, "ida", {"name": "Ida"})
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_update_user_attributes__aliases_follow(idp: Any) -> None:
    pool_id = _pool(idp, AliasAttributes=["email"], UsernameConfiguration={"CaseSensitive": False})
    _create(idp, pool_id, "jack", {"email": "jack@example.com"})
    _create(idp, pool_id, "jill", {"email": "jill@example.com", "email_verified": "true"})
    _update(idp, pool_id, "jack", {"email_verified": "true"})
    assert _get(idp, pool_id, "JACK@example.com")["Username"] == "jack"
    _update(idp, pool_id, "jack", {"email": "jack@example.org", "email_verified": "true"})
    assert _get(idp, pool_id, "jack@example.org")["Username"] == "jack"
    _no_user(idp, pool_id, "jack@example.com")
    with pytest.raises(ClientError) as exc:
        _update(idp, pool_id, "jack", {"email": "Jill@example.com", "email_verified": "true"})
    assert _error(exc) == ("AliasExistsException", "An account with the given email already exists.")
    assert _attrs(_get(idp, pool_id, "jack")["UserAttributes"])["email"] == "jack@example.org"


def test_admin_update_user_attributes__email_username_pool_changes_sign_in(idp: Any) -> None:
    pool_id = _pool(idp, UsernameAttributes=["email"])
    sub = _create(idp, pool_id, "kim@example.com")["Username"]
    _create(idp, pool_id, "lou@example.com")
    _update(idp, pool_id, "kim@example.com", {"email": "kim@example.org"})
    assert _get(idp, pool_id, "kim@example.org")["Username"] == sub
    _no_user(idp, pool_id, "kim@example.com")
    with pytest.raises(ClientError) as exc:
        _update(idp, pool_id, sub, {"email": "lou@example.com"})
    assert _error(exc) == ("AliasExistsException", "An account with the given email already exists.")


def test_admin_delete_user_attributes__removes_them(idp: Any) -> None:
    pool_id = _pool(
        idp, AliasAttributes=["email"], Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True}]
    )
    _create(idp, pool_id, "max", {"name": "Max", "email": "max@example.com", "email_verified": "true", "locale": "en"})
    idp.admin_delete_user_attributes(UserPoolId=pool_id, Username="max", UserAttributeNames=["email", "locale"])
    attributes = _attrs(_get(idp, pool_id, "max")["UserAttributes"])
    assert set(attributes) == {"sub", "name"}
    _no_user(idp, pool_id, "max@example.com")
    for names, expected in [
        (["name"], "Invalid user attributes: name: Required attribute cannot be deleted."),
        (["locale", "name"], "Invalid user attributes: name: Required attribute cannot be deleted."),
        (["custom:nope"], "user.custom:nope: Attribute does not exist in the schema.\n"),
        (["sub"], "user.sub: Attribute cannot be updated.\n"),
    ]:
        with pytest.raises(ClientError) as exc:
            idp.admin_delete_user_attributes(UserPoolId=pool_id, Username="max", UserAttributeNames=names)
        assert _error(exc) == ("InvalidParameterException", expected)
    with pytest.raises(ClientError) as exc:
        idp.admin_delete_user_attributes(UserPoolId=pool_id, Username="ned", UserAttributeNames=["locale"])
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


# -- AdminSetUserPassword, AdminResetUserPassword -------------------------------------------------------


def test_admin_set_user_password__permanent_confirms(app_server: Server, idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "olga")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="olga", Password=PASSWORD, Permanent=True)
    assert _get(idp, pool_id, "olga")["UserStatus"] == "CONFIRMED"
    stored = _stored(app_server, pool_id, "olga")
    assert app_server.runtime.deps.hasher.verify(stored.password_hash, PASSWORD)
    assert stored.password_expires_at is None


def test_admin_set_user_password__temporary_forces_a_change(app_server: Server, idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "pia")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="pia", Password=PASSWORD, Permanent=True)
    idp.admin_set_user_password(UserPoolId=pool_id, Username="pia", Password="Other-Pass1")
    assert _get(idp, pool_id, "pia")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    stored = _stored(app_server, pool_id, "pia")
    assert app_server.runtime.deps.hasher.verify(stored.password_hash, "Other-Pass1")
    assert stored.password_expires_at == pytest.approx(stored.updated_at + 7 * DAY)


def test_admin_set_user_password__refused(idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "rex")
    with pytest.raises(ClientError) as exc:
        idp.admin_set_user_password(UserPoolId=pool_id, Username="rex", Password="password1!", Permanent=True)
    assert _error(exc) == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )
    with pytest.raises(ClientError) as exc:
        idp.admin_set_user_password(UserPoolId=pool_id, Username="rex", Password="Passw0rd!\x00")
    assert _error(exc) == ("InvalidParameterException", "Password must not contain the NUL character.")
    assert _get(idp, pool_id, "rex")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(ClientError) as exc:
        idp.admin_set_user_password(UserPoolId=pool_id, Username="roy", Password=PASSWORD)
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_set_user_password__password_history_permanent_and_temporary(idp: Any) -> None:
    pool_id = _pool(idp, Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 3}})
    _create(idp, pool_id, "sam")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=PASSWORD, Permanent=True)
    reused = ("PasswordHistoryPolicyViolationException", "Password has previously been used")
    for permanent in (True, False):
        with pytest.raises(ClientError) as exc:
            idp.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=PASSWORD, Permanent=permanent)
        assert _error(exc) == reused
    idp.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password="Temporary-1", Permanent=False)
    idp.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password="Permanent-2", Permanent=True)
    # A temporary password was a password of the user's too.
    for password in ("Temporary-1", PASSWORD):
        with pytest.raises(ClientError) as exc:
            idp.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=password, Permanent=True)
        assert _error(exc) == reused
    assert _get(idp, pool_id, "sam")["UserStatus"] == "CONFIRMED"


def _confirmed(idp: Any, pool_id: str, username: str, attributes: dict[str, str]) -> None:
    _create(idp, pool_id, username, attributes)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def test_admin_reset_user_password__sends_a_code(app_server: Server, idp: Any) -> None:
    pool_id = _pool(
        idp,
        AccountRecoverySetting={
            "RecoveryMechanisms": [
                {"Priority": 1, "Name": "verified_email"},
                {"Priority": 2, "Name": "verified_phone_number"},
            ]
        },
    )
    both = {"email": "sue@example.com", "email_verified": "true", "phone_number": "+15550005555"}
    _confirmed(idp, pool_id, "sue", {**both, "phone_number_verified": "true"})
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="sue")
    assert _get(idp, pool_id, "sue")["UserStatus"] == "RESET_REQUIRED"
    [message] = _outbox(app_server, pool_id)
    assert (message.channel, message.destination) == ("EMAIL", "sue@example.com")
    found = re.search(r"Your verification code is ([0-9]{6})\. ", message.body)
    assert found is not None
    # Kept, hashed, as the user's forgot-password code: ConfirmForgotPassword takes it (tests/api/test_recovery.py).
    sub = _stored(app_server, pool_id, "sue").sub
    with app_server.runtime.store.read() as tx:
        stored = tx.codes.get(pool_id, sub, FORGOT_PASSWORD)
    assert stored is not None and stored.attribute == "email"
    key = app_server.runtime.deps.code_key
    assert code_matches(key, stored.code_hash, pool_id, sub, FORGOT_PASSWORD, found.group(1))
    assert found.group(1) not in stored.code_hash


def test_admin_reset_user_password__legacy_pool_prefers_the_phone(app_server: Server, idp: Any, pool_id: str) -> None:
    _confirmed(
        idp,
        pool_id,
        "tia",
        {
            "email": "tia@example.com",
            "email_verified": "true",
            "phone_number": "+15550006666",
            "phone_number_verified": "true",
        },
    )
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="tia")
    assert [(m.channel, m.destination) for m in _outbox(app_server, pool_id)] == [("SMS", "+15550006666")]


def test_admin_reset_user_password__refused(idp: Any, pool_id: str) -> None:
    _confirmed(idp, pool_id, "ugo", {"email": "ugo@example.com"})
    with pytest.raises(ClientError) as exc:
        idp.admin_reset_user_password(UserPoolId=pool_id, Username="ugo")
    assert _error(exc) == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
    assert _get(idp, pool_id, "ugo")["UserStatus"] == "CONFIRMED"
    _create(idp, pool_id, "val", {"email": "val@example.com", "email_verified": "true"})
    with pytest.raises(ClientError) as exc:
        idp.admin_reset_user_password(UserPoolId=pool_id, Username="val")
    assert _error(exc) == ("NotAuthorizedException", "User password cannot be reset in the current state.")
    with pytest.raises(ClientError) as exc:
        idp.admin_reset_user_password(UserPoolId=pool_id, Username="wes")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


# -- AdminConfirmSignUp ---------------------------------------------------------------------------------


def test_admin_confirm_sign_up__confirms_an_unconfirmed_user(app_server: Server, idp: Any, pool_id: str) -> None:
    add_user(app_server.runtime.store, pool_id, "yves", {"email": "yves@example.com"}, status="UNCONFIRMED")
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="yves")
    assert _get(idp, pool_id, "yves")["UserStatus"] == "CONFIRMED"
    with pytest.raises(ClientError) as exc:
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="yves")
    assert _error(exc) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


def test_admin_confirm_sign_up__refused(idp: Any, pool_id: str) -> None:
    _create(idp, pool_id, "zoe")
    with pytest.raises(ClientError) as exc:
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="zoe")
    assert _error(exc) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD",
    )
    with pytest.raises(ClientError) as exc:
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="zara")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        idp.admin_confirm_sign_up(UserPoolId="eu-west-1_nothere00", Username="zoe")
    assert _error(exc)[0] == "ResourceNotFoundException"
