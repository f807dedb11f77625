"""Identity providers through boto3: CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
DeleteIdentityProvider, ListIdentityProviders and GetIdentityProviderByIdentifier for every provider type,
the ProviderDetails Cognito derives, and what providers mean for app clients' SupportedIdentityProviders.
The rules each request must follow are in test_identity_provider_rules.py."""

from __future__ import annotations

import base64
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings, running_server
from tests.support.bridge import socket_client
from tests.support.errors import fails
from tests.support.saml_metadata import REDIRECT, certificate, metadata
from userpool.config import FederationSettings, SocialEndpoints

OIDC_DETAILS = {
    "client_id": "userpool-rp",
    "client_secret": "s3cr3t",
    "authorize_scopes": "openid email profile",
    "attributes_request_method": "GET",
    "oidc_issuer": "https://idp.example.com",
    "authorize_url": "https://idp.example.com/authorize",
    "token_url": "https://idp.example.com/token",
    "attributes_url": "https://idp.example.com/userinfo",
    "jwks_uri": "https://idp.example.com/jwks",
}
GOOGLE_DETAILS = {"client_id": "1.apps.googleusercontent.com", "client_secret": "g", "authorize_scopes": "email openid"}
FACEBOOK_DETAILS = {"client_id": "1example", "client_secret": "f", "authorize_scopes": "public_profile, email"}
AMAZON_DETAILS = {"client_id": "amzn1.application-oa2-client.1", "client_secret": "a", "authorize_scopes": "profile"}
APPLE_KEY = "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n-----END PRIVATE KEY-----"
APPLE_DETAILS = {
    "client_id": "com.example.cognito",
    "team_id": "TEAM123456",
    "key_id": "KEY1234567",
    "private_key": APPLE_KEY,
    "authorize_scopes": "email name",
}

GOOGLE_DERIVED = {
    "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
    "attributes_url_add_attributes": "true",
    "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
    "oidc_issuer": "https://accounts.google.com",
    "token_request_method": "POST",
    "token_url": "https://www.googleapis.com/oauth2/v4/token",
}
AMAZON_DERIVED = {
    "attributes_url": "https://api.amazon.com/user/profile",
    "attributes_url_add_attributes": "false",
    "authorize_url": "https://www.amazon.com/ap/oa",
    "token_request_method": "POST",
    "token_url": "https://api.amazon.com/auth/o2/token",
}
APPLE_DERIVED = {
    "attributes_url_add_attributes": "false",
    "authorize_url": "https://appleid.apple.com/auth/authorize",
    "oidc_issuer": "https://appleid.apple.com",
    "token_request_method": "POST",
    "token_url": "https://appleid.apple.com/auth/token",
}


def create(idp: Any, pool_id: str, name: str, provider_type: str, details: dict[str, str], **more: Any) -> Any:
    response = idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName=name, ProviderType=provider_type, ProviderDetails=details, **more
    )
    return response["IdentityProvider"]


def describe(idp: Any, pool_id: str, name: str) -> Any:
    return idp.describe_identity_provider(UserPoolId=pool_id, ProviderName=name)["IdentityProvider"]


def _without_dates(provider: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in provider.items() if k not in ("CreationDate", "LastModifiedDate")}


def test_create_identity_provider__oidc_with_endpoints_round_trips(idp: Any, pool_id: str) -> None:
    created = create(
        idp,
        pool_id,
        "Corp",
        "OIDC",
        OIDC_DETAILS,
        AttributeMapping={"email": "email", "email_verified": "email_verified"},
        IdpIdentifiers=["example.com", "Corp Login"],
        AcrMapping={"Level1": "urn:acr:password", "Level2": "urn:acr:mfa"},
    )
    expected = {
        "UserPoolId": pool_id,
        "ProviderName": "Corp",
        "ProviderType": "OIDC",
        "ProviderDetails": {**OIDC_DETAILS, "attributes_url_add_attributes": "false"},
        "AttributeMapping": {"email": "email", "email_verified": "email_verified", "username": "sub"},
        "IdpIdentifiers": ["example.com", "Corp Login"],
        "AcrMapping": {"Level1": "urn:acr:password", "Level2": "urn:acr:mfa"},
    }
    assert _without_dates(created) == expected
    assert created["CreationDate"] == created["LastModifiedDate"]
    described = describe(idp, pool_id, "Corp")
    assert described == created
    by_identifier = idp.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="Corp Login")
    assert by_identifier["IdentityProvider"] == created


