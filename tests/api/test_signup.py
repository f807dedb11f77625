"""SignUp, ConfirmSignUp, ResendConfirmationCode through boto3, codes read from a real SMTP server."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import Server
from tests.support.auth import sdk_secret_hash
from tests.support.errors import fails
from tests.support.existence import POOL_KINDS, hiding_pool, outcome
from tests.support.mail import Inbox
from userpool.clock import FixedClock

PASSWORD = "Passw0rd!"
HOUR = 3600.0
LINK_TEMPLATE = {
    "DefaultEmailOption": "CONFIRM_WITH_LINK",
    "EmailSubjectByLink": "Finish signing up",
    "EmailMessageByLink": "Welcome aboard! {##Confirm my account##} to finish.",
}
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


@pytest.fixture
def idp(server: Server) -> Any:
    return server.client()


def _pool(idp: Any, **config: Any) -> str:
    config.setdefault("AutoVerifiedAttributes", ["email"])
    return str(idp.create_user_pool(PoolName="signup", **config)["UserPool"]["Id"])


def _client(idp: Any, pool_id: str, **config: Any) -> str:
    return str(
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **config)["UserPoolClient"]["ClientId"]
    )


def _user(idp: Any, pool_id: str, username: str) -> dict[str, Any]:
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {"Username": found["Username"], "UserStatus": found["UserStatus"]} | {
        a["Name"]: a["Value"] for a in found["UserAttributes"]
    }


def _sign_up(idp: Any, client_id: str, username: str, email: str | None = None, **extra: Any) -> dict[str, Any]:
    attributes = [{"Name": "email", "Value": email}] if email else []
    answer: dict[str, Any] = idp.sign_up(
        ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=attributes, **extra
    )
    answer.pop("ResponseMetadata")
    return answer


def test_sign_up__creates_an_unconfirmed_user_and_mails_the_code(server: Server, idp: Any, mail: Inbox) -> None:
    pool_id = _pool(
        idp,
        VerificationMessageTemplate={"EmailSubject": "Welcome", "EmailMessage": "Your code: {####}"},
    )
    client_id = _client(idp, pool_id)
    answer = _sign_up(idp, client_id, "alice", "alice@example.com")
    assert set(answer) == {"UserConfirmed", "UserSub", "CodeDeliveryDetails"}
    assert answer["UserConfirmed"] is False
    assert str(uuid.UUID(answer["UserSub"])) == answer["UserSub"]
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    user = _user(idp, pool_id, "alice")
    assert (user["UserStatus"], user["sub"], user["email"]) == ("UNCONFIRMED", answer["UserSub"], "alice@example.com")
    assert "email_verified" not in user
    message = mail.next(server)
    assert message.recipients == ["alice@example.com"]
    assert message.message["Subject"] == "Welcome"
    assert message.text.strip() == f"Your code: {message.code}"
    # The password was stored (hashed) with the user.
    with server.runtime.store.read() as tx:
        stored = tx.users.get_by_sub(pool_id, answer["UserSub"])
    assert stored is not None and server.runtime.deps.hasher.verify(stored.password_hash, PASSWORD)


def test_confirm_sign_up__confirms_and_verifies_the_attribute(server: Server, idp: Any, mail: Inbox) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    _sign_up(idp, client_id, "bob", "bob@example.com")
    code = mail.next(server).code
    answer = idp.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=code)
    assert set(answer) == {"ResponseMetadata"}
    user = _user(idp, pool_id, "bob")
    assert (user["UserStatus"], user["email_verified"]) == ("CONFIRMED", "true")
    # The code is used up, and a confirmed user cannot be confirmed again.
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="bob", ConfirmationCode=code) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )
    assert fails(idp.resend_confirmation_code, ClientId=client_id, Username="bob") == (
        "InvalidParameterException",
        "User is already confirmed.",
    )


def test_sign_up__email_as_username(server: Server, idp: Any, mail: Inbox) -> None:
    pool_id = _pool(idp, UsernameAttributes=["email"], UsernameConfiguration={"CaseSensitive": False})
    client_id = _client(idp, pool_id)
    answer = _sign_up(idp, client_id, "Carol@Example.com")
    # The internal username is the sub; the email is an attribute and the sign-in name.
    user = _user(idp, pool_id, "carol@example.com")
    assert (user["Username"], user["email"]) == (answer["UserSub"], "Carol@Example.com")
    assert answer["CodeDeliveryDetails"]["Destination"] == "C***@E***"
    assert fails(idp.sign_up, ClientId=client_id, Username="carol@EXAMPLE.com", Password=PASSWORD) == (
        "UsernameExistsException",
        "An account with the given email already exists.",
    )
    assert fails(idp.sign_up, ClientId=client_id, Username="carol", Password=PASSWORD) == (
        "InvalidParameterException",
        "Username should be an email.",
    )
    idp.confirm_sign_up(ClientId=client_id, Username="CAROL@example.com", ConfirmationCode=mail.next(server).code)
    assert _user(idp, pool_id, answer["UserSub"])["UserStatus"] == "CONFIRMED"


def test_sign_up__refusals_write_nothing(idp: Any) -> None:
    pool_id = _pool(
        idp,
        Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )
    client_id = _client(idp, pool_id)
    name = [{"Name": "name", "Value": "Dan"}]
    idp.sign_up(ClientId=client_id, Username="dan", Password=PASSWORD, UserAttributes=name)
    cases = [
        (
            {"Username": "dan", "Password": PASSWORD, "UserAttributes": name},
            ("UsernameExistsException", "User already exists"),
        ),
        (
            {"Username": "eve", "Password": "Sh0rt!", "UserAttributes": name},
            ("InvalidPasswordException", "Password did not conform with policy: Password not long enough"),
        ),
        (
            {"Username": "eve", "Password": "password1!", "UserAttributes": name},
            (
                "InvalidPasswordException",
                "Password did not conform with policy: Password must have uppercase characters",
            ),
        ),
        (
            {"Username": "eve", "Password": PASSWORD},
            (
                "InvalidParameterException",
                "Attributes did not conform to the schema: name: The attribute is required\n",
            ),
        ),
        (
            {"Username": "eve", "Password": PASSWORD, "UserAttributes": [*name, {"Name": "custom:nope", "Value": "x"}]},
            (
                "InvalidParameterException",
                "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n",
            ),
        ),
        (
            {
                "Username": "eve",
                "Password": PASSWORD,
                "UserAttributes": [*name, {"Name": "email_verified", "Value": "true"}],
            },
            ("NotAuthorizedException", "A client attempted to write unauthorized attribute"),
        ),
        (
            {
                "Username": "eve",
                "Password": PASSWORD,
                "UserAttributes": [*name, {"Name": "email", "Value": "not-an-email"}],
            },
            ("InvalidParameterException", "Invalid email address format."),
        ),
    ]
    for request, expected in cases:
        assert fails(idp.sign_up, ClientId=client_id, **request) == expected, request
    assert fails(idp.admin_get_user, UserPoolId=pool_id, Username="eve") == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert fails(idp.sign_up, ClientId="nosuchclient", Username="eve", Password=PASSWORD) == (
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    )


def test_sign_up__not_permitted_for_admin_only_pools(idp: Any) -> None:
    pool_id = _pool(idp, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = _client(idp, pool_id)
    assert fails(idp.sign_up, ClientId=client_id, Username="fay", Password=PASSWORD) == (
        "NotAuthorizedException",
        "SignUp is not permitted for this user pool",
    )


def test_sign_up__secret_hash_required_for_clients_with_a_secret(server: Server, idp: Any, mail: Inbox) -> None:
    pool_id = _pool(idp)
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", GenerateSecret=True)["UserPoolClient"]
    client_id, secret = created["ClientId"], created["ClientSecret"]
    assert fails(idp.sign_up, ClientId=client_id, Username="gus", Password=PASSWORD) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    wrong = AWSSRP.get_secret_hash("someone-else", client_id, secret)
    assert fails(idp.sign_up, ClientId=client_id, Username="gus", Password=PASSWORD, SecretHash=wrong) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    right = AWSSRP.get_secret_hash("gus", client_id, secret)
    _sign_up(idp, client_id, "gus", "gus@example.com", SecretHash=right)
    code = mail.next(server).code
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="gus", ConfirmationCode=code, SecretHash=wrong)[
        0
    ] == ("NotAuthorizedException")
    idp.confirm_sign_up(ClientId=client_id, Username="gus", ConfirmationCode=code, SecretHash=right)
    assert _user(idp, pool_id, "gus")["UserStatus"] == "CONFIRMED"


def test_confirm_sign_up__wrong_codes_reach_the_attempt_limit(
    server: Server, idp: Any, mail: Inbox, clock: FixedClock
) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    _sign_up(idp, client_id, "hal", "hal@example.com")
    code = mail.next(server).code
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(15):
        assert fails(idp.confirm_sign_up, ClientId=client_id, Username="hal", ConfirmationCode=wrong) == (
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        )
    # Past the cap even the right code is refused, so a guesser cannot tell that it found it.
    limit = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="hal", ConfirmationCode=code) == limit
    # A fresh code does not reset the count.
    idp.resend_confirmation_code(ClientId=client_id, Username="hal")
    assert (
        fails(idp.confirm_sign_up, ClientId=client_id, Username="hal", ConfirmationCode=mail.next(server).code) == limit
    )
    clock.advance(HOUR)
    idp.confirm_sign_up(ClientId=client_id, Username="hal", ConfirmationCode=mail.mails[-1].code)
    assert fails(idp.resend_confirmation_code, ClientId=client_id, Username="hal")[0] == "InvalidParameterException"


def test_confirm_sign_up__expired_and_replaced_codes(server: Server, idp: Any, mail: Inbox, clock: FixedClock) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    _sign_up(idp, client_id, "ida", "ida@example.com")
    first = mail.next(server).code
    clock.advance(24 * HOUR)
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="ida", ConfirmationCode=first) == (
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
    answer = idp.resend_confirmation_code(ClientId=client_id, Username="ida")
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "i***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    second = mail.next(server).code
    if second != first:
        # The new code replaced the old one.
        assert fails(idp.confirm_sign_up, ClientId=client_id, Username="ida", ConfirmationCode=first)[0] == (
            "CodeMismatchException"
        )
    idp.confirm_sign_up(ClientId=client_id, Username="ida", ConfirmationCode=second)
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="ida", ConfirmationCode=second)[0] == (
        "NotAuthorizedException"
    )


def test_resend_confirmation_code__limited_to_five_codes_an_hour(
    server: Server, idp: Any, mail: Inbox, clock: FixedClock
) -> None:
    pool_id = _pool(idp)
    client_id = _client(idp, pool_id)
    _sign_up(idp, client_id, "jan", "jan@example.com")
    for _ in range(4):
        idp.resend_confirmation_code(ClientId=client_id, Username="jan")
    assert fails(idp.resend_confirmation_code, ClientId=client_id, Username="jan") == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
    mails = mail.wait_for(5, server)
    clock.advance(HOUR)
    idp.resend_confirmation_code(ClientId=client_id, Username="jan")
    newest = mail.wait_for(6, server)[-1].code
    idp.confirm_sign_up(ClientId=client_id, Username="jan", ConfirmationCode=newest)
    assert len(mails) == 5


def test_sign_up__without_auto_verification_sends_nothing(server: Server, idp: Any) -> None:
    pool_id = _pool(idp, AutoVerifiedAttributes=[])
    client_id = _client(idp, pool_id)
    answer = _sign_up(idp, client_id, "kim", "kim@example.com")
    assert "CodeDeliveryDetails" not in answer
    assert fails(idp.resend_confirmation_code, ClientId=client_id, Username="kim") == (
        "InvalidParameterException",
        "Cannot resend codes. Auto verification not turned on.",
    )
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="kim", ConfirmationCode="123456")[0] == (
        "ExpiredCodeException"
    )
    with server.runtime.store.read() as tx:
        assert tx.outbox.recent(10) == []
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="kim")
    assert _user(idp, pool_id, "kim")["UserStatus"] == "CONFIRMED"


def test_sign_up__code_by_sms_when_the_phone_is_auto_verified(server: Server, idp: Any) -> None:
    pool_id = _pool(idp, AutoVerifiedAttributes=["email", "phone_number"])
    client_id = _client(idp, pool_id)
    attributes = [{"Name": "email", "Value": "lou@example.com"}, {"Name": "phone_number", "Value": "+14325551212"}]
    answer = idp.sign_up(ClientId=client_id, Username="lou", Password=PASSWORD, UserAttributes=attributes)
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "+*******1212",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    with server.runtime.store.read() as tx:
        [message] = tx.outbox.recent_texts(10)  # kept, sealed, by the log sender (no SMS webhook here)
    assert (message.channel, message.destination) == ("SMS", "+14325551212")
    code = message.body.split()[-1].rstrip(".")
    idp.confirm_sign_up(ClientId=client_id, Username="lou", ConfirmationCode=code)
    user = _user(idp, pool_id, "lou")
    assert (user["phone_number_verified"], user.get("email_verified")) == ("true", None)


def test_confirm_sign_up__alias_taken_unless_forced(server: Server, idp: Any, mail: Inbox) -> None:
    pool_id = _pool(idp, AliasAttributes=["email"])
    client_id = _client(idp, pool_id)
    _sign_up(idp, client_id, "max", "same@example.com")
    idp.confirm_sign_up(ClientId=client_id, Username="max", ConfirmationCode=mail.next(server).code)
    # Another user may sign up with the email; the alias conflict waits for confirmation.
    _sign_up(idp, client_id, "ned", "same@example.com")
    code = mail.next(server).code
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="ned", ConfirmationCode=code) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    assert _user(idp, pool_id, "ned")["UserStatus"] == "UNCONFIRMED"
    idp.confirm_sign_up(ClientId=client_id, Username="ned", ConfirmationCode=code, ForceAliasCreation=True)
    assert _user(idp, pool_id, "same@example.com")["Username"] == "ned"
    assert _user(idp, pool_id, "max")["email_verified"] == "false"


def test_confirm_sign_up__missing_user_legacy_or_hidden(idp: Any) -> None:
    pool_id = _pool(idp)
    legacy = _client(idp, pool_id)
    hidden = _client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    missing = ("UserNotFoundException", "User does not exist.")
    assert fails(idp.confirm_sign_up, ClientId=legacy, Username="nobody", ConfirmationCode="123456") == missing
    assert fails(idp.resend_confirmation_code, ClientId=legacy, Username="nobody") == missing
    assert fails(idp.confirm_sign_up, ClientId=hidden, Username="nobody", ConfirmationCode="123456") == (
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
    answer = idp.resend_confirmation_code(ClientId=hidden, Username="nobody@example.org")
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "n***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    first = idp.resend_confirmation_code(ClientId=hidden, Username="nobody")["CodeDeliveryDetails"]
    assert first == idp.resend_confirmation_code(ClientId=hidden, Username="nobody")["CodeDeliveryDetails"]
    assert first["DeliveryMedium"] == "EMAIL" and first["Destination"].startswith("n***@")


def _mailed_link(mail: Inbox, server: Server, text: str = "Confirm my account") -> str:
    """The address of the link with ``text`` in the next mail's HTML body."""
    message = mail.next(server)
    assert message.message["Subject"] == "Finish signing up"
    body = message.message.get_body(preferencelist=("html",))
    assert body is not None
    found = re.fullmatch(rf'Welcome aboard! <a href="([^"]+)">{text}</a> to finish\.', str(body.get_content()).strip())
    assert found is not None, body.get_content()
    return html.unescape(found.group(1))


