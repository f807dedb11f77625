"""A SAML 2.0 identity provider's metadata document, read and checked when CreateIdentityProvider or
UpdateIdentityProvider receives it (SAML V2.0 Metadata, OASIS saml-metadata-2.0-os §2.4.3 IDPSSODescriptor).

The document is parsed with defusedxml: no DTDs, no entity expansion, no external references. Cognito
sends the browser to the IdP with the HTTP-Redirect binding only, so an SSO endpoint with that binding is
required; responses are verified with the signing certificates listed here, so at least one is required,
none expired ("SAML signing and encryption", Cognito developer guide) and none longer than 4,096
characters ("Adding and managing SAML identity providers in a user pool").
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from cryptography import x509
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from userpool.errors import InvalidParameterException
from userpool.model.identity_providers import SamlMetadata
from userpool.model.idp_urls import idp_url_refusal

_MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
_DS = "{http://www.w3.org/2000/09/xmldsig#}"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
MAX_CERTIFICATE_CHARS = 4096


def _invalid(reason: str) -> InvalidParameterException:
    return InvalidParameterException(f"Invalid SAML metadata: {reason}.")


def _entity(root: Element) -> Element:
    """The EntityDescriptor of the identity provider: the root, or the one of an EntitiesDescriptor that
    has an IDPSSODescriptor."""
    if root.tag == f"{_MD}EntityDescriptor":
        return root
    if root.tag == f"{_MD}EntitiesDescriptor":
        for entity in root.iter(f"{_MD}EntityDescriptor"):
            if entity.find(f"{_MD}IDPSSODescriptor") is not None:
                return entity
    raise _invalid("the document is not an EntityDescriptor")


def _redirect_location(descriptor: Element, service: str) -> str | None:
    for endpoint in descriptor.findall(f"{_MD}{service}"):
        if endpoint.get("Binding") == REDIRECT_BINDING and endpoint.get("Location"):
            return str(endpoint.get("Location")).strip()
    return None


def _signing_certificates(descriptor: Element, now: float) -> tuple[str, ...]:
    """The certificates of KeyDescriptors for signing (``use="signing"`` or no ``use``), checked."""
    found: list[str] = []
    for key in descriptor.findall(f"{_MD}KeyDescriptor"):
        if key.get("use") not in (None, "signing"):
            continue
        for element in key.iter(f"{_DS}X509Certificate"):
            text = "".join((element.text or "").split())
            found.append(_checked_certificate(text, now))
    if not found:
        raise _invalid("the IDPSSODescriptor lists no signing certificate")
    return tuple(dict.fromkeys(found))


def _checked_certificate(text: str, now: float) -> str:
    if len(text) > MAX_CERTIFICATE_CHARS:
        raise _invalid(f"a signing certificate is longer than {MAX_CERTIFICATE_CHARS} characters")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
        not_after = certificate.not_valid_after_utc
    except (ValueError, binascii.Error):
        raise _invalid("a signing certificate is not an X.509 certificate") from None
    if not_after < datetime.fromtimestamp(now, UTC):
        raise _invalid(f"the signing certificate expired on {not_after:%Y-%m-%d}")
    return text


def _checked_url(url: str | None, service: str, allow_http: bool) -> str | None:
    """The browser is sent to these endpoints: the identity-provider URL policy holds for them too."""
    reason = idp_url_refusal(url, allow_http=allow_http) if url is not None else None
    if reason is not None:
        raise _invalid(f"the {service} location {reason}")
    return url


def read_metadata(document: str, now: float, allow_http: bool) -> SamlMetadata:
    """The entity ID, HTTP-Redirect SSO and SLO endpoints and signing certificates of an IdP's metadata;
    InvalidParameterException when the document lacks any of them or cannot be read."""
    try:
        root = fromstring(document.encode("utf-8"), forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise _invalid("the document is not well-formed XML without a DTD") from None
    entity = _entity(root)
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise _invalid("the EntityDescriptor has no entityID")
    descriptor = entity.find(f"{_MD}IDPSSODescriptor")
    if descriptor is None:
        raise _invalid("there is no IDPSSODescriptor")
    sso = _checked_url(_redirect_location(descriptor, "SingleSignOnService"), "SingleSignOnService", allow_http)
    if sso is None:
        raise _invalid("there is no SingleSignOnService with the HTTP-Redirect binding")
    return SamlMetadata(
        entity_id=entity_id,
        sso_redirect_url=sso,
        slo_redirect_url=_checked_url(
            _redirect_location(descriptor, "SingleLogoutService"), "SingleLogoutService", allow_http
        ),
        signing_certificates=_signing_certificates(descriptor, now),
    )
