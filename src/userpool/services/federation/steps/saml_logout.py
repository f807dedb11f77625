"""Reading what an identity provider posts to ``/saml2/logout``: the LogoutResponse to our LogoutRequest,
or a LogoutRequest of its own (OASIS saml-core-2.0-os §3.7, saml-bindings-2.0-os §3.5 HTTP-POST,
saml-profiles-2.0-os §4.4 Single Logout; Cognito developer guide: 'Signing out SAML users with single
sign-out'). The profile requires a LogoutRequest to be signed; a LogoutResponse is checked when signed.

Parsed like a Response (no DOCTYPE, no entities); a signature, when the provider signs, must verify with
a certificate of its metadata; Issuer and Destination, when present, must be the provider's entity ID and
our logout endpoint. What it answers is returned: whether the provider signed the user out, and which of
our requests it answers, for the caller to match with the session it is ending.
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.crypto.xml_signatures import XmlSecurityError, register_ids
from userpool.model.identity_providers import SamlMetadata
from userpool.model.saml_service_provider import SAML, SAMLP, NameId
from userpool.services.federation.steps.saml_responses import (
    CLOCK_SKEW_SECONDS,
    SIGNATURE_INVALID,
    SUCCESS,
    SamlResponseError,
    document_root,
    instant,
    own_signature_verified,
    refusal,
    signature_refusal,
    text_only,
)

_A = "{" + SAML + "}"
_P = "{" + SAMLP + "}"


@dataclass(frozen=True, slots=True)
class LogoutOutcome:
    """A LogoutResponse: ``in_response_to`` names our LogoutRequest; ``succeeded`` when its status is
    Success (``status`` is the code it gave, and ``signed`` whether it was signed)."""

    in_response_to: str | None
    succeeded: bool
    status: str
    signed: bool


def read_logout_response(saml_response: str, idp: SamlMetadata, slo: str) -> LogoutOutcome:
    """The LogoutResponse posted as ``SAMLResponse`` (base64 XML) to our SLO endpoint ``slo``, or
    SamlResponseError."""
    root = document_root(saml_response, _P + "LogoutResponse")
    try:
        register_ids(root)
    except XmlSecurityError as exc:
        raise signature_refusal(exc) from None
    signed = own_signature_verified(root, idp.signing_certificates)
    destination = root.get("Destination")
    if destination is not None and destination != slo:
        raise refusal("destination", "the Destination is not this user pool's logout endpoint.")
    issuer = root.find(_A + "Issuer")
    if issuer is not None and text_only(issuer, "Issuer") != idp.entity_id:
        raise refusal("issuer", "the response's Issuer is not the identity provider's entity ID.")
    status = root.find(_P + "Status")
    code = status.find(_P + "StatusCode") if status is not None else None
    value = str(code.get("Value") or "") if code is not None else ""
    if not value:
        raise SamlResponseError("status", "Invalid SAML logout response received: it has no status.")
    return LogoutOutcome(root.get("InResponseTo"), value == SUCCESS, value, signed)


@dataclass(frozen=True, slots=True)
class LogoutRequestReceived:
    """An identity provider's signed LogoutRequest: its ID (our LogoutResponse answers it), whom it signs
    out and which of their sessions (none listed: all of them)."""

    request_id: str
    name_id: NameId
    session_indexes: tuple[str, ...]
    # Until when its ID must be remembered so that it is acted on once.
    retain_until: float


# A LogoutRequest is acted on only when issued this recently (and once: its ID is remembered until then).
LOGOUT_REQUEST_MAX_AGE_SECONDS = 360


@dataclass(frozen=True, slots=True)
class LogoutRequestSender:
    """Who a LogoutRequest says it comes from, and the SP entity ID its NameID names (SPNameQualifier or
    NameQualifier), both unverified: only to find the provider whose certificates must verify it."""

    issuer: str
    sp_name_qualifiers: tuple[str, ...]


def logout_request_sender(saml_request: str) -> LogoutRequestSender:
    """The claimed sender of a posted LogoutRequest, read before any signature is checked; SamlResponseError
    when it is not a SAML 2.0 LogoutRequest with an Issuer."""
    root = document_root(saml_request, _P + "LogoutRequest")
    issuer = root.find(_A + "Issuer")
    if issuer is None or not text_only(issuer, "Issuer"):
        raise refusal("issuer", "the request has no Issuer.")
    names = root.findall(_A + "NameID")
    qualifiers = tuple(
        q for name in names for q in (name.get("SPNameQualifier"), name.get("NameQualifier")) if q is not None
    )
    return LogoutRequestSender(text_only(issuer, "Issuer"), qualifiers)


def read_logout_request(saml_request: str, idp: SamlMetadata, slo: str, now: float) -> LogoutRequestReceived:
    """The LogoutRequest posted as ``SAMLRequest`` (base64 XML) to our SLO endpoint ``slo``: signed with a
    certificate of the provider's metadata, from its entity ID, to us, not expired; else
    SamlResponseError."""
    root = document_root(saml_request, _P + "LogoutRequest")
    try:
        register_ids(root)
    except XmlSecurityError as exc:
        raise signature_refusal(exc) from None
    if not own_signature_verified(root, idp.signing_certificates):
        raise SamlResponseError("unsigned", SIGNATURE_INVALID, "server_error")
    destination = root.get("Destination")
    if destination is not None and destination != slo:
        raise refusal("destination", "the Destination is not this user pool's logout endpoint.")
    issuer = root.find(_A + "Issuer")
    if issuer is None or text_only(issuer, "Issuer") != idp.entity_id:
        raise refusal("issuer", "the request's Issuer is not the identity provider's entity ID.")
    expires = root.get("NotOnOrAfter")
    if expires is not None and now >= instant(expires, "NotOnOrAfter") + CLOCK_SKEW_SECONDS:
        raise refusal("expired", "the logout request has expired.")
    issued = instant(root.get("IssueInstant"), "IssueInstant")
    if not now - LOGOUT_REQUEST_MAX_AGE_SECONDS <= issued <= now + CLOCK_SKEW_SECONDS:
        raise refusal("issue_instant", "the logout request was not issued in the last six minutes.")
    names = root.findall(_A + "NameID")
    if len(names) != 1 or not text_only(names[0], "NameID"):
        raise refusal("name_id", "the logout request must name one NameID.")
    name = names[0]
    name_id = NameId(
        text_only(name, "NameID"), name.get("Format"), name.get("NameQualifier"), name.get("SPNameQualifier")
    )
    indexes = tuple(text_only(index, "SessionIndex") for index in root.findall(_P + "SessionIndex"))
    retain_until = issued + LOGOUT_REQUEST_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS
    return LogoutRequestReceived(str(root.get("ID")), name_id, indexes, retain_until)
