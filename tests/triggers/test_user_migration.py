"""UserMigration through boto3 and pycognito: a legacy directory's users move in on their first sign-in or
password reset, sign in without the function afterwards, and broken functions create no one (Cognito developer guide:
'Migrate user Lambda trigger')."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.support.auth import payload
from tests.support.bridge import REGION
from tests.support.errors import fails
from tests.support.mail import Inbox
from tests.triggers.conftest import TriggerServer, events
from tests.triggers.sign_in_pools import app_client, password_sign_in, sign_in_pool

OLD_PASSWORD = "Old-Passw0rd!"
NEW_PASSWORD = "New-Passw0rd!"
MIGRATION = {"UserMigration": "user_migration"}


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {"status": found["UserStatus"]} | {a["Name"]: a["Value"] for a in found["UserAttributes"]}


def _no_users(idp: Any, pool_id: str) -> bool:
    return idp.list_users(UserPoolId=pool_id)["Users"] == []


@pytest.mark.every_transport
def test_initiate_auth__first_sign_in_moves_the_user_in(idp: Any) -> None:
    pool_id = sign_in_pool(idp, MIGRATION)
    client_id = app_client(idp, pool_id)
    answer = password_sign_in(idp, client_id, "legacy-ann", OLD_PASSWORD, ClientMetadata={"app": "web"})
    id_claims = payload(answer["AuthenticationResult"]["IdToken"])
    assert id_claims["cognito:username"] == "legacy-ann"
    assert id_claims["email"] == "ann@legacy.example" and id_claims["given_name"] == "Ann"

    [event] = events("user_migration")
    assert {k: v for k, v in event.items() if k != "response"} == {
        "version": "1",
        "triggerSource": "UserMigration_Authentication",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": "legacy-ann",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        # InitiateAuth's ClientMetadata reaches the function as validationData (API reference).
        "request": {"password": OLD_PASSWORD, "validationData": {"app": "web"}, "clientMetadata": {}},
    }
    attributes = _attributes(idp, pool_id, "legacy-ann")
    assert attributes["status"] == "CONFIRMED"
    assert attributes["email"] == "ann@legacy.example" and attributes["email_verified"] == "true"
    assert attributes["sub"] == id_claims["sub"]


def test_initiate_auth__migrated_password_works_without_the_function(idp: Any) -> None:
    pool_id = sign_in_pool(idp, MIGRATION)
    client_id = app_client(idp, pool_id)
    password_sign_in(idp, client_id, "legacy-ann", OLD_PASSWORD)
    idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={})

    again = password_sign_in(idp, client_id, "legacy-ann", OLD_PASSWORD)["AuthenticationResult"]
    assert payload(again["AccessToken"])["username"] == "legacy-ann"
    # The password was SRP-enrolled when it moved in: SRP sign-in works too.
    srp = AWSSRP("legacy-ann", OLD_PASSWORD, pool_id, client_id, client=idp)
    assert payload(srp.authenticate_user()["AuthenticationResult"]["IdToken"])["email"] == "ann@legacy.example"
    assert len(events("user_migration")) == 1
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="legacy-ann", password="Wrong-1!") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_initiate_auth__email_as_username_pool(idp: Any) -> None:
    pool_id = sign_in_pool(idp, MIGRATION, UsernameAttributes=["email"])
    client_id = app_client(idp, pool_id)
    tokens = password_sign_in(idp, client_id, "bob@legacy.example", OLD_PASSWORD)["AuthenticationResult"]
    claims = payload(tokens["IdToken"])
    # The typed email is the sign-in attribute; the internal username is the sub.
    assert claims["cognito:username"] == claims["sub"]
    assert claims["email"] == "bob@legacy.example"
    assert events("user_migration")[0]["userName"] == "bob@legacy.example"


def test_initiate_auth__refusals_create_no_one(idp: Any) -> None:
    pool_id = sign_in_pool(idp, MIGRATION)
    client_id = app_client(idp, pool_id)
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="legacy-ann", password="Wrong-1!") == (
        "UserLambdaValidationException",
        "UserMigration failed with error Bad password.",
    )
    # A name the directory does not know: the function answers without attributes.
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="stranger", password=OLD_PASSWORD) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    hiding = app_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    assert fails(password_sign_in, idp=idp, client_id=hiding, username="stranger", password=OLD_PASSWORD) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    assert _no_users(idp, pool_id)


def test_user_srp_auth__never_migrates(idp: Any) -> None:
    pool_id = sign_in_pool(idp, MIGRATION)
    client_id = app_client(idp, pool_id)
    srp = AWSSRP("legacy-ann", OLD_PASSWORD, pool_id, client_id, client=idp)
    assert fails(srp.authenticate_user) == ("UserNotFoundException", "User does not exist.")
    assert events("user_migration") == []


def test_initiate_auth__reset_required_user_resets_then_signs_in(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = sign_in_pool(idp, MIGRATION)
    client_id = app_client(idp, pool_id)
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="legacy-reset", password=OLD_PASSWORD) == (
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )
    assert _attributes(idp, pool_id, "legacy-reset")["status"] == "RESET_REQUIRED"
    idp.forgot_password(ClientId=client_id, Username="legacy-reset")
    code = mail.next(server).code
    idp.confirm_forgot_password(
        ClientId=client_id, Username="legacy-reset", ConfirmationCode=code, Password=NEW_PASSWORD
    )
    assert "AuthenticationResult" in password_sign_in(idp, client_id, "legacy-reset", NEW_PASSWORD)
    assert len(events("user_migration")) == 1


def test_forgot_password__moves_the_user_in_and_sends_the_code(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = sign_in_pool(idp, MIGRATION)
    client_id = app_client(idp, pool_id)
    answer = idp.forgot_password(ClientId=client_id, Username="legacy-ann", ClientMetadata={"app": "web"})
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"

    [event] = events("user_migration")
    assert event["triggerSource"] == "UserMigration_ForgotPassword"
    assert event["userName"] == "legacy-ann"
    # No password in a reset; ForgotPassword's ClientMetadata is the function's clientMetadata.
    assert event["request"] == {"validationData": {}, "clientMetadata": {"app": "web"}}
    assert _attributes(idp, pool_id, "legacy-ann")["status"] == "RESET_REQUIRED"

    delivered = mail.next(server)
    assert delivered.recipients == ["ann@legacy.example"]
    idp.confirm_forgot_password(
        ClientId=client_id, Username="legacy-ann", ConfirmationCode=delivered.code, Password=NEW_PASSWORD
    )
    assert "AuthenticationResult" in password_sign_in(idp, client_id, "legacy-ann", NEW_PASSWORD)
    # The user is in: the function is not asked again, and the legacy password is no longer the password.
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="legacy-ann", password=OLD_PASSWORD)[0] == (
        "NotAuthorizedException"
    )
    assert len(events("user_migration")) == 1


def test_forgot_password__user_without_a_verified_address_is_not_moved_in(idp: Any) -> None:
    pool_id = sign_in_pool(idp, MIGRATION)
    client_id = app_client(idp, pool_id)
    assert fails(idp.forgot_password, ClientId=client_id, Username="legacy-nomail") == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
    assert _no_users(idp, pool_id)


@pytest.mark.every_transport
@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("failing", ("UserLambdaValidationException", "UserMigration failed with error 'userAttributes'.")),
        ("slow", ("UnexpectedLambdaException", "UserMigration invocation failed due to error TimeoutError.")),
        ("garbage", ("InvalidLambdaResponseException", "Unrecognizable lambda output")),
        ("wrong_types", ("InvalidLambdaResponseException", "Invalid lambda response")),
    ],
)
def test_migration__broken_functions_create_no_one(start_server: Any, module: str, expected: tuple[str, str]) -> None:
    with start_server(trigger_timeout_seconds=0.3) as server:
        idp = server.client()
        pool_id = sign_in_pool(idp, {"UserMigration": module})
        client_id = app_client(idp, pool_id)
        assert fails(password_sign_in, idp=idp, client_id=client_id, username="legacy-ann", password=OLD_PASSWORD) == (
            expected
        )
        assert fails(idp.forgot_password, ClientId=client_id, Username="legacy-ann") == expected
        assert _no_users(idp, pool_id)