def test_sign_up__confirm_with_link_mails_a_link_the_pool_domain_confirms(
    server: Server, idp: Any, mail: Inbox
) -> None:
    pool_id = _pool(idp, VerificationMessageTemplate=LINK_TEMPLATE)
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="northwind")
    client_id = _client(idp, pool_id)
    answer = _sign_up(idp, client_id, "lena", "lena@example.com")
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    link = _mailed_link(mail, server)
    # AWS's form: https://<domain>/confirmUser?client_id=...&user_name=...&confirmation_code=...; here the
    # prefix domain is served under the server's auth domain suffix (its own host name by default).
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "northwind.localhost:9229", "/confirmUser")
    query = parse_qs(parts.query)
    assert set(query) == {"client_id", "user_name", "confirmation_code"}
    assert (query["client_id"], query["user_name"]) == ([client_id], ["lena"])
    assert _user(idp, pool_id, "lena")["UserStatus"] == "UNCONFIRMED"

    page = server.test_client.get(link)
    assert page.status_code == 200, page.text
    assert "Your registration has been confirmed!" in page.text
    user = _user(idp, pool_id, "lena")
    assert (user["UserStatus"], user["email_verified"]) == ("CONFIRMED", "true")
    again = server.test_client.get(link)
    assert again.status_code == 400
    assert "User cannot be confirmed. Current status is CONFIRMED" in again.text
    # ConfirmSignUp takes the code the link carries, as on AWS.
    _sign_up(idp, client_id, "max", "max@example.com")
    code = parse_qs(urlsplit(_mailed_link(mail, server)).query)["confirmation_code"][0]
    idp.confirm_sign_up(ClientId=client_id, Username="max", ConfirmationCode=code)
    assert _user(idp, pool_id, "max")["UserStatus"] == "CONFIRMED"