def test_create_identity_provider__social_providers_show_their_fixed_endpoints(idp: Any, pool_id: str) -> None:
    google = create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS)
    assert google["ProviderDetails"] == {**GOOGLE_DETAILS, **GOOGLE_DERIVED}
    assert google["AttributeMapping"] == {"username": "sub"}
    amazon = create(idp, pool_id, "LoginWithAmazon", "LoginWithAmazon", AMAZON_DETAILS)
    assert amazon["ProviderDetails"] == {**AMAZON_DETAILS, **AMAZON_DERIVED}
    assert amazon["AttributeMapping"] == {"username": "user_id"}
    facebook = create(idp, pool_id, "Facebook", "Facebook", {**FACEBOOK_DETAILS, "api_version": "v17.0"})
    assert facebook["ProviderDetails"] == {
        **FACEBOOK_DETAILS,
        "api_version": "v17.0",
        "attributes_url": "https://graph.facebook.com/v17.0/me?fields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://www.facebook.com/v17.0/dialog/oauth",
        "token_request_method": "GET",
        "token_url": "https://graph.facebook.com/v17.0/oauth/access_token",
    }
    assert facebook["AttributeMapping"] == {"username": "id"}
    for found in (google, amazon, facebook):
        assert describe(idp, pool_id, found["ProviderName"]) == found


def test_describe_identity_provider__apple_private_key_never_returned(
    app_server: Server, idp: Any, pool_id: str
) -> None:
    created = create(idp, pool_id, "SignInWithApple", "SignInWithApple", APPLE_DETAILS)
    shown = {k: v for k, v in APPLE_DETAILS.items() if k != "private_key"}
    assert created["ProviderDetails"] == {**shown, **APPLE_DERIVED}
    assert describe(idp, pool_id, "SignInWithApple") == created
    # Describe's output sent back: the key it leaves out stays stored.
    updated = idp.update_identity_provider(
        UserPoolId=pool_id,
        ProviderName="SignInWithApple",
        ProviderDetails={**created["ProviderDetails"], "authorize_scopes": "email"},
    )["IdentityProvider"]
    assert "private_key" not in updated["ProviderDetails"]
    assert updated["ProviderDetails"]["authorize_scopes"] == "email"
    with app_server.runtime.store.read() as tx:
        stored = tx.identity_providers.get(pool_id, "SignInWithApple")
    assert stored is not None and stored.details["private_key"] == APPLE_KEY
    new_key = APPLE_KEY.replace("BHkwdwIBAQQg", "BHkwdwIBAQQgRotated")
    idp.update_identity_provider(
        UserPoolId=pool_id, ProviderName="SignInWithApple", ProviderDetails={**APPLE_DETAILS, "private_key": new_key}
    )
    with app_server.runtime.store.read() as tx:
        stored = tx.identity_providers.get(pool_id, "SignInWithApple")
    assert stored is not None and stored.details["private_key"] == new_key


def test_describe_identity_provider__server_replaces_social_endpoints(tmp_path: Path, database_url: str) -> None:
    replaced = SocialEndpoints(
        authorize_url="http://127.0.0.1:4400/auth",
        token_url="http://127.0.0.1:4400/token",
        oidc_issuer="http://127.0.0.1:4400",
        jwks_uri="http://127.0.0.1:4400/jwks",
    )
    facebook = SocialEndpoints(token_url="http://127.0.0.1:4500/token", token_request_method="POST")
    federation = FederationSettings(social_endpoints={"Google": replaced, "Facebook": facebook})
    with running_server(make_settings(tmp_path / "data", database_url, federation=federation)) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="replaced")["UserPool"]["Id"]
        google = create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS)
        assert google["ProviderDetails"] == {
            **GOOGLE_DETAILS,
            **GOOGLE_DERIVED,
            "authorize_url": "http://127.0.0.1:4400/auth",
            "token_url": "http://127.0.0.1:4400/token",
            "oidc_issuer": "http://127.0.0.1:4400",
            "jwks_uri": "http://127.0.0.1:4400/jwks",
        }
        fb = create(idp, pool_id, "Facebook", "Facebook", FACEBOOK_DETAILS)["ProviderDetails"]
        assert fb["token_url"] == "http://127.0.0.1:4500/token" and fb["token_request_method"] == "POST"
        assert fb["authorize_url"] == "https://www.facebook.com/dialog/oauth"  # not replaced: AWS's
        amazon = create(idp, pool_id, "LoginWithAmazon", "LoginWithAmazon", AMAZON_DETAILS)
        assert amazon["ProviderDetails"] == {**AMAZON_DETAILS, **AMAZON_DERIVED}


