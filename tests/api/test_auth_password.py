"""Password sign-in: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH, SECRET_HASH, user
statuses, and NEW_PASSWORD_REQUIRED (Cognito developer guide: 'Authentication flows';
AWS: InitiateAuth and RespondToAuthChallenge API references)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import PASSWORD, make_client, make_user, payload, sdk_secret_hash, sign_in
from tests.support.errors import fails
from tests.support.users import add_user
from userpool.clock import FixedClock
from userpool.config import Argon2Params

TEMPORARY = "Temp-Pass-1"
NEW_PASSWORD = "Brand-New-Pass-2"


def _invite(idp: Any, pool_id: str, username: str, attributes: dict[str, str] | None = None) -> None:
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()],
    )


def _initiate(idp: Any, client: dict[str, Any], username: str, password: str) -> Any:
    return idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_initiate_auth__user_password_auth(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    answer = _initiate(idp, client, "ann", PASSWORD)
    assert answer["ChallengeParameters"] == {}
    assert "ChallengeName" not in answer and "Session" not in answer
    result = answer["AuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken", "RefreshToken"}
    assert result["TokenType"] == "Bearer"


def test_initiate_auth__alias_signs_in_as_the_user(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="alias", AliasAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann", attributes={"email": "ann@example.com", "email_verified": "true"})
    claims = payload(sign_in(idp, client, "ann@example.com")["IdToken"])
    assert claims["cognito:username"] == "ann"


def test_initiate_auth__wrong_password_and_unknown_user(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    assert fails(_initiate, idp=idp, client=client, username="ann", password="Wrong-Pass-1") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    # PreventUserExistenceErrors defaults to LEGACY for API-created clients (Cognito developer guide:
    # 'Managing user existence error responses').
    assert fails(_initiate, idp=idp, client=client, username="nobody", password=PASSWORD) == (
        "UserNotFoundException",
        "User does not exist.",
    )


def test_initiate_auth__flow_must_be_enabled(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool_id, "ann")
    assert fails(_initiate, idp=idp, client=client, username="ann", password=PASSWORD) == (
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    code, _ = fails(
        idp.admin_initiate_auth,
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )
    assert code == "InvalidParameterException"


def test_initiate_auth__admin_flows_only_through_admin_initiate_auth(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        assert fails(
            idp.initiate_auth,
            ClientId=client["ClientId"],
            AuthFlow=flow,
            AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
        ) == ("InvalidParameterException", "Initiate Auth method not supported.")
    code, _ = fails(
        idp.admin_initiate_auth,
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )
    assert code == "InvalidParameterException"


def test_admin_initiate_auth__admin_user_password_auth_and_legacy_name(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"])
    make_user(idp, pool_id, "ann")
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        answer = idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client["ClientId"],
            AuthFlow=flow,
            AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
        )
        assert payload(answer["AuthenticationResult"]["AccessToken"])["username"] == "ann"


def test_admin_initiate_auth__client_of_another_pool(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    client = make_client(idp, other)
    code, _ = fails(
        idp.admin_initiate_auth,
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )
    assert code == "ResourceNotFoundException"


def test_initiate_auth__unknown_client_and_missing_parameters(idp: Any, pool_id: str) -> None:
    code, message = fails(
        idp.initiate_auth,
        ClientId="nosuchclient",
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )
    assert (code, message) == ("ResourceNotFoundException", "User pool client nosuchclient does not exist.")
    client = make_client(idp, pool_id)
    assert fails(
        idp.initiate_auth, ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "a"}
    ) == ("InvalidParameterException", "Missing required parameter PASSWORD")


def test_initiate_auth__secret_hash_over_the_username_sent(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="alias", AliasAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool_id, GenerateSecret=True)
    make_user(idp, pool_id, "ann", attributes={"email": "ann@example.com", "email_verified": "true"})
    client_id, secret = client["ClientId"], client["ClientSecret"]

    def attempt(secret_hash: str | None) -> Any:
        params = {"USERNAME": "ann@example.com", "PASSWORD": PASSWORD}
        if secret_hash is not None:
            params["SECRET_HASH"] = secret_hash
        return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)

    assert fails(attempt, secret_hash=None) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    wrong = (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    assert fails(attempt, secret_hash=sdk_secret_hash(secret, "ann", client_id)) == wrong
    assert fails(attempt, secret_hash="bm90IHRoZSBoYXNo") == wrong
    assert "AuthenticationResult" in attempt(sdk_secret_hash(secret, "ann@example.com", client_id))


def test_initiate_auth__status_gates(app_server: Server, idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    store = app_server.runtime.store
    add_user(store, pool_id, "pending", status="UNCONFIRMED")
    add_user(store, pool_id, "resetting", status="RESET_REQUIRED")
    make_user(idp, pool_id, "off")
    idp.admin_disable_user(UserPoolId=pool_id, Username="off")
    # An unconfirmed user is told so whatever the password (long-standing AWS behaviour).
    assert fails(_initiate, idp=idp, client=client, username="pending", password="Any-Pass-1") == (
        "UserNotConfirmedException",
        "User is not confirmed.",
    )
    assert fails(_initiate, idp=idp, client=client, username="resetting", password="Any-Pass-1") == (
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )
    assert fails(_initiate, idp=idp, client=client, username="off", password=PASSWORD) == (
        "NotAuthorizedException",
        "User is disabled.",
    )
    idp.admin_enable_user(UserPoolId=pool_id, Username="off")
    assert "AuthenticationResult" in _initiate(idp, client, "off", PASSWORD)


def test_initiate_auth__rehashes_with_current_argon2_parameters(tmp_path: Path, database_url: str) -> None:
    old = make_settings(tmp_path / "data", database_url)
    with running_server(old) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="rehash")["UserPool"]["Id"]
        client = make_client(idp, pool_id)
        make_user(idp, pool_id, "ann")

    def stored_hash(server: Server) -> str:
        with server.runtime.store.read() as tx:
            user = tx.users.get_by_username(pool_id, "ann")
        assert user is not None and user.password_hash is not None
        return user.password_hash

    new = old.replace(argon2=Argon2Params(time_cost=1, memory_kib=128, parallelism=1))
    with running_server(new) as server:
        assert "$m=64," in stored_hash(server)
        idp = server.client()
        sign_in(idp, client, "ann")
        assert "$m=128," in stored_hash(server)
        sign_in(idp, client, "ann")


# -- NEW_PASSWORD_REQUIRED ---------------------------------------------------------------------------


def _new_password(idp: Any, client: dict[str, Any], session: str, **responses: str) -> Any:
    return idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses=responses,
    )


def test_respond_to_auth_challenge__new_password_required(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    _invite(idp, pool_id, "ann", {"email": "ann@example.com", "email_verified": "true"})
    challenge = _initiate(idp, client, "ann", TEMPORARY)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert 20 <= len(challenge["Session"]) <= 2048
    params = challenge["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "ann"
    assert json.loads(params["requiredAttributes"]) == []
    assert json.loads(params["userAttributes"]) == {"email": "ann@example.com", "email_verified": "true"}
    assert "AuthenticationResult" not in challenge

    assert (
        fails(
            _new_password, idp=idp, client=client, session=challenge["Session"], USERNAME="ann", NEW_PASSWORD="short"
        )[0]
        == "InvalidPasswordException"
    )
    answer = _new_password(idp, client, challenge["Session"], USERNAME="ann", NEW_PASSWORD=NEW_PASSWORD)
    assert answer["ChallengeParameters"] == {}
    assert payload(answer["AuthenticationResult"]["IdToken"])["cognito:username"] == "ann"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "CONFIRMED"
    # The Session is single use; the new password is the password now.
    assert fails(
        _new_password, idp=idp, client=client, session=challenge["Session"], USERNAME="ann", NEW_PASSWORD=NEW_PASSWORD
    ) == (
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )
    assert "AuthenticationResult" in _initiate(idp, client, "ann", NEW_PASSWORD)
    assert fails(_initiate, idp=idp, client=client, username="ann", password=TEMPORARY)[0] == "NotAuthorizedException"


def test_respond_to_auth_challenge__new_password_required_password_history(idp: Any) -> None:
    """The new password may be neither the temporary one nor one the user had before (PasswordHistorySize);
    a refusal leaves the Session usable."""
    policy = {"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 3}}
    pool_id = idp.create_user_pool(PoolName="history", Policies=policy)["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="ann", Password=TEMPORARY, Permanent=False)
    challenge = _initiate(idp, client, "ann", TEMPORARY)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    reused = ("PasswordHistoryPolicyViolationException", "Password has previously been used")
    for password in (PASSWORD, TEMPORARY):
        refused = fails(
            _new_password, idp=idp, client=client, session=challenge["Session"], USERNAME="ann", NEW_PASSWORD=password
        )
        assert refused == reused
    answer = _new_password(idp, client, challenge["Session"], USERNAME="ann", NEW_PASSWORD=NEW_PASSWORD)
    assert "AccessToken" in answer["AuthenticationResult"]


def test_admin_respond_to_auth_challenge__new_password_required(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    _invite(idp, pool_id, "ann")
    challenge = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": TEMPORARY},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ann", "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert "RefreshToken" in answer["AuthenticationResult"]


def test_respond_to_auth_challenge__required_attributes(app_server: Server, idp: Any) -> None:
    schema = [{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}]
    pool_id = idp.create_user_pool(PoolName="required", Schema=schema)["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    # Imported without the attribute that became required: written to the store directly, as an import would.
    user = add_user(app_server.runtime.store, pool_id, "ann", status="FORCE_CHANGE_PASSWORD")
    with app_server.runtime.store.write() as tx:
        tx.users.update(replace(user, password_hash=app_server.runtime.deps.hasher.hash(TEMPORARY)))
    challenge = _initiate(idp, client, "ann", TEMPORARY)
    assert json.loads(challenge["ChallengeParameters"]["requiredAttributes"]) == ["userAttributes.name"]
    session = challenge["Session"]

    def answer(**attributes: str) -> Any:
        responses = {"USERNAME": "ann", "NEW_PASSWORD": NEW_PASSWORD}
        responses.update({f"userAttributes.{k}": v for k, v in attributes.items()})
        return idp.respond_to_auth_challenge(
            ClientId=client["ClientId"],
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses=responses,
        )

    code, message = fails(answer)
    assert code == "InvalidParameterException"
    assert "name: The attribute is required" in message
    # A client may not write what it may not write; each refusal leaves the Session usable.
    assert fails(answer, name="Ann", email_verified="true") == (
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )
    result = answer(name="Ann Smith")["AuthenticationResult"]
    assert payload(result["IdToken"])["name"] == "Ann Smith"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "CONFIRMED"


def test_respond_to_auth_challenge__session_bound_to_client_and_user(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    other_client = make_client(idp, pool_id)
    _invite(idp, pool_id, "ann")
    make_user(idp, pool_id, "bob")
    session = _initiate(idp, client, "ann", TEMPORARY)["Session"]
    assert (
        fails(_new_password, idp=idp, client=other_client, session=session, USERNAME="ann", NEW_PASSWORD=NEW_PASSWORD)[
            1
        ]
        == "Invalid session for the user, session is expired."
    )
    assert (
        fails(_new_password, idp=idp, client=client, session=session, USERNAME="bob", NEW_PASSWORD=NEW_PASSWORD)[0]
        == "NotAuthorizedException"
    )
    assert (
        fails(_new_password, idp=idp, client=client, session="x" * 64, USERNAME="ann", NEW_PASSWORD=NEW_PASSWORD)[1]
        == "Invalid session for the user, session is expired."
    )
    assert "AuthenticationResult" in _new_password(idp, client, session, USERNAME="ann", NEW_PASSWORD=NEW_PASSWORD)


def test_respond_to_auth_challenge__session_expires(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="expiry")["UserPool"]["Id"]
    client = make_client(idp, pool_id, AuthSessionValidity=3)
    _invite(idp, pool_id, "ann")
    session = _initiate(idp, client, "ann", TEMPORARY)["Session"]
    clock.advance(3 * 60 + 1)
    assert fails(_new_password, idp=idp, client=client, session=session, USERNAME="ann", NEW_PASSWORD=NEW_PASSWORD) == (
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )


def test_initiate_auth__temporary_password_expired(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    policy = {"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 1}}
    pool_id = idp.create_user_pool(PoolName="temp", Policies=policy)["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    _invite(idp, pool_id, "ann")
    clock.advance(86_400 + 1)
    assert fails(_initiate, idp=idp, client=client, username="ann", password=TEMPORARY) == (
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
    )
    # A wrong password is still just a wrong password.
    assert fails(_initiate, idp=idp, client=client, username="ann", password="Wrong-Pass-1")[1] == (
        "Incorrect username or password."
    )
    idp.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="RESEND", TemporaryPassword="Temp-Pass-2")
    assert _initiate(idp, client, "ann", "Temp-Pass-2")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
