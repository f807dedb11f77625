"""The identity-provider form: its fields per provider type, the Create/UpdateIdentityProvider members it
sends, and its values for a provider as DescribeIdentityProvider shows it (AWS: CreateIdentityProvider API
reference, ProviderDetails).

Fields holding ProviderDetails keys are named after them (``client_id``, ``MetadataURL``, ...), so that an
error naming a key (``client_id is required ...``) is shown at its field. Secrets are never written into a
page: the client secret and Apple's private key fields start empty, and left empty on an edit they keep
what is stored.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile

from userpool.model.identity_providers import (
    FACEBOOK,
    GOOGLE,
    LOGIN_WITH_AMAZON,
    OIDC,
    OIDC_ENDPOINT_KEYS,
    SAML,
    SIGN_IN_WITH_APPLE,
    SOCIAL_TYPES,
)
from userpool.web.console.frame import BadForm, Page

TYPE_LABELS = {
    OIDC: "OpenID Connect (OIDC)",
    SAML: "SAML 2.0",
    GOOGLE: "Google",
    FACEBOOK: "Facebook",
    LOGIN_WITH_AMAZON: "Login with Amazon",
    SIGN_IN_WITH_APPLE: "Sign in with Apple",
}
_CLIENT = ("client_id", "client_secret", "authorize_scopes")
# The text fields of each type, each a ProviderDetails key (SAML's are read by _saml_details).
TEXT_KEYS: dict[str, tuple[str, ...]] = {
    OIDC: (*_CLIENT, "attributes_request_method", "oidc_issuer", *OIDC_ENDPOINT_KEYS),
    GOOGLE: _CLIENT,
    FACEBOOK: (*_CLIENT, "api_version"),
    LOGIN_WITH_AMAZON: _CLIENT,
    SIGN_IN_WITH_APPLE: ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
    SAML: (),
}
SECRET_KEYS = ("client_secret", "private_key")
SAML_FLAGS = ("IDPSignout", "IDPInit", "EncryptedResponses")
# The scopes each type's documentation shows (Facebook's separated by commas).
DEFAULT_SCOPES = {
    OIDC: "openid email profile",
    GOOGLE: "profile email openid",
    FACEBOOK: "public_profile, email",
    LOGIN_WITH_AMAZON: "profile",
    SIGN_IN_WITH_APPLE: "email name",
}
MAX_MAPPING_ROWS = 100
BLANK_ROWS = 3
FIELDS = {
    "providerName": "provider_name",
    "idpIdentifiers": "idp_identifiers",
    "attributeMapping": "mapping",
}
# Cognito's messages that name no validation path, and the field each is about (model/idp_details.py,
# services/federation): the first phrase found in a message wins.
_MESSAGE_FIELDS = (
    ("Invalid provider name", "provider_name"),
    ("reserved provider name", "provider_name"),
    ("The provider name of", "provider_name"),
    ("is the name of the", "provider_name"),
    ("A provider with the name", "provider_name"),
    ("IdpIdentifier", "idp_identifiers"),
    ("attribute mapping", "mapping"),
    ("cannot be mapped", "mapping"),
    ("The username of", "mapping"),
    ("exactly one of MetadataURL and MetadataFile", "metadata_source"),
    ("from MetadataURL", "MetadataURL"),
    ("SAML metadata", "MetadataFile"),
    ("Unable to discover the endpoints", "oidc_issuer"),
    ("give attributes_url", "attributes_url"),
)


def is_type(value: str) -> bool:
    return value in TYPE_LABELS


async def uploaded_metadata(page: Page) -> str:
    """The metadata document of the file field ('' when no file was chosen), as text."""
    upload = page.form.get("metadata_upload") if page.form is not None else None
    if upload is None or isinstance(upload, str):
        return ""
    if not isinstance(upload, UploadFile):
        raise BadForm("metadata_upload")
    data = await upload.read()
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        page.errors.note("MetadataFile", "The metadata file is not UTF-8 text.")
        return ""


def _saml_details(page: Page, stored: dict[str, str] | None, uploaded: str) -> dict[str, str]:
    details: dict[str, str] = {}
    if page.text("metadata_source") == "url":
        details["MetadataURL"] = page.text("MetadataURL")
    else:
        document = uploaded or page.raw("MetadataFile").strip()
        # Left empty on an edit: the document stored stays (the form does not show it back).
        if not document and stored is not None:
            document = stored.get("MetadataFile", "")
        details["MetadataFile"] = document
    for flag in SAML_FLAGS:
        if page.checked(flag):
            details[flag] = "true"
    if page.text("RequestSigningAlgorithm"):
        details["RequestSigningAlgorithm"] = page.text("RequestSigningAlgorithm")
    return details


def provider_details(
    page: Page, provider_type: str, stored: dict[str, str] | None, uploaded: str = ""
) -> dict[str, str]:
    """ProviderDetails as the form gives them: empty fields left out (Cognito says which it requires).

    ``stored`` is DescribeIdentityProvider's ProviderDetails on an edit: the client secret left empty is
    sent as stored; Apple's private key left empty is left out, which keeps the stored key. ``uploaded`` is
    the metadata file chosen, which wins over the metadata typed.
    """
    if provider_type == SAML:
        return _saml_details(page, stored, uploaded)
    details: dict[str, str] = {}
    for key in TEXT_KEYS[provider_type]:
        value = page.raw(key).strip() if key == "private_key" else page.text(key)
        if not value and key == "client_secret" and stored is not None:
            value = stored.get(key, "")
        if value:
            details[key] = value
    return details


def attribute_mapping(page: Page) -> dict[str, str]:
    """AttributeMapping from the editor's rows (a pool attribute and a provider attribute each); a row left
    blank is skipped, a half-filled one or an attribute mapped twice is noted at the editor."""
    attributes, claims = page.values("map_attr"), page.values("map_claim")
    if len(attributes) != len(claims) or len(attributes) > MAX_MAPPING_ROWS:
        raise BadForm("attribute mapping")
    mapping: dict[str, str] = {}
    for attribute, claim in zip(attributes, (c.strip() for c in claims), strict=True):
        if not attribute and not claim:
            continue
        if not attribute:
            page.errors.note("mapping", f"Choose the user pool attribute that {claim} is mapped to.")
        elif attribute in mapping:
            page.errors.note("mapping", f"{attribute} is mapped twice: keep one row for it.")
        else:
            mapping[attribute] = claim
    return mapping


def identifiers(page: Page) -> list[str]:
    return [line.strip() for line in page.raw("idp_identifiers").splitlines() if line.strip()]


def comparable_details(provider_type: str, details: dict[str, Any]) -> dict[str, str]:
    """The keys an operator sets, from Describe's ProviderDetails (SAML's flags "false" as absent): when the
    form's are the same, an update leaves ProviderDetails alone, so nothing is discovered or fetched again."""
    if provider_type == SAML:
        keys: tuple[str, ...] = ("MetadataURL", "MetadataFile", "RequestSigningAlgorithm", *SAML_FLAGS)
    else:
        keys = TEXT_KEYS[provider_type]
    return {k: str(v) for k, v in details.items() if k in keys and not (k in SAML_FLAGS and v == "false")}


