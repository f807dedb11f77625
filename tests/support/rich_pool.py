"""A pool with something of everything a pool export carries, made through boto3 (tests/api/test_pool_export.py):
its configuration's every document member, app clients with two secrets and none, a domain, a resource server,
identity providers with secrets and a SAML encryption key, the SAML signing key, UI customization, risk
configurations, groups, and users with password history, TOTP, a remembered device, a passkey, a linked identity,
a temporary password, a disabled account and a failed sign-in; and tokens issued before and after a key rotation."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any

import pyotp
from pycognito.aws_srp import AWSSRP, generate_hash_device

from tests.support.auth import PASSWORD, sdk_secret_hash
from tests.support.passkeys import SoftwareAuthenticator
from tests.support.saml_metadata import REDIRECT, certificate, metadata
from userpool.context import Ctx
from userpool.services.tokens.steps.signing_keys import rotate_signing_keys

NEW_PASSWORD = "Battery-Staple-7"
ANN_PASSWORD = "Third-Password-3"  # ann's, after PASSWORD and NEW_PASSWORD
TEMPORARY_PASSWORD = "Temporary-Pass-1"
DOMAIN = "moving-pool"
API = "https://api.example.com"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:userpool-notifications"
GOOGLE = {"client_id": "1.apps.googleusercontent.com", "client_secret": "google-secret", "authorize_scopes": "email"}
PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class Held:
    """A confirmed device as its client keeps it."""

    key: str
    group: str
    password: str


@dataclass
class RichPool:
    pool_id: str
    web: dict[str, Any]  # with ClientSecret, and a second secret beside it
    second_secret: str
    mobile: dict[str, Any]  # public
    totp: pyotp.TOTP  # ann's authenticator
    device: Held  # dave's remembered device
    passkey: SoftwareAuthenticator  # erin's
    subs: dict[str, str]
    tokens_before_rotation: dict[str, Any]
    tokens_after_rotation: dict[str, Any]


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4)) + chunk(b"IEND", b"")
    )


def _user(idp: Any, pool_id: str, username: str, **attributes: str) -> None:
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def password_sign_in(
    idp: Any, client: dict[str, Any], username: str, password: str = PASSWORD, secret: str = ""
) -> Any:
    params = {"USERNAME": username, "PASSWORD": password}
    if secret or client.get("ClientSecret"):
        params["SECRET_HASH"] = sdk_secret_hash(secret or client["ClientSecret"], username, client["ClientId"])
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def device_srp(
    idp: Any, pool_id: str, client: dict[str, Any], username: str, held: Held | None = None, password: str = PASSWORD
) -> AWSSRP:
    device = {"device_key": held.key, "device_group_key": held.group, "device_password": held.password} if held else {}
    return AWSSRP(username, password, pool_id, client["ClientId"], client=idp, **device)


def _configure(idp: Any) -> str:
    pool_id = str(
        idp.create_user_pool(
            PoolName="moving",
            Policies={
                "PasswordPolicy": {"MinimumLength": 10, "PasswordHistorySize": 3, "TemporaryPasswordValidityDays": 3},
                "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]},
            },
            AliasAttributes=["email", "preferred_username"],
            AutoVerifiedAttributes=["email"],
            Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
            DeviceConfiguration={"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False},
            # A trigger none of the tests' sign-ins fires (every user they name exists).
            LambdaConfig={"UserMigration": "arn:aws:lambda:us-east-1:123456789012:function:migrate"},
            UserPoolTags={"team": "identity"},
            UserPoolTier="PLUS",
            VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailSubject": "Your code"},
        )["UserPool"]["Id"]
    )
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "required"},
    )
    idp.set_log_delivery_configuration(
        UserPoolId=pool_id,
        LogConfigurations=[
            {
                "EventSource": "userNotification",
                "LogLevel": "ERROR",
                "CloudWatchLogsConfiguration": {"LogGroupArn": LOG_GROUP},
            }
        ],
    )
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=DOMAIN)
    idp.create_resource_server(
        UserPoolId=pool_id, Identifier=API, Name="api", Scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}]
    )
    idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
    )
    saml = {"MetadataFile": metadata(sso={REDIRECT: "https://idp.example.com/sso"}, certificates=(certificate("c"),))}
    idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="SAML",
        ProviderDetails={**saml, "EncryptedResponses": "true"},
        AttributeMapping={"email": "urn:oid:email"},
        IdpIdentifiers=["corp.example"],
    )
    idp.get_signing_certificate(UserPoolId=pool_id)  # makes the pool's SAML signing key
    idp.set_ui_customization(UserPoolId=pool_id, CSS=".banner-customizable { color: #123456; }", ImageFile=_png())
    idp.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "NO_ACTION"}},
        RiskExceptionConfiguration={"SkippedIPRangeList": ["10.1.2.3/32"]},
    )
    admin_role = "arn:aws:iam::123456789012:role/Admin"
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1, Description="Admins", RoleArn=admin_role)
    idp.create_group(UserPoolId=pool_id, GroupName="staff")
    return pool_id


def _clients(idp: Any, pool_id: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    web = dict(
        idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            GenerateSecret=True,
            ExplicitAuthFlows=PASSWORD_FLOWS,
            AllowedOAuthFlows=["code"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["openid", "email", f"{API}/read"],
            CallbackURLs=["https://app.example.com/callback"],
            SupportedIdentityProviders=["COGNITO", "Google", "Corp"],
        )["UserPoolClient"]
    )
    second = idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=web["ClientId"])
    mobile = dict(
        idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="mobile", ExplicitAuthFlows=[*PASSWORD_FLOWS, "ALLOW_USER_AUTH"]
        )["UserPoolClient"]
    )
    idp.set_risk_configuration(
        UserPoolId=pool_id,
        ClientId=mobile["ClientId"],
        CompromisedCredentialsRiskConfiguration={"EventFilter": ["SIGN_UP"], "Actions": {"EventAction": "NO_ACTION"}},
    )
    return web, str(second["ClientSecretDescriptor"]["ClientSecretValue"]), mobile


def _ann(idp: Any, pool_id: str, mobile: dict[str, Any]) -> pyotp.TOTP:
    """Attributes and aliases, two groups, two earlier passwords, and TOTP as her preferred MFA."""
    attributes = {"email": "ann@example.com", "email_verified": "true", "preferred_username": "annie"}
    _user(idp, pool_id, "ann", **attributes, **{"custom:tier": "gold"})
    for group in ("admins", "staff"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="ann", GroupName=group)
    access = password_sign_in(idp, mobile, "ann")["AuthenticationResult"]["AccessToken"]
    idp.change_password(AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    idp.change_password(AccessToken=access, PreviousPassword=NEW_PASSWORD, ProposedPassword=ANN_PASSWORD)
    totp = pyotp.TOTP(idp.associate_software_token(AccessToken=access)["SecretCode"])
    idp.verify_software_token(AccessToken=access, UserCode=totp.now(), FriendlyDeviceName="phone")
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return totp


def _dave(idp: Any, pool_id: str, mobile: dict[str, Any]) -> Held:
    """A device confirmed (and so remembered) after an SRP sign-in, and a wrong password since."""
    _user(idp, pool_id, "dave")
    tokens = device_srp(idp, pool_id, mobile, "dave").authenticate_user()["AuthenticationResult"]
    meta = tokens["NewDeviceMetadata"]
    device_password, config = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    idp.confirm_device(
        AccessToken=tokens["AccessToken"],
        DeviceKey=meta["DeviceKey"],
        DeviceName="laptop",
        DeviceSecretVerifierConfig=config,
    )
    try:
        password_sign_in(idp, mobile, "dave", "Not-The-Password-1")
    except idp.exceptions.NotAuthorizedException:
        pass
    return Held(meta["DeviceKey"], meta["DeviceGroupKey"], device_password)


def _erin(idp: Any, pool_id: str, mobile: dict[str, Any]) -> SoftwareAuthenticator:
    _user(idp, pool_id, "erin", email="erin@example.com")
    access = password_sign_in(idp, mobile, "erin")["AuthenticationResult"]["AccessToken"]
    authenticator = SoftwareAuthenticator()
    options = idp.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=access, Credential=authenticator.register(options))
    return authenticator


def build(server: Any) -> RichPool:
    idp = server.client()
    pool_id = _configure(idp)
    web, second_secret, mobile = _clients(idp, pool_id)
    totp = _ann(idp, pool_id, mobile)
    device = _dave(idp, pool_id, mobile)
    passkey = _erin(idp, pool_id, mobile)
    idp.admin_create_user(
        UserPoolId=pool_id, Username="bob", TemporaryPassword=TEMPORARY_PASSWORD, MessageAction="SUPPRESS"
    )
    _user(idp, pool_id, "carol")
    idp.admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "carol"},
        SourceUser={
            "ProviderName": "Google",
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": "g-1",
        },
    )
    idp.admin_disable_user(UserPoolId=pool_id, Username="carol")
    subs = {
        u["Username"]: next(a["Value"] for a in u["Attributes"] if a["Name"] == "sub")
        for u in idp.list_users(UserPoolId=pool_id)["Users"]
    }
    before = password_sign_in(idp, web, "erin")["AuthenticationResult"]
    call = Ctx(
        deps=server.runtime.deps,
        request_id="rotate",
        now=server.runtime.deps.clock.now(),
        region=server.settings.region,
    )
    rotate_signing_keys(call, pool_id)
    after = password_sign_in(idp, web, "erin", secret=second_secret)["AuthenticationResult"]
    return RichPool(pool_id, web, second_secret, mobile, totp, device, passkey, subs, before, after)
