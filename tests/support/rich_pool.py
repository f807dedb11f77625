"""A pool with something of everything a pool export carries, made through boto3 (tests/api/test_pool_export.py):
its configuration's every document member, app clients with two secrets and none, a domain, a resource server,
identity providers with secrets, a SAML encryption key, OIDC endpoints discovered from the issuer and an ACR
mapping, the SAML signing key, UI customization, risk configurations, groups, and users with password history,
TOTP, an authenticator associated and not yet verified, a remembered device, a passkey used to sign in, linked
identities (social and SAML), a temporary password, a disabled account, a failed sign-in, a lockout and a
password that no longer signs its user in, and a federated user whose identity is disabled and whose SAML
assertion the pool keeps against replay; and tokens issued before and after a key rotation.

The server it is built on calls identity providers over http on loopback (FederationSettings
allow_http_idp_urls) and runs on a MovableClock (fred's failed sign-ins are made in the past, each once the lock
before it has ended, rather than waiting his locks out); a SAML identity provider (pysaml2's) runs beside it."""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pyotp
from pycognito.aws_srp import AWSSRP, generate_hash_device

from tests.federation.saml_idps import OID_EMAIL, SamlIdp
from tests.oauth.conftest import MovableClock
from tests.support.auth import PASSWORD, sdk_secret_hash
from tests.support.documents import serving_documents
from tests.support.errors import fails
from tests.support.passkeys import SoftwareAuthenticator
from tests.support.saml_metadata import REDIRECT, certificate, metadata
from userpool.context import Ctx
from userpool.model.lockout import IN_FLIGHT_SECONDS, LOCKED_MESSAGE, lock_seconds
from userpool.model.saml_service_provider import sp_entity_id
from userpool.services.tokens.steps.signing_keys import rotate_signing_keys

NEW_PASSWORD = "Battery-Staple-7"
ANN_PASSWORD = "Third-Password-3"  # ann's, after PASSWORD and NEW_PASSWORD
TEMPORARY_PASSWORD = "Temporary-Pass-1"
DOMAIN = "moving-pool"
API = "https://api.example.com"
CALLBACK = "https://app.example.com/callback"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:userpool-notifications"
GOOGLE = {"client_id": "1.apps.googleusercontent.com", "client_secret": "google-secret", "authorize_scopes": "email"}
PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ACR = {"Level1": "urn:example:acr:password", "Level2": "urn:example:acr:mfa"}
WRONG_PASSWORD = "Not-The-Password-1"
# fred's wrong passwords in a row: the fourteenth locks him for 512 s (the lock doubles with every failure after
# the fifth), which is still in force when the tests of the moved pool sign him in.
LOCKOUT_FAILURES = 14


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
    pending_totp: pyotp.TOTP  # dave's, associated and not verified yet
    device: Held  # dave's remembered device
    passkey: SoftwareAuthenticator  # erin's
    sso_response: dict[str, str]  # the form alice's identity provider posted to the pool, its assertion used
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


