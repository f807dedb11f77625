"""What CreateIdentityProvider and UpdateIdentityProvider refuse, through boto3: names, ProviderDetails of each
type, provider URLs, SAML metadata, AttributeMapping, IdpIdentifiers and AcrMapping. Every refusal is an
InvalidParameterException and leaves nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.test_identity_providers import APPLE_DETAILS, FACEBOOK_DETAILS, GOOGLE_DETAILS, OIDC_DETAILS, create
from tests.conftest import make_settings, running_server
from tests.support.errors import fails
from tests.support.saml_metadata import POST, REDIRECT, certificate, metadata
from userpool.config import FederationSettings


def refused(idp: Any, pool_id: str, name: str, provider_type: str, details: dict[str, str], **more: Any) -> str:
    """The message of the InvalidParameterException CreateIdentityProvider answers; nothing is created."""
    code, message = fails(
        idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName=name,
        ProviderType=provider_type,
        ProviderDetails=details,
        **more,
    )
    assert code == "InvalidParameterException", message
    assert idp.list_identity_providers(UserPoolId=pool_id)["Providers"] == []
    return message


@pytest.mark.parametrize(
    ("name", "provider_type"),
    [
        ("google", "Google"),  # a social provider is named after its type, exactly
        ("MyGoogle", "Google"),
        ("Facebook", "OIDC"),  # and no other provider takes a social type's name
        ("COGNITO", "OIDC"),
        ("Cognito", "OIDC"),
        ("ab", "OIDC"),  # ProviderNameTypeV2: at least three characters,
        ("a b c", "OIDC"),  # no white space,
        ("_abc", "OIDC"),  # "_" only second
        ("ab_c", "OIDC"),
    ],
)
def test_create_identity_provider__refuses_the_name(idp: Any, pool_id: str, name: str, provider_type: str) -> None:
    details = GOOGLE_DETAILS if provider_type == "Google" else OIDC_DETAILS
    refused(idp, pool_id, name, provider_type, details)


def test_create_identity_provider__accepts_names_cognito_accepts(idp: Any, pool_id: str) -> None:
    for name in ("a_b", "Corp-IdP.1", "Ädfs✓", "x" * 32):
        assert create(idp, pool_id, name, "OIDC", OIDC_DETAILS)["ProviderName"] == name


@pytest.mark.parametrize(
    ("provider_type", "details", "phrase"),
    [
        ("Google", {**GOOGLE_DETAILS, "team_id": "T"}, "team_id is not a ProviderDetails key"),
        ("Google", {"client_id": "c", "authorize_scopes": "openid"}, "client_secret is required"),
        ("Google", {**GOOGLE_DETAILS, "client_id": ""}, "client_id is required"),
        ("Google", {**GOOGLE_DETAILS, "authorize_scopes": "email,openid"}, "separated by single spaces"),
        ("Google", {**GOOGLE_DETAILS, "authorize_scopes": "email  openid"}, "separated by single spaces"),
        ("Facebook", {**FACEBOOK_DETAILS, "authorize_scopes": "public_profile email"}, "separated by commas"),
        ("Facebook", {**FACEBOOK_DETAILS, "api_version": "17"}, "api_version"),
        ("SignInWithApple", {k: v for k, v in APPLE_DETAILS.items() if k != "private_key"}, "private_key is required"),
        ("OIDC", {**OIDC_DETAILS, "authorize_scopes": "email profile"}, "must include openid"),
        ("OIDC", {**OIDC_DETAILS, "attributes_request_method": "PUT"}, "GET or POST"),
        ("OIDC", {k: v for k, v in OIDC_DETAILS.items() if k != "oidc_issuer"}, "oidc_issuer is required"),
        ("OIDC", {**OIDC_DETAILS, "MetadataURL": "https://idp.example.com/md"}, "MetadataURL is not a ProviderDetails"),
        ("SAML", {"IDPSignout": "true"}, "exactly one of MetadataURL and MetadataFile"),
        ("SAML", {"MetadataFile": metadata(), "MetadataURL": "https://x.example/md"}, "exactly one"),
        ("SAML", {"MetadataFile": metadata(), "IDPInit": "yes"}, "IDPInit must be true or false"),
        ("SAML", {"MetadataFile": metadata(), "RequestSigningAlgorithm": "rsa-sha1"}, "rsa-sha256"),
    ],
)
def test_create_identity_provider__refuses_provider_details(
    idp: Any, pool_id: str, provider_type: str, details: dict[str, str], phrase: str
) -> None:
    name = "Corp" if provider_type in ("OIDC", "SAML") else provider_type
    assert phrase in refused(idp, pool_id, name, provider_type, details)


@pytest.mark.parametrize(
    "url",
    [
        "http://idp.example.com",  # https only
        "https://idp.example.com:8443",  # on port 443
        "https://user:pw@idp.example.com",
        "http://127.0.0.1:4400",  # loopback too, unless the server allows it
        "not a url",
    ],
)
def test_create_identity_provider__refuses_provider_urls(idp: Any, pool_id: str, url: str) -> None:
    assert "oidc_issuer" in refused(idp, pool_id, "Corp", "OIDC", {**OIDC_DETAILS, "oidc_issuer": url})
    assert "token_url" in refused(idp, pool_id, "Corp", "OIDC", {**OIDC_DETAILS, "token_url": url})
    sso = metadata(sso={REDIRECT: url})
    assert "SingleSignOnService" in refused(idp, pool_id, "Corp", "SAML", {"MetadataFile": sso})


def test_create_identity_provider__http_urls_only_for_local_hosts_when_allowed(
    tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path / "data", database_url, federation=FederationSettings(allow_http_idp_urls=True))
    with running_server(settings) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="local")["UserPool"]["Id"]
        local = {k: v.replace("https://idp.example.com", "http://127.0.0.1:4400") for k, v in OIDC_DETAILS.items()}
        assert (
            create(idp, pool_id, "Local", "OIDC", local)["ProviderDetails"]["token_url"]
            == "http://127.0.0.1:4400/token"
        )
        document = metadata(sso={REDIRECT: "http://localhost:4600/sso/redirect"})
        saml = create(idp, pool_id, "Local-SAML", "SAML", {"MetadataFile": document})
        assert saml["ProviderDetails"]["SSORedirectBindingURI"] == "http://localhost:4600/sso/redirect"
        public = {**OIDC_DETAILS, "oidc_issuer": "http://idp.example.com:8080"}
        code, _ = fails(
            idp.create_identity_provider,
            UserPoolId=pool_id,
            ProviderName="Public",
            ProviderType="OIDC",
            ProviderDetails=public,
        )
        assert code == "InvalidParameterException"


def _billion_laughs() -> str:
    chain = zip("abcde", "bcdef", strict=True)
    entities = '<!ENTITY a "ha">' + "".join(f'<!ENTITY {c} "&{p};&{p};&{p};">' for p, c in chain)
    return f'<?xml version="1.0"?><!DOCTYPE md [{entities}]><md>&f;</md>'


@pytest.mark.parametrize(
    ("document", "phrase"),
    [
        ("not xml at all", "not well-formed"),
        (_billion_laughs(), "without a DTD"),
        ('<x xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>', "not an EntityDescriptor"),
        (metadata(entity_id=""), "no entityID"),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e">'
            "<md:SPSSODescriptor/></md:EntityDescriptor>",
            "no IDPSSODescriptor",
        ),
        (metadata(sso={POST: "https://idp.example.com/sso"}), "HTTP-Redirect binding"),
        (metadata(certificates=()), "no signing certificate"),
        (metadata(certificates=(certificate(), certificate(expired=True))), "expired"),
        (metadata(certificates=("bm90IGEgY2VydGlmaWNhdGU=",)), "not an X.509 certificate"),
        (metadata(certificates=("A" * 4100,)), "longer than 4096"),
    ],
)
def test_create_identity_provider__refuses_saml_metadata(idp: Any, pool_id: str, document: str, phrase: str) -> None:
    message = refused(idp, pool_id, "Corp", "SAML", {"MetadataFile": document})
    assert message.startswith("Invalid SAML metadata") and phrase in message


@pytest.mark.parametrize(
    ("provider_type", "mapping", "phrase"),
    [
        ("OIDC", {"sub": "sub"}, "cannot be mapped"),
        ("OIDC", {"identities": "identities"}, "cannot be mapped"),
        ("OIDC", {"custom:team": "team"}, "not an attribute of user pool"),  # not defined in the pool
        ("OIDC", {"favourite_colour": "colour"}, "not an attribute of user pool"),
        ("OIDC", {"email": ""}, "mapped to no provider attribute"),
        ("Google", {"username": "email"}, "can only be mapped to sub"),
        ("Facebook", {"username": "sub"}, "can only be mapped to id"),
    ],
)
def test_create_identity_provider__refuses_attribute_mapping(
    idp: Any, pool_id: str, provider_type: str, mapping: dict[str, str], phrase: str
) -> None:
    details = {"OIDC": OIDC_DETAILS, "Google": GOOGLE_DETAILS, "Facebook": FACEBOOK_DETAILS}[provider_type]
    name = "Corp" if provider_type == "OIDC" else provider_type
    assert phrase in refused(idp, pool_id, name, provider_type, details, AttributeMapping=mapping)


def test_create_identity_provider__maps_to_pool_attributes(idp: Any) -> None:
    pool_id = idp.create_user_pool(
        PoolName="custom", Schema=[{"Name": "team", "AttributeDataType": "String", "Mutable": True}]
    )["UserPool"]["Id"]
    mapping = {"custom:team": "team", "email_verified": "email_verified", "username": "preferred_username"}
    created = create(idp, pool_id, "Corp", "OIDC", OIDC_DETAILS, AttributeMapping=mapping)
    assert created["AttributeMapping"] == mapping  # an OIDC provider's username may come from another claim
    google = create(idp, pool_id, "Google", "Google", GOOGLE_DETAILS, AttributeMapping={"username": "sub"})
    assert google["AttributeMapping"] == {"username": "sub"}


def test_create_identity_provider__refuses_identifiers_and_acr_mapping(idp: Any, pool_id: str) -> None:
    message = refused(idp, pool_id, "Corp", "OIDC", OIDC_DETAILS, IdpIdentifiers=["a.example", "a.example"])
    assert "twice" in message
    code, message = fails(
        idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
        IdpIdentifiers=["no/slash"],
    )
    assert code == "InvalidParameterException" and "idpIdentifiers" in message  # the model's pattern
    message = refused(idp, pool_id, "Google", "Google", GOOGLE_DETAILS, AcrMapping={"Level1": "urn:acr:1"})
    assert "Only OIDC" in message


def test_create_identity_provider__ignores_derived_keys_sent(idp: Any, pool_id: str) -> None:
    """Keys a response derives are read-only: sent in a request they are ignored, never refused or kept."""
    google = create(
        idp,
        pool_id,
        "Google",
        "Google",
        {**GOOGLE_DETAILS, "authorize_url": "https://evil.example/auth", "attributes_url_add_attributes": "false"},
    )
    assert google["ProviderDetails"]["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert google["ProviderDetails"]["attributes_url_add_attributes"] == "true"
    saml = create(
        idp,
        pool_id,
        "Corp-SAML",
        "SAML",
        {"MetadataFile": metadata(), "SSORedirectBindingURI": "https://evil.example/sso"},
    )
    assert saml["ProviderDetails"]["SSORedirectBindingURI"] == "https://idp.example.com/sso/redirect"


def test_update_identity_provider__refusal_keeps_the_provider(idp: Any, pool_id: str) -> None:
    created = create(idp, pool_id, "Corp", "OIDC", OIDC_DETAILS, IdpIdentifiers=["corp.example"])
    for change in (
        {"ProviderDetails": {**OIDC_DETAILS, "authorize_scopes": "email"}},
        {"ProviderDetails": {**OIDC_DETAILS, "token_url": "http://idp.example.com/token"}},
        {"AttributeMapping": {"sub": "sub"}},
        {"AcrMapping": {"Level1": "a", "Level2": "b"}, "IdpIdentifiers": ["x", "x"]},
    ):
        code, _ = fails(idp.update_identity_provider, UserPoolId=pool_id, ProviderName="Corp", **change)
        assert code == "InvalidParameterException"
    assert idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")["IdentityProvider"] == created
