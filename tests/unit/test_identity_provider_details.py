"""The pure rules of identity-provider records (model/identity_providers.py, model/idp_details.py,
model/saml_metadata.py): what a response shows, what a sign-in reads, what a request may send, and what a
SAML metadata document must hold."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.saml_metadata import POST, REDIRECT, certificate, metadata
from userpool.config import SocialEndpoints
from userpool.errors import InvalidParameterException
from userpool.model.identity_providers import (
    PROVIDER_TYPES,
    EncryptionKey,
    IdentityProvider,
    SamlMetadata,
    derived_keys,
    effective_details,
    sign_in_details,
)
from userpool.model.idp_details import checked_details, missing_oidc_endpoints
from userpool.model.saml_metadata import read_metadata

NONE = SocialEndpoints()


def _provider(provider_type: str, details: dict[str, str], **more: Any) -> IdentityProvider:
    return IdentityProvider("us-east-1_a", provider_type, provider_type, details, {}, (), {}, 1.0, 1.0, **more)


def test_effective_details__apple_hides_the_key_sign_in_keeps_it() -> None:
    apple = _provider("SignInWithApple", {"client_id": "c", "private_key": "KEY", "team_id": "T", "key_id": "K"})
    shown = effective_details(apple, NONE)
    assert "private_key" not in shown and shown["oidc_issuer"] == "https://appleid.apple.com"
    assert list(shown) == sorted(shown)
    inner = sign_in_details(apple, NONE)
    assert inner["private_key"] == "KEY" and inner["jwks_uri"] == "https://appleid.apple.com/auth/keys"


def test_effective_details__replacements_and_google_keys() -> None:
    google = _provider("Google", {"client_id": "c", "client_secret": "s"})
    replaced = SocialEndpoints(token_url="http://127.0.0.1:1/token", jwks_uri="http://127.0.0.1:1/jwks")
    shown = effective_details(google, replaced)
    assert shown["token_url"] == "http://127.0.0.1:1/token" and shown["jwks_uri"] == "http://127.0.0.1:1/jwks"
    assert shown["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert "jwks_uri" not in effective_details(google, NONE)
    assert sign_in_details(google, NONE)["jwks_uri"] == "https://www.googleapis.com/oauth2/v3/certs"


def test_effective_details__oidc_given_endpoints_win_over_discovered() -> None:
    oidc = _provider(
        "OIDC", {"token_url": "https://given/token"}, discovered={"token_url": "https://d/t", "jwks_uri": "https://d/j"}
    )
    shown = effective_details(oidc, NONE)
    assert shown == {
        "attributes_url_add_attributes": "false",
        "jwks_uri": "https://d/j",
        "token_url": "https://given/token",
    }


def test_effective_details__saml_derived_keys() -> None:
    saml = _provider(
        "SAML",
        {"MetadataURL": "https://idp/md"},
        saml=SamlMetadata("e", "https://idp/sso", None, ("c",)),
        encryption_key=EncryptionKey("CERT", "PEM"),
    )
    assert effective_details(saml, NONE) == {
        "ActiveEncryptionCertificate": "CERT",
        "MetadataURL": "https://idp/md",
        "SSORedirectBindingURI": "https://idp/sso",
    }


@pytest.mark.parametrize("provider_type", PROVIDER_TYPES)
def test_checked_details__derived_keys_are_ignored(provider_type: str) -> None:
    """Whatever a response derives for a type may come back in a request: it is dropped, never refused."""
    base = {
        "OIDC": {"client_id": "c", "client_secret": "s", "authorize_scopes": "openid", "oidc_issuer": "https://i"},
        "SAML": {"MetadataFile": "<x/>"},
        "Google": {"client_id": "c", "client_secret": "s", "authorize_scopes": "openid"},
        "Facebook": {"client_id": "c", "client_secret": "s", "authorize_scopes": "email"},
        "LoginWithAmazon": {"client_id": "c", "client_secret": "s", "authorize_scopes": "profile"},
        "SignInWithApple": {
            "client_id": "c",
            "team_id": "t",
            "key_id": "k",
            "private_key": "p",
            "authorize_scopes": "email",
        },
    }[provider_type]
    sent = {**base, **dict.fromkeys(derived_keys(provider_type), "whatever")}
    kept = checked_details(provider_type, sent, None, allow_http=False)
    assert not set(kept) & derived_keys(provider_type)


def test_checked_details__apple_key_kept_only_when_left_out() -> None:
    details = {"client_id": "c", "team_id": "t", "key_id": "k", "authorize_scopes": "email"}
    stored = {**details, "private_key": "OLD"}
    assert checked_details("SignInWithApple", details, stored, False)["private_key"] == "OLD"
    assert checked_details("SignInWithApple", {**details, "private_key": "NEW"}, stored, False)["private_key"] == "NEW"
    with pytest.raises(InvalidParameterException):
        checked_details("SignInWithApple", details, None, False)


def test_missing_oidc_endpoints() -> None:
    assert missing_oidc_endpoints({"token_url": "t", "jwks_uri": ""}) == ("authorize_url", "attributes_url", "jwks_uri")


def test_read_metadata__entities_descriptor_and_unlabelled_keys() -> None:
    one = certificate("one")
    inner = metadata(certificates=(one, one), sso={POST: "https://idp/post", REDIRECT: "https://idp/redirect"})
    inner = inner.replace('use="signing"', "").split("?>", 1)[1]
    document = f'<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">{inner}</EntitiesDescriptor>'
    found = read_metadata(document, time.time(), allow_http=False)
    assert found.entity_id == "https://idp.example.com/metadata"
    assert found.sso_redirect_url == "https://idp/redirect"
    assert found.signing_certificates == (one,)  # listed twice, kept once
    assert found.slo_redirect_url == "https://idp.example.com/slo/redirect"


def test_read_metadata__encryption_keys_do_not_count_as_signing() -> None:
    document = metadata(certificates=(), encryption_certificate=certificate())
    with pytest.raises(InvalidParameterException, match="no signing certificate"):
        read_metadata(document, time.time(), allow_http=False)
