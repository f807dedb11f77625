"""SAML 2.0 identity-provider metadata documents with real certificates, as an IdP publishes them
(OASIS saml-metadata-2.0-os): for tests that create SAML identity providers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def certificate(common_name: str = "idp.example.com", days: int = 365, expired: bool = False) -> str:
    """A self-signed RSA certificate as metadata carries it: base64 DER, no PEM armour."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    start, end = (now - timedelta(days=days + 1), now - timedelta(days=1)) if expired else (now, now + timedelta(days))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def metadata(
    entity_id: str = "https://idp.example.com/metadata",
    sso: dict[str, str] | None = None,
    slo: dict[str, str] | None = None,
    certificates: tuple[str, ...] | None = None,
    encryption_certificate: str | None = None,
) -> str:
    """An EntityDescriptor with an IDPSSODescriptor: signing certificates, SSO and SLO endpoints by binding."""
    if sso is None:
        sso = {REDIRECT: "https://idp.example.com/sso/redirect", POST: "https://idp.example.com/sso/post"}
    slo = {REDIRECT: "https://idp.example.com/slo/redirect"} if slo is None else slo
    certificates = (certificate(),) if certificates is None else certificates
    keys = "".join(
        f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{c}'
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        for c in certificates
    )
    if encryption_certificate:
        keys += (
            '<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
            f"{encryption_certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        )
    logout = "".join(f'<md:SingleLogoutService Binding="{b}" Location="{url}"/>' for b, url in slo.items())
    sign_on = "".join(f'<md:SingleSignOnService Binding="{b}" Location="{url}"/>' for b, url in sso.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{keys}{logout}"
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>"
        f"{sign_on}</md:IDPSSODescriptor></md:EntityDescriptor>"
    )