def place_errors(page: Page) -> None:
    """Put each error that names no validation path at the field it is about, as well as above the form."""
    for message in page.errors.messages:
        field = _detail_field(message) or next((name for phrase, name in _MESSAGE_FIELDS if phrase in message), None)
        if field and message not in page.errors.get(field):
            page.errors.note(field, message)


def _detail_field(message: str) -> str | None:
    """The ProviderDetails key a message starts with (``client_id is required ...``), if a field holds it."""
    first = message.split(" ", 1)[0]
    for keys in TEXT_KEYS.values():
        if first in keys:
            return first
    if first in (*SAML_FLAGS, "RequestSigningAlgorithm", "MetadataURL"):
        return first
    return None


def new_values(provider_type: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "provider_name": provider_type if provider_type in SOCIAL_TYPES else "",
        "authorize_scopes": DEFAULT_SCOPES.get(provider_type, ""),
        "attributes_request_method": "GET",
        "metadata_source": "url",
        "RequestSigningAlgorithm": "",
        "idp_identifiers": "",
        # SAML attributes are often URIs that differ per provider: no row is guessed for them.
        "rows": [("email", "email")] if provider_type != SAML else [],
    }
    for flag in SAML_FLAGS:
        values[flag] = False
    return values


def values_of(provider: dict[str, Any]) -> dict[str, Any]:
    """The form's values for a provider as DescribeIdentityProvider shows it (secrets left out)."""
    details = provider.get("ProviderDetails", {})
    values: dict[str, Any] = {
        key: value for key, value in details.items() if key not in SECRET_KEYS and key != "MetadataFile"
    }
    values.update(
        provider_name=provider["ProviderName"],
        metadata_source="file" if "MetadataFile" in details else "url",
        RequestSigningAlgorithm=details.get("RequestSigningAlgorithm", ""),
        idp_identifiers="\n".join(provider.get("IdpIdentifiers", [])),
        rows=sorted(provider.get("AttributeMapping", {}).items()),
    )
    for flag in SAML_FLAGS:
        values[flag] = details.get(flag) == "true"
    return values


def echo(page: Page, uploaded: str = "") -> dict[str, Any]:
    """The form as sent, to show again after an error: every field but the secrets; an uploaded metadata
    file in the metadata text, since a file field cannot be filled again."""
    values: dict[str, Any] = {}
    if page.form is not None:
        for key in page.form:
            if key in ("_csrf", "metadata_upload", "map_attr", "map_claim", *SECRET_KEYS):
                continue
            values[key] = page.raw(key)
    for flag in SAML_FLAGS:
        values[flag] = page.checked(flag)
    rows = zip(page.values("map_attr"), page.values("map_claim"), strict=False)
    values["rows"] = [(attribute, claim) for attribute, claim in rows if attribute or claim.strip()]
    if uploaded:
        values["MetadataFile"] = uploaded
    return values


# Each ProviderDetails field's label and hint on the form.
LABELS: dict[str, tuple[str, str]] = {
    "client_id": ("Client ID", "The ID the provider gave this user pool when you registered it as an application."),
    "client_secret": ("Client secret", ""),
    "authorize_scopes": ("Authorized scopes", "Separated by spaces."),
    "attributes_request_method": ("Attributes request method", "How the user's attributes are asked for."),
    "oidc_issuer": ("Issuer URL", "The provider's endpoints are discovered from its OpenID configuration."),
    "authorize_url": ("Authorization endpoint", ""),
    "token_url": ("Token endpoint", ""),
    "attributes_url": ("UserInfo endpoint", ""),
    "jwks_uri": ("JWKS URI", ""),
    "api_version": ("Graph API version", "For example v17.0. Empty: the app's default version."),
    "team_id": ("Team ID", "Your Apple developer team."),
    "key_id": ("Key ID", "The ID of the private key below."),
    "private_key": ("Private key", "The .p8 key Apple gave you, as text."),
}
SCOPE_HINTS = {
    "Facebook": "Separated by commas, e.g. public_profile, email.",
    "OIDC": "Separated by spaces; openid is required.",
}