def test_update_identity_provider__describe_output_round_trips(idp: Any, pool_id: str) -> None:
    """What Terraform and the CLI do: read a provider, change one thing, send everything back."""
    for name, provider_type, details in (
        ("Google", "Google", GOOGLE_DETAILS),
        ("Facebook", "Facebook", FACEBOOK_DETAILS),
        ("LoginWithAmazon", "LoginWithAmazon", AMAZON_DETAILS),
        ("Corp", "OIDC", OIDC_DETAILS),
        ("Saml-IdP", "SAML", {"MetadataFile": metadata(), "IDPSignout": "true"}),
    ):
        created = create(idp, pool_id, name, provider_type, details, AttributeMapping={"email": "email"})
        changed_mapping = {**created["AttributeMapping"], "given_name": "given_name"}
        updated = idp.update_identity_provider(
            UserPoolId=pool_id,
            ProviderName=name,
            ProviderDetails=created["ProviderDetails"],
            AttributeMapping=changed_mapping,
            IdpIdentifiers=[f"{name.lower()}.example"],
        )["IdentityProvider"]
        assert updated["ProviderDetails"] == created["ProviderDetails"]
        assert updated["AttributeMapping"] == changed_mapping
        assert updated["IdpIdentifiers"] == [f"{name.lower()}.example"]
        assert updated["CreationDate"] == created["CreationDate"]
        assert updated["LastModifiedDate"] >= created["LastModifiedDate"]
        assert describe(idp, pool_id, name) == updated


def test_update_identity_provider__members_left_out_stay(idp: Any, pool_id: str) -> None:
    create(idp, pool_id, "Corp", "OIDC", OIDC_DETAILS, AttributeMapping={"email": "email"}, IdpIdentifiers=["a.b"])
    updated = idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp", IdpIdentifiers=[])
    assert updated["IdentityProvider"]["IdpIdentifiers"] == []
    assert updated["IdentityProvider"]["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert updated["IdentityProvider"]["ProviderDetails"]["client_secret"] == "s3cr3t"
    details = {**OIDC_DETAILS, "client_secret": "rotated"}
    del details["attributes_request_method"]  # replaced, not merged: the default comes back
    replaced = idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp", ProviderDetails=details)
    assert replaced["IdentityProvider"]["ProviderDetails"] == {
        **details,
        "attributes_request_method": "GET",
        "attributes_url_add_attributes": "false",
    }
    code, _ = fails(idp.get_identity_provider_by_identifier, UserPoolId=pool_id, IdpIdentifier="a.b")
    assert code == "ResourceNotFoundException"


def test_create_identity_provider__saml_metadata_file(idp: Any, pool_id: str) -> None:
    signing = (certificate("one"), certificate("two"))
    document = metadata(
        sso={REDIRECT: "https://idp.example.com/sso"},
        slo={REDIRECT: "https://idp.example.com/slo"},
        certificates=signing,
        encryption_certificate=certificate("encryption"),
    )
    details = {
        "MetadataFile": document,
        "IDPSignout": "true",
        "RequestSigningAlgorithm": "rsa-sha256",
        "EncryptedResponses": "false",
        "IDPInit": "false",
    }
    created = create(idp, pool_id, "Corp-SAML", "SAML", details, AttributeMapping={"email": "urn:oid:email"})
    shown = dict(created["ProviderDetails"])
    encryption = shown.pop("ActiveEncryptionCertificate")
    assert shown == {
        **details,
        "SSORedirectBindingURI": "https://idp.example.com/sso",
        "SLORedirectBindingURI": "https://idp.example.com/slo",
    }
    assert created["AttributeMapping"] == {"email": "urn:oid:email"}  # the NameID is the subject
    cert = x509.load_der_x509_certificate(base64.b64decode(encryption))
    assert cert.not_valid_after_utc.year - cert.not_valid_before_utc.year >= 9
    assert pool_id in cert.subject.rfc4514_string()
    assert describe(idp, pool_id, "Corp-SAML") == created
    # A new document: endpoints read again, the encryption certificate kept.
    moved = metadata(sso={REDIRECT: "https://idp2.example.com/sso"}, slo={})
    updated = idp.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp-SAML", ProviderDetails={"MetadataFile": moved}
    )["IdentityProvider"]["ProviderDetails"]
    assert updated == {
        "MetadataFile": moved,
        "SSORedirectBindingURI": "https://idp2.example.com/sso",
        "ActiveEncryptionCertificate": encryption,
    }
    other = create(idp, pool_id, "Other-SAML", "SAML", {"MetadataFile": metadata()})
    assert other["ProviderDetails"]["ActiveEncryptionCertificate"] != encryption  # one key per provider


