"""One user's whole life through boto3, on both databases: sign-up with a code mailed to a real SMTP
server, confirmation, sign-in, refresh, profile read and update, password change, global sign-out."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.support.auth import ALL_PASSWORD_FLOWS
from tests.support.errors import fails
from tests.support.mail import Inbox

FIRST_PASSWORD = "First-Pass-1"
SECOND_PASSWORD = "Second-Pass-2"


def _password_auth(idp: Any, client_id: str, password: str) -> dict[str, Any]:
    answer = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ann", "PASSWORD": password}
    )
    return dict(answer["AuthenticationResult"])


def test_user_journey__sign_up_to_global_sign_out(server: Server, inbox: tuple[Inbox, int]) -> None:
    mail = inbox[0]
    idp = server.client()
    pool_id = idp.create_user_pool(PoolName="journey", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=ALL_PASSWORD_FLOWS)[
        "UserPoolClient"
    ]["ClientId"]

    signed_up = idp.sign_up(
        ClientId=client_id,
        Username="ann",
        Password=FIRST_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    assert signed_up["UserConfirmed"] is False
    confirmation = mail.next(server)
    assert confirmation.recipients == ["ann@example.com"]
    idp.confirm_sign_up(ClientId=client_id, Username="ann", ConfirmationCode=confirmation.code)

    tokens = _password_auth(idp, client_id, FIRST_PASSWORD)
    refreshed = idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )["AuthenticationResult"]
    access = refreshed["AccessToken"]

    profile = idp.get_user(AccessToken=access)
    attributes = {a["Name"]: a["Value"] for a in profile["UserAttributes"]}
    assert profile["Username"] == "ann"
    assert (attributes["email"], attributes["email_verified"]) == ("ann@example.com", "true")

    idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "name", "Value": "Ann Example"}])
    updated = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=access)["UserAttributes"]}
    assert updated["name"] == "Ann Example"

    idp.change_password(AccessToken=access, PreviousPassword=FIRST_PASSWORD, ProposedPassword=SECOND_PASSWORD)
    assert fails(
        idp.initiate_auth,
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": FIRST_PASSWORD},
    ) == ("NotAuthorizedException", "Incorrect username or password.")

    idp.global_sign_out(AccessToken=access)
    assert fails(idp.get_user, AccessToken=access) == ("NotAuthorizedException", "Access Token has been revoked")
    code, _ = fails(
        idp.initiate_auth,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    assert code == "NotAuthorizedException"
    # A new sign-in with the new password works after the sign-out.
    assert idp.get_user(AccessToken=_password_auth(idp, client_id, SECOND_PASSWORD)["AccessToken"])["Username"] == "ann"