def passkey_sign_in(
    idp: Any, client: dict[str, Any], username: str, passkey: SoftwareAuthenticator, count: int | None = None
) -> Any:
    """A USER_AUTH sign-in by the user's passkey (reporting ``count`` as its signature counter when given): the
    authentication result."""
    step = idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    options = json.loads(step["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    answer = {"USERNAME": username, "CREDENTIAL": passkey.assertion(options, count=count)}
    return idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="WEB_AUTHN", Session=step["Session"], ChallengeResponses=answer
    )["AuthenticationResult"]


def device_srp(
    idp: Any, pool_id: str, client: dict[str, Any], username: str, held: Held | None = None, password: str = PASSWORD
) -> AWSSRP:
    device = {"device_key": held.key, "device_group_key": held.group, "device_password": held.password} if held else {}
    return AWSSRP(username, password, pool_id, client["ClientId"], client=idp, **device)


def _configure(idp: Any, sso: SamlIdp) -> str:
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
    # One that signs users in at the pool, and may do so unasked (IdP-initiated).
    idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Sso",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": sso.metadata, "IDPInit": "true"},
        AttributeMapping={"email": OID_EMAIL},
    )
    # Given only its issuer, an OIDC provider's endpoints are discovered from it and kept.
    with serving_documents() as documents:
        issuer = documents.discovery("/oidc")
        idp.create_identity_provider(
            UserPoolId=pool_id,
            ProviderName="Partner",
            ProviderType="OIDC",
            ProviderDetails={
                "client_id": "userpool",
                "client_secret": "partner-secret",
                "authorize_scopes": "openid email",
                "oidc_issuer": issuer,
            },
            AttributeMapping={"email": "email"},
            AcrMapping=ACR,
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
            CallbackURLs=[CALLBACK],
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


def _dave(idp: Any, pool_id: str, mobile: dict[str, Any]) -> tuple[Held, pyotp.TOTP]:
    """A device confirmed (and so remembered) after an SRP sign-in, an authenticator he has not verified yet, and
    a wrong password since."""
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
    pending = pyotp.TOTP(idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"])
    try:
        password_sign_in(idp, mobile, "dave", WRONG_PASSWORD)
    except idp.exceptions.NotAuthorizedException:
        pass
    return Held(meta["DeviceKey"], meta["DeviceGroupKey"], device_password), pending


def _erin(idp: Any, pool_id: str, mobile: dict[str, Any]) -> SoftwareAuthenticator:
    _user(idp, pool_id, "erin", email="erin@example.com")
    access = password_sign_in(idp, mobile, "erin")["AuthenticationResult"]["AccessToken"]
    authenticator = SoftwareAuthenticator()
    options = idp.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=access, Credential=authenticator.register(options))
    # Signed in with it once: its signature counter and time of last use are set.
    passkey_sign_in(idp, mobile, "erin", authenticator)
    return authenticator


def _fred(idp: Any, pool_id: str, mobile: dict[str, Any], clock: MovableClock) -> None:
    """Locked out by wrong passwords, the lock in force when the pool moves. His last failure is made
    IN_FLIGHT_SECONDS in the past, so that his sign-ins are refused for the lock alone, not for an attempt that
    might still be being verified."""
    _user(idp, pool_id, "fred")
    locks = [lock_seconds(failure) for failure in range(1, LOCKOUT_FAILURES)]
    clock.offset = -(sum(locks) + IN_FLIGHT_SECONDS)
    for lock in [*locks, 0.0]:
        refused = fails(lambda: password_sign_in(idp, mobile, "fred", WRONG_PASSWORD))
        assert refused == ("NotAuthorizedException", "Incorrect username or password."), refused
        clock.offset += lock
    clock.offset = 0.0
    refused = fails(lambda: password_sign_in(idp, mobile, "fred"))
    assert refused == ("NotAuthorizedException", LOCKED_MESSAGE), refused


def _alice(server: Any, pool_id: str, sso: SamlIdp) -> dict[str, str]:
    """alice signs in at her identity provider and goes from there to its application (IdP-initiated SAML): she
    becomes a federated user, and the pool keeps her assertion against replay. Then her identity is disabled
    (AdminDisableProviderForUser), which her provider cannot sign her in with any more. The form her browser
    posted."""
    # An app client of a provider that signs users in unasked has no other providers.
    intranet = server.client().create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="intranet",
        AllowedOAuthFlows=["code"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["Sso"],
    )["UserPoolClient"]
    metadata = server.test_client.get("/saml2/metadata", params={"user_pool_id": pool_id, "identity_provider": "Sso"})
    sso.trust(metadata.text)
    relay = urlencode(
        {
            "identity_provider": "Sso",
            "client_id": intranet["ClientId"],
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "openid email",
        }
    )
    post = sso.idp_initiated(sp_entity_id(pool_id), relay)
    landed = server.test_client.post(post.action, data=dict(post.fields), follow_redirects=False)
    assert landed.headers["location"].startswith(f"{CALLBACK}?code="), landed.headers
    server.client().admin_disable_provider_for_user(
        UserPoolId=pool_id,
        User={"ProviderName": "Sso", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "alice"},
    )
    return dict(post.fields)


def _link(idp: Any, pool_id: str, username: str, provider: str, subject: str) -> None:
    """Link ``username`` to the identity ``subject`` of ``provider``."""
    idp.admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": username},
        SourceUser={
            "ProviderName": provider,
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": subject,
        },
    )


def build(server: Any, clock: MovableClock, sso: SamlIdp) -> RichPool:
    """The rich pool, on ``server`` that runs on ``clock`` and may call identity providers on loopback, with
    ``sso`` for alice's identity provider."""
    idp = server.client()
    pool_id = _configure(idp, sso)
    web, second_secret, mobile = _clients(idp, pool_id)
    totp = _ann(idp, pool_id, mobile)
    device, pending_totp = _dave(idp, pool_id, mobile)
    passkey = _erin(idp, pool_id, mobile)
    _fred(idp, pool_id, mobile, clock)
    sso_response = _alice(server, pool_id, sso)
    idp.admin_create_user(
        UserPoolId=pool_id, Username="bob", TemporaryPassword=TEMPORARY_PASSWORD, MessageAction="SUPPRESS"
    )
    _user(idp, pool_id, "carol")
    _link(idp, pool_id, "carol", "Google", "g-1")
    # A SAML identity too: unlike a social one, it is known by its provider's entity ID (its issuer).
    _link(idp, pool_id, "carol", "Corp", "carol@corp.example")
    idp.admin_disable_user(UserPoolId=pool_id, Username="carol")
    # gus signs in with Google only: his password no longer does.
    _user(idp, pool_id, "gus")
    _link(idp, pool_id, "gus", "Google", "g-2")
    idp.admin_disable_provider_for_user(
        UserPoolId=pool_id,
        User={"ProviderName": "Cognito", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "gus"},
    )
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
    return RichPool(
        pool_id, web, second_secret, mobile, totp, pending_totp, device, passkey, sso_response, subs, before, after
    )
