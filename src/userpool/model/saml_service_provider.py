"""A user pool as a SAML 2.0 service provider: its entity ID and endpoints, its metadata, and the messages
it sends identity providers (OASIS saml-core-2.0-os §3.4.1 AuthnRequest, §3.7.1 LogoutRequest;
saml-metadata-2.0-os §2.4.4 SPSSODescriptor).

Cognito's names (Cognito developer guide: 'Adding SAML identity providers to a user pool', 'The IdP SAML
assertion endpoint', 'Signing out SAML users with single sign-out'): the SP entity ID is
``urn:amazon:cognito:sp:<poolId>``, assertions are posted to ``/saml2/idpresponse`` and LogoutResponses to
``/saml2/logout`` on the pool's domain. Messages are built with lxml, so every value is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
EMAIL_ADDRESS = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"

SP_ENTITY_PREFIX = "urn:amazon:cognito:sp:"
ACS_PATH = "/saml2/idpresponse"
SLO_PATH = "/saml2/logout"


def sp_entity_id(pool_id: str) -> str:
    """The pool's SAML entity ID: the Audience every assertion must name."""
    return SP_ENTITY_PREFIX + pool_id


def acs_url(base: str) -> str:
    """The assertion consumer service on the pool's domain ``base`` (scheme and host, no path)."""
    return base.rstrip("/") + ACS_PATH


def slo_url(base: str) -> str:
    """Where identity providers send LogoutResponses (HTTP-POST) on the pool's domain ``base``."""
    return base.rstrip("/") + SLO_PATH


def saml_instant(epoch: float) -> str:
    """An xs:dateTime in UTC with a ``Z``, whole seconds (SAML core §1.3.3)."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class NameId:
    """A SAML NameID as an assertion gave it: kept with a sign-in so that a LogoutRequest can name it."""

    value: str
    format: str | None = None
    name_qualifier: str | None = None
    sp_name_qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class SamlSigningKey:
    """The pool's SAML signing key pair: it signs AuthnRequests (RequestSigningAlgorithm) and every
    LogoutRequest, and its certificate is what GetSigningCertificate returns. ``generation`` grows by one
    with each new key; the newest is used."""

    pool_id: str
    generation: int
    certificate: str  # base64 DER, no PEM armour
    private_key_pem: str
    created_at: float


def _xml(element: etree._Element) -> bytes:
    return bytes(etree.tostring(element, xml_declaration=False, encoding="utf-8"))


def authn_request(request_id: str, now: float, destination: str, acs: str, entity_id: str) -> bytes:
    """An AuthnRequest to the IdP's HTTP-Redirect SSO endpoint ``destination``, asking for the answer by
    HTTP-POST at ``acs``. No NameIDPolicy: the IdP's default NameID format is taken."""
    request = etree.Element(
        f"{{{SAMLP}}}AuthnRequest",
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=request_id,
        Version="2.0",
        IssueInstant=saml_instant(now),
        Destination=destination,
        AssertionConsumerServiceURL=acs,
        ProtocolBinding=POST_BINDING,
    )
    etree.SubElement(request, f"{{{SAML}}}Issuer").text = entity_id
    return _xml(request)


def logout_request(
    request_id: str, now: float, destination: str, entity_id: str, name_id: NameId, session_index: str | None
) -> bytes:
    """A LogoutRequest to the IdP's HTTP-Redirect SLO endpoint ``destination`` for the sign-in of
    ``name_id`` (its format and qualifiers as the assertion gave them) and ``session_index``."""
    request = etree.Element(
        f"{{{SAMLP}}}LogoutRequest",
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=request_id,
        Version="2.0",
        IssueInstant=saml_instant(now),
        Destination=destination,
    )
    etree.SubElement(request, f"{{{SAML}}}Issuer").text = entity_id
    name = etree.SubElement(request, f"{{{SAML}}}NameID")
    for attribute, value in (
        ("Format", name_id.format),
        ("NameQualifier", name_id.name_qualifier),
        ("SPNameQualifier", name_id.sp_name_qualifier),
    ):
        if value:
            name.set(attribute, value)
    name.text = name_id.value
    if session_index:
        etree.SubElement(request, f"{{{SAMLP}}}SessionIndex").text = session_index
    return _xml(request)


SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"


def logout_response(
    response_id: str, now: float, destination: str, entity_id: str, in_response_to: str, status: str = SUCCESS
) -> bytes:
    """A LogoutResponse (core §3.7.2) to an identity provider's LogoutRequest ``in_response_to``, sent to
    its HTTP-Redirect SLO endpoint ``destination``."""
    response = etree.Element(
        f"{{{SAMLP}}}LogoutResponse",
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=response_id,
        Version="2.0",
        IssueInstant=saml_instant(now),
        Destination=destination,
        InResponseTo=in_response_to,
    )
    etree.SubElement(response, f"{{{SAML}}}Issuer").text = entity_id
    code = etree.SubElement(etree.SubElement(response, f"{{{SAMLP}}}Status"), f"{{{SAMLP}}}StatusCode")
    code.set("Value", status)
    return _xml(response)


def _key_descriptor(parent: etree._Element, use: str, certificate: str) -> None:
    descriptor = etree.SubElement(parent, f"{{{MD}}}KeyDescriptor", use=use)
    info = etree.SubElement(descriptor, f"{{{DS}}}KeyInfo")
    data = etree.SubElement(info, f"{{{DS}}}X509Data")
    etree.SubElement(data, f"{{{DS}}}X509Certificate").text = certificate


def sp_metadata(
    pool_id: str,
    base: str,
    signing_certificate: str,
    encryption_certificate: str | None = None,
    requests_signed: bool = False,
) -> str:
    """The pool's SAML metadata for an identity provider to import: entity ID, the signing certificate
    (what GetSigningCertificate returns), an encryption certificate when one is given (a provider's
    ActiveEncryptionCertificate), the single logout and assertion consumer services on ``base``;
    ``requests_signed`` for a provider with RequestSigningAlgorithm."""
    entity = etree.Element(f"{{{MD}}}EntityDescriptor", nsmap={"md": MD, "ds": DS}, entityID=sp_entity_id(pool_id))
    descriptor = etree.SubElement(
        entity,
        f"{{{MD}}}SPSSODescriptor",
        AuthnRequestsSigned="true" if requests_signed else "false",
        WantAssertionsSigned="true",
        protocolSupportEnumeration=SAMLP,
    )
    _key_descriptor(descriptor, "signing", signing_certificate)
    if encryption_certificate:
        _key_descriptor(descriptor, "encryption", encryption_certificate)
    etree.SubElement(descriptor, f"{{{MD}}}SingleLogoutService", Binding=POST_BINDING, Location=slo_url(base))
    for name_format in (PERSISTENT, EMAIL_ADDRESS, UNSPECIFIED, TRANSIENT):
        etree.SubElement(descriptor, f"{{{MD}}}NameIDFormat").text = name_format
    etree.SubElement(
        descriptor,
        f"{{{MD}}}AssertionConsumerService",
        Binding=POST_BINDING,
        Location=acs_url(base),
        index="1",
        isDefault="true",
    )
    return str(etree.tostring(entity, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8"))