def test_create_identity_provider__duplicate_name_or_identifier(idp: Any, pool_id: str) -> None:
    create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS, IdpIdentifiers=["gmail.com"])
    code, message = fails(
        idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE_DETAILS,
    )
    assert code == "DuplicateProviderException" and "Google" in message
    code, _ = fails(
        idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
        IdpIdentifiers=["corp.example", "gmail.com"],
    )
    assert code == "DuplicateProviderException"
    assert [p["ProviderName"] for p in idp.list_identity_providers(UserPoolId=pool_id)["Providers"]] == ["Google"]
    create(idp, pool_id, "Corp", "OIDC", OIDC_DETAILS, IdpIdentifiers=["corp.example", "GMAIL.com"])  # exact match
    code, _ = fails(idp.update_identity_provider, UserPoolId=pool_id, ProviderName="Corp", IdpIdentifiers=["gmail.com"])
    assert code == "InvalidParameterException"  # UpdateIdentityProvider has no DuplicateProviderException
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    create(idp, other, "Google", "Google", GOOGLE_DETAILS, IdpIdentifiers=["gmail.com"])  # per pool


@pytest.mark.every_database
def test_create_identity_provider__concurrent_duplicates_make_one(live_server: str) -> None:
    callers = 6
    admin = socket_client(live_server, ACCESS_KEY, SECRET_KEY)
    pool_id = admin.create_user_pool(PoolName="race")["UserPool"]["Id"]
    clients = [socket_client(live_server, ACCESS_KEY, SECRET_KEY) for _ in range(callers)]
    document = metadata()
    start = threading.Barrier(callers)

    def attempt(client: Any) -> str:
        start.wait(timeout=60)
        try:
            # SAML: an encryption key is made between the name's check and the insert.
            create(client, pool_id, "Racer", "SAML", {"MetadataFile": document})
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "created"

    try:
        with ThreadPoolExecutor(max_workers=callers) as workers:
            outcomes = Counter(workers.map(attempt, clients))
    finally:
        for client in clients:
            client.close()
    assert outcomes == {"created": 1, "DuplicateProviderException": callers - 1}
    assert len(admin.list_identity_providers(UserPoolId=pool_id)["Providers"]) == 1


def test_create_identity_provider__limit_per_pool(idp: Any, pool_id: str) -> None:
    for i in range(300):
        create(idp, pool_id, f"idp{i:03}", "OIDC", OIDC_DETAILS)
    code, message = fails(
        idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="one-more",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
    )
    assert code == "LimitExceededException" and "300" in message


def test_list_identity_providers__pages_in_name_order(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    create(idp, other, "Elsewhere", "OIDC", OIDC_DETAILS)
    names = ["b-idp", "A-idp", "Google", "a-idp", "Zed"]
    for name in names:
        if name == "Google":
            create(idp, pool_id, name, "Google", GOOGLE_DETAILS)
        else:
            create(idp, pool_id, name, "OIDC", OIDC_DETAILS)
    seen: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 2}
    while True:
        page = idp.list_identity_providers(**kwargs)
        assert len(page["Providers"]) <= 2
        seen += page["Providers"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert [p["ProviderName"] for p in seen] == sorted(names)
    google = next(p for p in seen if p["ProviderName"] == "Google")
    assert set(google) == {"ProviderName", "ProviderType", "LastModifiedDate", "CreationDate"}
    assert google["ProviderType"] == "Google"
    paginated = idp.get_paginator("list_identity_providers").paginate(UserPoolId=pool_id, MaxResults=3)
    assert [p["ProviderName"] for page in paginated for p in page["Providers"]] == sorted(names)
    code, _ = fails(idp.list_identity_providers, UserPoolId=other, MaxResults=2, NextToken=kwargs.get("NextToken", "x"))
    assert code == "InvalidParameterException"
    code, _ = fails(idp.list_identity_providers, UserPoolId="us-east-1_nothere00")
    assert code == "ResourceNotFoundException"


def test_delete_identity_provider__gone_and_withdrawn_from_clients(idp: Any, pool_id: str) -> None:
    create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS, IdpIdentifiers=["gmail.com"])
    create(idp, pool_id, "Corp", "OIDC", OIDC_DETAILS)
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["COGNITO", "Google", "Corp"]
    )["UserPoolClient"]
    only_google = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="google-only", SupportedIdentityProviders=["Google"]
    )["UserPoolClient"]
    assert client["SupportedIdentityProviders"] == ["COGNITO", "Google", "Corp"]
    assert idp.delete_identity_provider(UserPoolId=pool_id, ProviderName="Google") is not None
    code, _ = fails(idp.describe_identity_provider, UserPoolId=pool_id, ProviderName="Google")
    assert code == "ResourceNotFoundException"
    code, _ = fails(idp.get_identity_provider_by_identifier, UserPoolId=pool_id, IdpIdentifier="gmail.com")
    assert code == "ResourceNotFoundException"
    code, _ = fails(idp.delete_identity_provider, UserPoolId=pool_id, ProviderName="Google")
    assert code == "ResourceNotFoundException"
    web = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])["UserPoolClient"]
    assert web["SupportedIdentityProviders"] == ["COGNITO", "Corp"]
    alone = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=only_google["ClientId"])["UserPoolClient"]
    assert "SupportedIdentityProviders" not in alone
    create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS, IdpIdentifiers=["gmail.com"])  # name and id free again


