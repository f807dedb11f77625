"""Checking a SAML Response that an identity provider posted to ``/saml2/idpresponse``, and reading what it
asserts (OASIS saml-core-2.0-os §2–3, saml-profiles-2.0-os §4.1.4 Web Browser SSO; Cognito developer
guide: 'The IdP SAML assertion endpoint', 'SAML signing and encryption', 'Using IdP-initiated SAML sign-in').

The order matters: the document is parsed without entities or DTDs; the Response's status read; its own
signature verified before anything is decrypted (it covers the encrypted form); the one assertion found
(decrypted with the provider's key when EncryptedResponses is on, and a plain one then refused); its
signature verified; and only then are values read, all of them from the verified assertion, which must be
the one signed element in the place SAML puts it (exactly one assertion in the whole document, IDs
unique: signature wrapping finds nothing to hide behind). Signatures verify only with the certificates of
the provider's metadata. Every refusal is a ``SamlResponseError``; the caller remembers the assertion ID
(``SamlAssertion.assertion_id`` until ``retain_until``) so that it is accepted once.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote_plus

from lxml import etree

from userpool.crypto.xml_signatures import (
    XmlSecurityError,
    decrypt_encrypted_data,
    parse_document,
    register_ids,
    verify_enveloped_signature,
)
from userpool.model.identity_providers import SamlMetadata
from userpool.model.saml_service_provider import DS, SAML, SAMLP, NameId

XENC = "{http://www.w3.org/2001/04/xmlenc#}"
_P = "{" + SAMLP + "}"
_A = "{" + SAML + "}"
_DS = "{" + DS + "}"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

# "The SAML response can't be longer than 100,000 characters" ('The IdP SAML assertion endpoint').
MAX_RESPONSE_CHARS = 100_000
CLOCK_SKEW_SECONDS = 180
# An IdP-initiated assertion must have been issued in the last six minutes ('Using IdP-initiated SAML sign-in').
IDP_INITIATED_MAX_AGE_SECONDS = 360
_MAX_STATUS_MESSAGE = 200
PREFIX = "Invalid SAML response received: "
SIGNATURE_INVALID = PREFIX + "SAML Assertion signature is invalid."


class SamlResponseError(Exception):
    """A refused SAML Response: ``error`` and ``error_description`` as the application's redirect URI gets
    them (``server_error`` for signatures, as Cognito answers, else ``invalid_request``); ``reason`` names
    the rule that refused it."""

    def __init__(self, reason: str, description: str, error: str = "invalid_request") -> None:
        super().__init__(f"{reason}: {description}")
        self.reason = reason
        self.description = description
        self.error = error


def refusal(reason: str, what: str) -> SamlResponseError:
    return SamlResponseError(reason, PREFIX + what)


def signature_refusal(exc: XmlSecurityError) -> SamlResponseError:
    return SamlResponseError(exc.reason, SIGNATURE_INVALID, "server_error")


@dataclass(frozen=True, slots=True)
class ResponseExpectations:
    """What the response must say. ``request_id``: the ID of our AuthnRequest (SP-initiated), or None for
    an IdP-initiated response, which must then carry no InResponseTo. ``decryption_key_pem``: the
    provider's encryption key when EncryptedResponses is on (a plain assertion is then refused)."""

    sp_entity_id: str
    acs_url: str
    idp: SamlMetadata
    request_id: str | None
    decryption_key_pem: str | None
    now: float


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    """What a verified assertion says. ``attributes``: every value of every Attribute, by its Name."""

    issuer: str
    assertion_id: str
    name_id: NameId
    session_index: str | None
    attributes: dict[str, tuple[str, ...]]
    issue_instant: float
    # The latest NotOnOrAfter of the assertion: until then (and the skew) its ID must be remembered.
    not_on_or_after: float

    @property
    def retain_until(self) -> float:
        return self.not_on_or_after + CLOCK_SKEW_SECONDS


