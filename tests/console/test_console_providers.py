"""The console's identity-provider pages against the API: what a form adds or saves is what boto3's
DescribeIdentityProvider shows for the same input; errors are the API's words, next to their field, with the
input kept and no secret shown back; the URLs to register at the provider are the pool's."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_identity_provider_discovery import Documents
from tests.console.conftest import Console, open_console
from tests.support.saml_metadata import REDIRECT, certificate, metadata
from userpool.config import FederationSettings

OIDC_FORM = {
    "provider_name": "Corp",
    "client_id": "userpool-rp",
    "client_secret": "corp-s3cr3t-value",
    "authorize_scopes": "openid email profile",
    "attributes_request_method": "POST",
    "oidc_issuer": "https://idp.example.com",
    "authorize_url": "https://idp.example.com/authorize",
    "token_url": "https://idp.example.com/token",
    "attributes_url": "https://idp.example.com/userinfo",
    "jwks_uri": "https://idp.example.com/jwks",
    "map_attr": ["email", "name", ""],
    "map_claim": ["mail", "display_name", ""],
    "idp_identifiers": "example.com\nCorp Login\n",
}
OIDC_DETAILS = {k: str(OIDC_FORM[k]) for k in ("client_id", "client_secret", "authorize_scopes", "oidc_issuer")} | {
    "attributes_request_method": "POST",
    "authorize_url": "https://idp.example.com/authorize",
    "token_url": "https://idp.example.com/token",
    "attributes_url": "https://idp.example.com/userinfo",
    "jwks_uri": "https://idp.example.com/jwks",
}
APPLE_KEY = "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n-----END PRIVATE KEY-----"


def _shown(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<span class="api-message">(.*?)</span>', page, re.S)]


def _field_errors(page: str, name: str) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(rf'<p class="field-error" id="e-{re.escape(name)}">(.*?)</p>', page, re.S)
    ]


def _api_error(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Message"])


def _describe(console: Console, pool_id: str, name: str) -> dict[str, Any]:
    found = console.idp.describe_identity_provider(UserPoolId=pool_id, ProviderName=name)["IdentityProvider"]
    return {k: v for k, v in found.items() if k not in ("CreationDate", "LastModifiedDate", "UserPoolId")}


def _pool(console: Console, name: str = "federated", **more: Any) -> str:
    schema = [{"Name": "tier", "AttributeDataType": "String", "Mutable": True}]
    return str(console.idp.create_user_pool(PoolName=name, Schema=schema, **more)["UserPool"]["Id"])


def test_create_identity_provider__oidc_form_leaves_what_boto3_creates(signed_in: Console) -> None:
    by_console, by_boto3 = _pool(signed_in), _pool(signed_in, "boto3")
    answer = signed_in.post(f"/console/pools/{by_console}/providers/new?type=OIDC", OIDC_FORM)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/console/pools/{by_console}/provider?name=Corp&notice=provider_created"
    signed_in.idp.create_identity_provider(
        UserPoolId=by_boto3,
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
        AttributeMapping={"email": "mail", "name": "display_name"},
        IdpIdentifiers=["example.com", "Corp Login"],
    )
    described = _describe(signed_in, by_console, "Corp")
    assert described == _describe(signed_in, by_boto3, "Corp")
    assert described["ProviderDetails"] == {**OIDC_DETAILS, "attributes_url_add_attributes": "false"}
    assert described["AttributeMapping"] == {"email": "mail", "name": "display_name", "username": "sub"}
    assert described["IdpIdentifiers"] == ["example.com", "Corp Login"]


def test_describe_identity_provider__page_shows_details_urls_to_register_and_no_secret(signed_in: Console) -> None:
    pool_id = _pool(signed_in)
    signed_in.post(f"/console/pools/{pool_id}/providers/new?type=OIDC", OIDC_FORM)
    page = signed_in.http.get(f"/console/pools/{pool_id}/provider?name=Corp&notice=provider_created")
    assert page.status_code == 200
    assert "Identity provider added." in page.text
    assert "corp-s3cr3t-value" not in page.text
    for shown in ("https://idp.example.com/jwks", "display_name", "Corp Login", "attributes_url_add_attributes"):
        assert shown in page.text
    # No domain: the provider sends users back to the server's own URL.
    assert "http://localhost:9229/oauth2/idpresponse" in page.text
    signed_in.idp.create_user_pool_domain(UserPoolId=pool_id, Domain="corp-login")
    page = signed_in.http.get(f"/console/pools/{pool_id}/provider?name=Corp")
    assert "http://corp-login.localhost:9229/oauth2/idpresponse" in page.text
    assert '<span class="mono">http://localhost:9229/oauth2/idpresponse</span> too' in page.text
    edit = signed_in.http.get(f"/console/pools/{pool_id}/provider/edit?name=Corp")
    assert edit.status_code == 200 and "corp-s3cr3t-value" not in edit.text
    listed = signed_in.http.get(f"/console/pools/{pool_id}/providers")
    assert 'href="/console/pools/' in listed.text and "OpenID Connect (OIDC)" in listed.text and ">Corp<" in listed.text


def test_create_identity_provider__social_forms(signed_in: Console) -> None:
    pool_id = _pool(signed_in)
    base = f"/console/pools/{pool_id}/providers/new?type="
    common = {"client_id": "app-1", "client_secret": "social-secret", "map_attr": ["email"], "map_claim": ["email"]}
    forms = {
        "Google": {**common, "authorize_scopes": "profile email openid"},
        "Facebook": {**common, "authorize_scopes": "public_profile, email", "api_version": "v17.0"},
        "LoginWithAmazon": {**common, "authorize_scopes": "profile"},
        "SignInWithApple": {
            "client_id": "com.example.web",
            "team_id": "TEAM123456",
            "key_id": "KEY1234567",
            "private_key": APPLE_KEY,
            "authorize_scopes": "email name",
            "map_attr": ["email"],
            "map_claim": ["email"],
        },
    }
    for provider_type, form in forms.items():
        answer = signed_in.post(base + provider_type, form)
        assert answer.status_code == 303, (provider_type, answer.text)
        described = _describe(signed_in, pool_id, provider_type)
        assert described["ProviderType"] == provider_type
        typed = {k: v for k, v in form.items() if not k.startswith("map_") and k != "private_key"}
        assert typed.items() <= described["ProviderDetails"].items()
        assert described["AttributeMapping"]["email"] == "email"
    assert signed_in.idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Facebook")["IdentityProvider"][
        "ProviderDetails"
    ]["authorize_url"] == ("https://www.facebook.com/v17.0/dialog/oauth")
    again = signed_in.post(base + "Google", forms["Google"])
    duplicate = _api_error(
        signed_in.idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={"client_id": "app-1", "client_secret": "s", "authorize_scopes": "openid"},
    )
    assert again.status_code == 400 and _field_errors(again.text, "provider_name") == [duplicate]
    assert '<dd class="mono">Google</dd>' in again.text
    apple = signed_in.http.get(f"/console/pools/{pool_id}/provider?name=SignInWithApple")
    assert "PRIVATE KEY" not in apple.text and "https://appleid.apple.com/auth/token" in apple.text
    apple_edit = signed_in.http.get(f"/console/pools/{pool_id}/provider/edit?name=SignInWithApple")
    assert "PRIVATE KEY" not in apple_edit.text


def test_update_identity_provider__secrets_left_empty_are_kept(signed_in: Console) -> None:
    pool_id = _pool(signed_in)
    signed_in.post(f"/console/pools/{pool_id}/providers/new?type=OIDC", OIDC_FORM)
    edit = f"/console/pools/{pool_id}/provider/edit?name=Corp"
    form = {k: v for k, v in OIDC_FORM.items() if k not in ("provider_name", "client_secret")}
    answer = signed_in.post(edit, {**form, "map_attr": ["custom:tier"], "map_claim": ["level"], "idp_identifiers": ""})
    assert answer.status_code == 303, answer.text
    described = _describe(signed_in, pool_id, "Corp")
    assert described["ProviderDetails"]["client_secret"] == "corp-s3cr3t-value"
    assert described["AttributeMapping"] == {"custom:tier": "level", "username": "sub"}
    assert described["IdpIdentifiers"] == []
    signed_in.post(edit, {**form, "client_secret": "rotated-secret", "token_url": "https://idp.example.com/t2"})
    details = _describe(signed_in, pool_id, "Corp")["ProviderDetails"]
    assert (details["client_secret"], details["token_url"]) == ("rotated-secret", "https://idp.example.com/t2")

    apple = {"client_id": "com.example.web", "team_id": "TEAM123456", "key_id": "KEY1", "authorize_scopes": "email"}
    signed_in.post(f"/console/pools/{pool_id}/providers/new?type=SignInWithApple", {**apple, "private_key": APPLE_KEY})
    answer = signed_in.post(f"/console/pools/{pool_id}/provider/edit?name=SignInWithApple", {**apple, "key_id": "KEY2"})
    assert answer.status_code == 303, answer.text
    assert _describe(signed_in, pool_id, "SignInWithApple")["ProviderDetails"]["key_id"] == "KEY2"
    with signed_in.runtime.store.read() as tx:
        stored = tx.identity_providers.get(pool_id, "SignInWithApple")
    assert stored is not None and stored.details["private_key"] == APPLE_KEY


def test_create_identity_provider__saml_metadata_upload_and_the_service_provider_urls(signed_in: Console) -> None:
    pool_id = _pool(signed_in)
    document = metadata(entity_id="https://saml.example.com/idp")
    form = {
        "_csrf": signed_in.csrf(),
        "provider_name": "Okta",
        "metadata_source": "file",
        "IDPSignout": "on",
        "EncryptedResponses": "on",
        "RequestSigningAlgorithm": "rsa-sha256",
        "map_attr": "email",
        "map_claim": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    }
    answer = signed_in.http.post(
        f"/console/pools/{pool_id}/providers/new?type=SAML",
        data=form,
        files={"metadata_upload": ("metadata.xml", document.encode(), "text/xml")},
    )
    assert answer.status_code == 303, answer.text
    described = _describe(signed_in, pool_id, "Okta")
    details = described["ProviderDetails"]
    assert details["MetadataFile"] == document
    assert (details["IDPSignout"], details["EncryptedResponses"]) == ("true", "true")
    assert details["RequestSigningAlgorithm"] == "rsa-sha256" and "IDPInit" not in details
    assert details["SSORedirectBindingURI"] == "https://idp.example.com/sso/redirect"
    assert described["AttributeMapping"] == {"email": form["map_claim"]}
    page = signed_in.http.get(f"/console/pools/{pool_id}/provider?name=Okta")
    for shown in (
        f"urn:amazon:cognito:sp:{pool_id}",
        "http://localhost:9229/saml2/idpresponse",
        "http://localhost:9229/saml2/logout",
        details["ActiveEncryptionCertificate"],
        "https://idp.example.com/sso/redirect",
        signed_in.idp.get_signing_certificate(UserPoolId=pool_id)["Certificate"],
    ):
        assert shown in page.text
    # The pool's SP metadata, for the provider to import: the same values in one document.
    link = f"/saml2/metadata?user_pool_id={pool_id}&amp;identity_provider=Okta"
    assert f'href="http://localhost:9229{link}"' in page.text
    exported = signed_in.http.get(link.replace("&amp;", "&"))
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/samlmetadata+xml"
    assert f'entityID="urn:amazon:cognito:sp:{pool_id}"' in exported.text
    assert details["ActiveEncryptionCertificate"] in exported.text
    assert signed_in.http.get(f"/saml2/metadata?user_pool_id={pool_id}&identity_provider=Nope").status_code == 404
    # Saving the edit form as shown, the document left empty, keeps the document and the flags.
    edit = {"provider_name": "Okta", "metadata_source": "file", "IDPSignout": "on", "EncryptedResponses": "on"}
    answer = signed_in.post(f"/console/pools/{pool_id}/provider/edit?name=Okta", edit)
    assert answer.status_code == 303, answer.text
    after = _describe(signed_in, pool_id, "Okta")["ProviderDetails"]
    assert after["MetadataFile"] == document and "RequestSigningAlgorithm" not in after
    assert after["ActiveEncryptionCertificate"] == details["ActiveEncryptionCertificate"]


def test_create_identity_provider__form_shows_the_api_errors_and_keeps_the_input(signed_in: Console) -> None:
    pool_id = _pool(signed_in)
    path = f"/console/pools/{pool_id}/providers/new?type=OIDC"
    answer = signed_in.post(path, {**OIDC_FORM, "client_id": ""})
    expected = _api_error(
        signed_in.idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails={k: v for k, v in OIDC_DETAILS.items() if k != "client_id"},
    )
    assert answer.status_code == 400 and _shown(answer.text) == [expected]
    assert _field_errors(answer.text, "client_id") == [expected]
    assert 'value="https://idp.example.com/userinfo"' in answer.text and 'value="display_name"' in answer.text
    assert "corp-s3cr3t-value" not in answer.text

    answer = signed_in.post(path, {**OIDC_FORM, "provider_name": "a b"})
    expected = _api_error(
        signed_in.idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="a b",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
    )
    assert _shown(answer.text) == [expected]
    # At the field, the failure without the count of failures before it.
    assert [expected.split(": ", 1)[1]] == _field_errors(answer.text, "provider_name")

    answer = signed_in.post(path, {**OIDC_FORM, "map_attr": ["custom:nope"], "map_claim": ["x"]})
    assert answer.status_code == 400 and _field_errors(answer.text, "mapping") == _shown(answer.text)
    answer = signed_in.post(path, {**OIDC_FORM, "map_attr": ["email", "email"], "map_claim": ["a", "b"]})
    assert answer.status_code == 400 and _field_errors(answer.text, "mapping")

    assert signed_in.post(path, OIDC_FORM).status_code == 303
    answer = signed_in.post(path, OIDC_FORM)
    duplicate = _api_error(
        signed_in.idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=OIDC_DETAILS,
    )
    assert _field_errors(answer.text, "provider_name") == [duplicate]


def test_delete_identity_provider__after_confirmation_and_gone_from_app_clients(signed_in: Console) -> None:
    pool_id = _pool(signed_in)
    signed_in.post(f"/console/pools/{pool_id}/providers/new?type=OIDC", OIDC_FORM)
    new_client = signed_in.http.get(f"/console/pools/{pool_id}/clients/new")
    assert 'name="providers" value="Corp"' in new_client.text
    answer = signed_in.post(
        f"/console/pools/{pool_id}/clients/new", {"client_name": "web", "providers": ["COGNITO", "Corp"]}
    )
    assert answer.status_code == 201, answer.text
    client_id = signed_in.idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"]
    described = signed_in.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["SupportedIdentityProviders"] == ["COGNITO", "Corp"]

    confirm = signed_in.http.get(f"/console/pools/{pool_id}/provider/delete?name=Corp")
    assert confirm.status_code == 200 and "Delete identity provider" in confirm.text
    assert signed_in.idp.list_identity_providers(UserPoolId=pool_id, MaxResults=10)["Providers"]
    answer = signed_in.post(f"/console/pools/{pool_id}/provider/delete?name=Corp", {})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/pools/{pool_id}/providers?notice=provider_deleted"
    assert signed_in.idp.list_identity_providers(UserPoolId=pool_id, MaxResults=10)["Providers"] == []
    described = signed_in.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["SupportedIdentityProviders"] == ["COGNITO"]
    assert signed_in.http.get(f"/console/pools/{pool_id}/provider?name=Corp").status_code == 404


def test_identity_provider_pages__answer_bad_requests_without_500(signed_in: Console) -> None:
    pool_id = _pool(signed_in)
    base = f"/console/pools/{pool_id}"
    for path, status in (
        (f"{base}/providers", 200),
        (f"{base}/providers/new?type=SAML", 200),
        (f"{base}/providers/new?type=Google", 200),
        (f"{base}/providers/new?type=Twitter", 400),
        (f"{base}/providers/new", 400),
        (f"{base}/provider?name=nobody", 404),
        (f"{base}/provider/edit?name=nobody", 404),
        (f"{base}/provider/delete?name=COGNITO", 404),
    ):
        assert signed_in.http.get(path).status_code == status, path
    form = signed_in.http.get(f"{base}/providers/new?type=OIDC").text
    assert '<option value="custom:tier">custom:tier</option>' in form
    assert 'value="sub"' not in form and 'value="identities"' not in form
    fixed = _pool(signed_in, "fixed", UsernameAttributes=["email"])
    signed_in.idp.add_custom_attributes(
        UserPoolId=fixed, CustomAttributes=[{"Name": "badge", "AttributeDataType": "String", "Mutable": False}]
    )
    form = signed_in.http.get(f"/console/pools/{fixed}/providers/new?type=OIDC").text
    assert '<option value="custom:badge">custom:badge (immutable)</option>' in form
    token = signed_in.csrf()
    for path, data in (
        (f"{base}/providers/new?type=SAML", {"provider_name": "x", "metadata_source": "file", "MetadataFile": "<x"}),
        (f"{base}/providers/new?type=SAML", {"provider_name": "Okta", "metadata_source": "url"}),
        (f"{base}/providers/new?type=OIDC", {"map_attr": ["email"], "map_claim": []}),
        (f"{base}/providers/new?type=Facebook", {"api_version": "17", "map_attr": "", "map_claim": "id"}),
        (f"{base}/providers/new?type=Twitter", {}),
        (f"{base}/provider/delete?name=nobody", {}),
    ):
        answer = signed_in.http.post(path, data={"_csrf": token, **data})
        assert answer.status_code in (400, 404), (path, answer.status_code, answer.text[:800])


def test_create_user_pool_client__refused_providers_are_shown_at_that_field(signed_in: Console) -> None:
    """A client of a SAML provider that allows IdP-initiated sign-in may name SAML providers only: the app
    client form says so at its identity providers."""
    pool_id = _pool(signed_in)
    signed_in.idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Okta",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": metadata(), "IDPInit": "true"},
    )
    answer = signed_in.post(
        f"/console/pools/{pool_id}/clients/new", {"client_name": "web", "providers": ["COGNITO", "Okta"]}
    )
    expected = _api_error(
        signed_in.idp.create_user_pool_client,
        UserPoolId=pool_id,
        ClientName="web",
        SupportedIdentityProviders=["COGNITO", "Okta"],
    )
    assert answer.status_code == 400 and _shown(answer.text) == [expected]
    assert _field_errors(answer.text, "providers") == [expected]
    assert re.search(r'name="providers" value="Okta" checked', answer.text)


@pytest.fixture
def fetching_console(tmp_path: Path) -> Iterator[Console]:
    """A signed-in console whose server may fetch identity-provider documents from loopback http URLs."""
    with open_console(tmp_path, federation=FederationSettings(allow_http_idp_urls=True)) as console:
        assert console.sign_in().status_code == 303
        yield console


def test_create_identity_provider__oidc_endpoints_discovered_and_kept_when_only_the_mapping_changes(
    fetching_console: Console, documents: Documents
) -> None:
    console = fetching_console
    pool_id = _pool(console)
    documents.discovery("/corp")
    issuer = documents.base + "/corp"
    form = {k: v for k, v in OIDC_FORM.items() if k not in ("authorize_url", "token_url", "attributes_url", "jwks_uri")}
    answer = console.post(f"/console/pools/{pool_id}/providers/new?type=OIDC", {**form, "oidc_issuer": issuer})
    assert answer.status_code == 303, answer.text
    details = _describe(console, pool_id, "Corp")["ProviderDetails"]
    discovered = {"authorize_url": "/auth", "token_url": "/token", "attributes_url": "/me", "jwks_uri": "/jwks"}
    assert {k: details[k] for k in discovered} == {k: issuer + path for k, path in discovered.items()}
    page = console.http.get(f"/console/pools/{pool_id}/provider?name=Corp")
    assert all(issuer + path in page.text for path in discovered.values())
    # The issuer no longer answers: the edit form, saved with a new mapping only, does not ask it again.
    documents.put("/corp/.well-known/openid-configuration", "gone", 404)
    edit = console.http.get(f"/console/pools/{pool_id}/provider/edit?name=Corp")
    assert f'value="{issuer}/token"' in edit.text
    shown = {key: details[key] for key in ("client_id", "authorize_scopes", "oidc_issuer", *discovered)}
    path = f"/console/pools/{pool_id}/provider/edit?name=Corp"
    answer = console.post(path, {**shown, "map_attr": ["email"], "map_claim": ["email"]})
    assert answer.status_code == 303, answer.text
    assert _describe(console, pool_id, "Corp")["AttributeMapping"] == {"email": "email", "username": "sub"}
    # Emptied endpoints are discovered again, and the provider's failure is shown at the issuer.
    answer = console.post(path, {**shown, **dict.fromkeys(discovered, "")})
    assert answer.status_code == 400
    assert _shown(answer.text) == _field_errors(answer.text, "oidc_issuer")
    assert "Unable to discover the endpoints" in _shown(answer.text)[0]


def test_create_identity_provider__saml_metadata_url_fetched_once(
    fetching_console: Console, documents: Documents
) -> None:
    console = fetching_console
    pool_id = _pool(console)
    signing = certificate("saml.example.com")
    documents.put("/saml/metadata", metadata(sso={REDIRECT: "https://saml.example.com/sso"}, certificates=(signing,)))
    url = documents.base + "/saml/metadata"
    form = {"provider_name": "Okta", "metadata_source": "url", "MetadataURL": url, "IDPInit": "on"}
    answer = console.post(f"/console/pools/{pool_id}/providers/new?type=SAML", form)
    assert answer.status_code == 303, answer.text
    details = _describe(console, pool_id, "Okta")["ProviderDetails"]
    assert (details["MetadataURL"], details["IDPInit"]) == (url, "true")
    assert details["SSORedirectBindingURI"] == "https://saml.example.com/sso"
    page = console.http.get(f"/console/pools/{pool_id}/provider?name=Okta").text
    assert "https://saml.example.com/sso" in page
    # The provider's signing certificate in use, and when its metadata was read.
    assert signing in page and "CN=saml.example.com" in page
    assert "read from MetadataURL" in page and "once 6 hours old" in page
    documents.put("/saml/metadata", "gone", 404)
    path = f"/console/pools/{pool_id}/provider/edit?name=Okta"
    answer = console.post(path, {**form, "idp_identifiers": "example.com"})
    assert answer.status_code == 303, answer.text
    assert _describe(console, pool_id, "Okta")["IdpIdentifiers"] == ["example.com"]
    answer = console.post(path, {**form, "IDPInit": ""})
    assert answer.status_code == 400
    assert _field_errors(answer.text, "MetadataURL") == _shown(answer.text)