@pytest.mark.parametrize("name", ["COGNITO", "Cognito"])
def test_update_identity_provider__cognito_is_unsupported(idp: Any, pool_id: str, name: str) -> None:
    code, _ = fails(idp.update_identity_provider, UserPoolId=pool_id, ProviderName=name, IdpIdentifiers=[])
    assert code == "UnsupportedIdentityProviderException"
    code, _ = fails(idp.delete_identity_provider, UserPoolId=pool_id, ProviderName=name)
    assert code == "UnsupportedIdentityProviderException"
    code, _ = fails(idp.describe_identity_provider, UserPoolId=pool_id, ProviderName=name)
    assert code == "ResourceNotFoundException"


def test_describe_identity_provider__not_found(idp: Any, pool_id: str) -> None:
    create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS)
    for name in ("google", "Nobody"):
        code, message = fails(idp.describe_identity_provider, UserPoolId=pool_id, ProviderName=name)
        assert code == "ResourceNotFoundException" and name in message
    code, _ = fails(idp.update_identity_provider, UserPoolId=pool_id, ProviderName="Nobody", IdpIdentifiers=[])
    assert code == "ResourceNotFoundException"
    code, _ = fails(idp.describe_identity_provider, UserPoolId="us-east-1_nothere00", ProviderName="Google")
    assert code == "ResourceNotFoundException"
    code, _ = fails(
        idp.create_identity_provider,
        UserPoolId="us-east-1_nothere00",
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE_DETAILS,
    )
    assert code == "ResourceNotFoundException"


def test_create_user_pool_client__supported_identity_providers_must_exist(idp: Any, pool_id: str) -> None:
    create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS)
    for names in (["COGNITO", "google"], ["Facebook"], ["Google", "Corp"]):
        code, message = fails(
            idp.create_user_pool_client, UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=names
        )
        assert code == "InvalidParameterException"
        missing = next(n for n in names if n not in ("COGNITO", "Google"))
        assert message == f"The provider {missing} does not exist for User Pool {pool_id}"
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["Google", "COGNITO"]
    )["UserPoolClient"]
    code, _ = fails(
        idp.update_user_pool_client,
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        SupportedIdentityProviders=["Google", "Corp"],
    )
    assert code == "InvalidParameterException"
    create(idp, pool_id, "Corp", "OIDC", OIDC_DETAILS)
    updated = idp.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"], SupportedIdentityProviders=["Google", "Corp"]
    )["UserPoolClient"]
    assert updated["SupportedIdentityProviders"] == ["Google", "Corp"]


def test_create_user_pool_client__idp_initiated_saml_only_with_saml_providers(idp: Any, pool_id: str) -> None:
    create(idp, pool_id, "Initiated", "SAML", {"MetadataFile": metadata(), "IDPInit": "true"})
    create(idp, pool_id, "Plain-SAML", "SAML", {"MetadataFile": metadata(), "IDPInit": "false"})
    create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS)
    for names in (["Initiated", "COGNITO"], ["Google", "Initiated"]):
        code, message = fails(
            idp.create_user_pool_client, UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=names
        )
        assert code == "InvalidParameterException" and "IdP-initiated" in message
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["Initiated", "Plain-SAML"]
    )["UserPoolClient"]
    assert client["SupportedIdentityProviders"] == ["Initiated", "Plain-SAML"]
    mixed = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="mixed", SupportedIdentityProviders=["Plain-SAML", "Google", "COGNITO"]
    )["UserPoolClient"]
    assert mixed["SupportedIdentityProviders"] == ["Plain-SAML", "Google", "COGNITO"]