def cognito_attribute_values(assertion: SamlAssertion) -> dict[str, str]:
    """Attributes as Cognito maps them to strings: one value as it is; several as ``[v1, v2]``, each
    URL-form-encoded except letters, digits and ``. - * _`` ('Mapping IdP attributes to profiles and
    tokens'). The NameID is not among them; it is the subject."""
    out: dict[str, str] = {}
    for name, values in assertion.attributes.items():
        if len(values) == 1:
            out[name] = values[0]
        elif values:
            out[name] = "[" + ", ".join(quote_plus(v, safe=".-*_") for v in values) + "]"
    return out


def instant(value: str | None, reason: str) -> float:
    if not value:
        raise refusal(reason, f"a required {reason} time is missing.")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise refusal(reason, f"{value!r} is not a valid time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def text_only(element: etree._Element, what: str) -> str:
    """The text of an element that may hold nothing else: a comment inside a NameID would otherwise cut
    what a reader sees from what was signed."""
    if len(element):
        raise refusal("content", f"the {what} holds markup, not only text.")
    return (element.text or "").strip()


def document_root(saml_response: str, tag: str) -> etree._Element:
    """The root element of a posted SAML message (base64 of the XML), which must be ``tag``."""
    if len(saml_response) > MAX_RESPONSE_CHARS:
        raise refusal("too_long", f"the SAMLResponse is longer than {MAX_RESPONSE_CHARS} characters.")
    try:
        data = base64.b64decode("".join(saml_response.split()), validate=True)
    except (binascii.Error, ValueError):
        raise refusal("base64", "the SAMLResponse is not base64.") from None
    try:
        root = parse_document(data)
    except XmlSecurityError as exc:
        if exc.reason == "doctype":
            raise refusal("doctype", "the document has a DOCTYPE, which is not accepted.") from None
        raise refusal("malformed", "the SAMLResponse is not well-formed XML.") from None
    if root.tag != tag or root.get("Version") != "2.0":
        raise refusal("malformed", f"the document is not a SAML 2.0 {etree.QName(tag).localname}.")
    return root


def _check_status(root: etree._Element) -> None:
    status = root.find(_P + "Status")
    code = status.find(_P + "StatusCode") if status is not None else None
    value = code.get("Value") if code is not None else None
    if value == SUCCESS:
        return
    message = status.findtext(_P + "StatusMessage") if status is not None else None
    said = (message or value or "no status").strip()[:_MAX_STATUS_MESSAGE]
    raise refusal("status", f"the identity provider answered {said}.")


def own_signature_verified(parent: etree._Element, certificates: tuple[str, ...]) -> bool:
    """Whether ``parent`` carries a signature of its own, which must then verify."""
    signatures = parent.findall(_DS + "Signature")
    if not signatures:
        return False
    if len(signatures) > 1:
        raise SamlResponseError("signature", SIGNATURE_INVALID, "server_error")
    try:
        verify_enveloped_signature(signatures[0], certificates)
    except XmlSecurityError as exc:
        raise signature_refusal(exc) from None
    return True


def _the_assertion(root: etree._Element, decryption_key_pem: str | None) -> etree._Element:
    """The one assertion of the response, decrypted when the provider must encrypt."""
    plain = list(root.iter(_A + "Assertion"))
    encrypted = list(root.iter(_A + "EncryptedAssertion"))
    if decryption_key_pem is None:
        if encrypted:
            raise refusal("encryption", "the assertion is encrypted, but encrypted responses are not enabled.")
        if len(plain) != 1 or plain[0].getparent() is not root:
            raise refusal("assertion_count", "the response must hold exactly one assertion.")
        return plain[0]
    if plain:
        raise refusal("encryption", "the identity provider must encrypt assertions.")
    data = encrypted[0].findall(XENC + "EncryptedData") if len(encrypted) == 1 else []
    if len(data) != 1 or encrypted[0].getparent() is not root:
        raise refusal("assertion_count", "the response must hold exactly one encrypted assertion.")
    try:
        assertion = decrypt_encrypted_data(data[0], decryption_key_pem)
        register_ids(root)
    except XmlSecurityError:
        raise refusal("encryption", "the assertion could not be decrypted.") from None
    if assertion.tag != _A + "Assertion" or len(list(root.iter(_A + "Assertion"))) != 1:
        raise refusal("assertion_count", "the encrypted content is not one assertion.")
    return assertion


def _check_response(root: etree._Element, expect: ResponseExpectations) -> None:
    """The Response's own claims: checked even where the signature covers only the assertion."""
    destination = root.get("Destination")
    if destination is not None and destination != expect.acs_url:
        raise refusal("destination", "the Destination is not this user pool's assertion consumer service.")
    issuer = root.find(_A + "Issuer")
    if issuer is not None and text_only(issuer, "Issuer") != expect.idp.entity_id:
        raise refusal("issuer", "the response's Issuer is not the identity provider's entity ID.")
    _check_in_response_to(root.get("InResponseTo"), expect)


def _check_in_response_to(value: str | None, expect: ResponseExpectations) -> None:
    if expect.request_id is None and value is not None:
        raise refusal("in_response_to", "the response answers a request this user pool did not make.")
    if expect.request_id is not None and value is not None and value != expect.request_id:
        raise refusal("in_response_to", "InResponseTo does not match the authentication request.")


def read_saml_response(saml_response: str, expect: ResponseExpectations) -> SamlAssertion:
    """The verified assertion of a posted ``SAMLResponse`` (base64 of the XML, HTTP-POST binding), or
    SamlResponseError. Replay is not checked here: the caller records the assertion ID."""
    root = document_root(saml_response, _P + "Response")
    _check_status(root)
    try:
        register_ids(root)
    except XmlSecurityError as exc:
        raise signature_refusal(exc) from None
    certificates = expect.idp.signing_certificates
    response_signed = own_signature_verified(root, certificates)
    assertion = _the_assertion(root, expect.decryption_key_pem)
    assertion_signed = own_signature_verified(assertion, certificates)
    if not (response_signed or assertion_signed):
        raise SamlResponseError("unsigned", SIGNATURE_INVALID, "server_error")
    _check_response(root, expect)
    return _read_assertion(assertion, expect)


def _read_assertion(assertion: etree._Element, expect: ResponseExpectations) -> SamlAssertion:
    issuer = assertion.find(_A + "Issuer")
    if issuer is None or text_only(issuer, "Issuer") != expect.idp.entity_id:
        raise refusal("issuer", "the assertion's Issuer is not the identity provider's entity ID.")
    issued = instant(assertion.get("IssueInstant"), "IssueInstant")
    if expect.request_id is None and not (
        expect.now - IDP_INITIATED_MAX_AGE_SECONDS <= issued <= expect.now + CLOCK_SKEW_SECONDS
    ):
        raise refusal("issue_instant", "an IdP-initiated assertion must be issued within the last six minutes.")
    subject = assertion.find(_A + "Subject")
    if subject is None:
        raise refusal("subject", "the assertion has no Subject.")
    confirmed_until = _bearer_confirmation(subject, expect)
    conditions_until = _check_conditions(assertion, expect)
    statement = assertion.find(_A + "AuthnStatement")
    return SamlAssertion(
        issuer=expect.idp.entity_id,
        assertion_id=str(assertion.get("ID")),
        name_id=_name_id(subject),
        session_index=statement.get("SessionIndex") if statement is not None else None,
        attributes=_attributes(assertion),
        issue_instant=issued,
        not_on_or_after=max(confirmed_until, conditions_until or confirmed_until),
    )


def _name_id(subject: etree._Element) -> NameId:
    found = subject.findall(_A + "NameID")
    if len(found) != 1:
        raise refusal("name_id", "the Subject must have exactly one NameID.")
    value = text_only(found[0], "NameID")
    if not value:
        raise refusal("name_id", "the NameID is empty.")
    return NameId(value, found[0].get("Format"), found[0].get("NameQualifier"), found[0].get("SPNameQualifier"))


def _bearer_confirmation(subject: etree._Element, expect: ResponseExpectations) -> float:
    """The NotOnOrAfter of a bearer SubjectConfirmation for our ACS that holds now (profiles §4.1.4.2)."""
    problem = refusal("bearer", "the Subject has no bearer SubjectConfirmation.")
    for confirmation in subject.findall(_A + "SubjectConfirmation"):
        if confirmation.get("Method") != BEARER:
            continue
        data = confirmation.find(_A + "SubjectConfirmationData")
        if data is None:
            continue
        if data.get("Recipient") != expect.acs_url:
            problem = refusal("recipient", "the Recipient is not this user pool's assertion consumer service.")
            continue
        until = instant(data.get("NotOnOrAfter"), "NotOnOrAfter")
        if expect.now >= until + CLOCK_SKEW_SECONDS:
            problem = refusal("expired", "the assertion has expired.")
            continue
        not_before = data.get("NotBefore")
        if not_before is not None and instant(not_before, "NotBefore") > expect.now + CLOCK_SKEW_SECONDS:
            problem = refusal("not_yet_valid", "the assertion is not valid yet.")
            continue
        _check_in_response_to(data.get("InResponseTo"), expect)
        if expect.request_id is not None and data.get("InResponseTo") is None:
            raise refusal("in_response_to", "the assertion does not answer the authentication request.")
        return until
    raise problem


def _check_conditions(assertion: etree._Element, expect: ResponseExpectations) -> float | None:
    """Conditions (core §2.5.1): the validity window with the skew, and every AudienceRestriction naming
    this pool. Its NotOnOrAfter, if any."""
    found = assertion.findall(_A + "Conditions")
    if len(found) != 1:
        raise refusal("audience", "the assertion must have one Conditions element with the Audience.")
    conditions = found[0]
    until = None
    if conditions.get("NotBefore") is not None:
        if instant(conditions.get("NotBefore"), "NotBefore") > expect.now + CLOCK_SKEW_SECONDS:
            raise refusal("not_yet_valid", "the assertion is not valid yet.")
    if conditions.get("NotOnOrAfter") is not None:
        until = instant(conditions.get("NotOnOrAfter"), "NotOnOrAfter")
        if expect.now >= until + CLOCK_SKEW_SECONDS:
            raise refusal("expired", "the assertion has expired.")
    restrictions = conditions.findall(_A + "AudienceRestriction")
    if not restrictions or any(
        expect.sp_entity_id not in [text_only(a, "Audience") for a in r.findall(_A + "Audience")] for r in restrictions
    ):
        raise refusal("audience", f"the Audience is not {expect.sp_entity_id}.")
    return until


def _attributes(assertion: etree._Element) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for statement in assertion.findall(_A + "AttributeStatement"):
        for attribute in statement.findall(_A + "Attribute"):
            name = attribute.get("Name")
            if not name:
                continue
            values = out.setdefault(name, [])
            for value in attribute.findall(_A + "AttributeValue"):
                if value.get(_XSI_NIL) in ("true", "1"):
                    continue
                values.append(_accepted_value(text_only(value, f"value of {name}"), name))
    return {name: tuple(values) for name, values in out.items()}


# "Amazon Cognito doesn't accept 4-byte UTF-8 characters (such as 😐 or 𠮷) that your IdP passes as an
# attribute value" ('Integrating third-party SAML identity providers with Amazon Cognito user pools'),
# which advises the IdP to send such values base64-encoded.
FOUR_BYTE_CHARACTERS = (
    "the value of {name} holds a 4-byte UTF-8 character (such as an emoji), which is not accepted; "
    "encode it to Base64 at the identity provider."
)


def _accepted_value(value: str, name: str) -> str:
    if any(ord(character) > 0xFFFF for character in value):
        raise refusal("attribute_characters", FOUR_BYTE_CHARACTERS.format(name=name))
    return value