def test_resend_confirmation_code__link_on_the_custom_domain_for_a_client_with_a_secret(
    server: Server, idp: Any, mail: Inbox
) -> None:
    pool_id = _pool(idp, VerificationMessageTemplate=LINK_TEMPLATE)
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="northwind")
    idp.create_user_pool_domain(
        UserPoolId=pool_id, Domain="auth.northwind.example", CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", GenerateSecret=True)
    client_id, secret = client["UserPoolClient"]["ClientId"], client["UserPoolClient"]["ClientSecret"]
    secret_hash = sdk_secret_hash(secret, "nina", client_id)
    _sign_up(idp, client_id, "nina", "nina@example.com", SecretHash=secret_hash)
    first = _mailed_link(mail, server)
    idp.resend_confirmation_code(ClientId=client_id, Username="nina", SecretHash=secret_hash)
    link = _mailed_link(mail, server)
    assert link.startswith("https://auth.northwind.example/confirmUser?")
    # The link of the replaced code, a wrong code, and the link on another pool's domain confirm nothing.
    other = _pool(idp)
    idp.create_user_pool_domain(UserPoolId=other, Domain="elsewhere")
    refusals = [
        (first, "Invalid verification code provided, please try again."),
        (link.replace("confirmation_code=", "confirmation_code=9"), "Invalid verification code provided"),
        (link.replace("https://auth.northwind.example", "http://elsewhere.localhost:9229"), "not known"),
    ]
    for address, words in refusals:
        page = server.test_client.get(address)
        assert page.status_code == 400 and words in page.text, page.text
    assert _user(idp, pool_id, "nina")["UserStatus"] == "UNCONFIRMED"
    # The client's secret is the server's to prove: the link alone confirms.
    page = server.test_client.get(link)
    assert page.status_code == 200 and "Your registration has been confirmed!" in page.text
    assert _user(idp, pool_id, "nina")["UserStatus"] == "CONFIRMED"


@pytest.mark.parametrize("kind", POOL_KINDS)
def test_resend_confirmation_code__hidden_users_reach_the_hourly_cap_alike(
    server: Server, idp: Any, kind: str, clock: FixedClock
) -> None:
    hiding = hiding_pool(idp, kind, signed_up=True)
    # The code SignUp sent counts among the hour's five: let that hour pass.
    clock.advance(HOUR)

    def resend(name: str) -> Any:
        return outcome(idp.resend_confirmation_code, ClientId=hiding.client_id, Username=name)

    for _ in range(5):
        assert (
            resend(hiding.real)
            == resend(hiding.unknown)
            == {"CodeDeliveryDetails": {"Destination": 9, "DeliveryMedium": 5, "AttributeName": 5}}
        )
    limit = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert resend(hiding.real) == resend(hiding.unknown) == ("error", *limit)
