"""The SAML messages a pool sends (model/saml_service_provider.py) and the HTTP-Redirect binding's
encoding and query signature (crypto/saml_redirect.py, OASIS saml-bindings-2.0-os §3.4.4.1)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, unquote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from userpool.crypto.certificates import new_key_and_certificate
from userpool.crypto.saml_redirect import RSA_SHA256, deflate_base64, inflate_base64, redirect_query
from userpool.ids import new_saml_message_id
from userpool.model.saml_service_provider import (
    NameId,
    authn_request,
    logout_request,
    saml_instant,
    sp_entity_id,
    sp_metadata,
)

NOW = 1_796_482_569.0
P = "{urn:oasis:names:tc:SAML:2.0:protocol}"
A = "{urn:oasis:names:tc:SAML:2.0:assertion}"
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"


def test_authn_request__cognito_shape() -> None:
    request_id = new_saml_message_id()
    assert request_id.startswith("_") and len(request_id) == 41
    xml = authn_request(
        request_id,
        NOW,
        "https://idp.example/sso?tenant=1",
        "https://auth.example/saml2/idpresponse",
        sp_entity_id("us-east-1_Pool1"),
    )
    root = etree.fromstring(xml)
    assert root.tag == P + "AuthnRequest"
    assert dict(root.attrib) == {
        "ID": request_id,
        "Version": "2.0",
        "IssueInstant": saml_instant(NOW),
        "Destination": "https://idp.example/sso?tenant=1",
        "AssertionConsumerServiceURL": "https://auth.example/saml2/idpresponse",
        "ProtocolBinding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
    }
    assert saml_instant(NOW).endswith("Z")
    assert root.findtext(A + "Issuer") == "urn:amazon:cognito:sp:us-east-1_Pool1"


def test_logout_request__name_id_as_the_assertion_gave_it() -> None:
    name_id = NameId("Alice<&>", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", "idp", "sp")
    root = etree.fromstring(
        logout_request("_r1", NOW, "https://idp.example/slo", "urn:amazon:cognito:sp:p", name_id, "s1")
    )
    name = root.find(A + "NameID")
    assert name is not None and name.text == "Alice<&>"
    assert dict(name.attrib) == {"Format": name_id.format, "NameQualifier": "idp", "SPNameQualifier": "sp"}
    assert root.findtext(P + "SessionIndex") == "s1"
    bare = etree.fromstring(logout_request("_r2", NOW, "https://idp.example/slo", "sp", NameId("bob"), None))
    assert bare.find(P + "SessionIndex") is None and not bare.find(A + "NameID").attrib  # type: ignore[union-attr]


def test_redirect_query__signature_over_the_octets_sent() -> None:
    private_pem, certificate = new_key_and_certificate("us-east-1_Pool1", NOW)
    message = deflate_base64(b"<samlp:AuthnRequest/>")
    query = redirect_query("SAMLRequest", message, "state/with+odd=chars", private_pem)
    signed, signature = query.split("&Signature=")
    assert [k for k, _ in parse_qsl(signed)] == ["SAMLRequest", "RelayState", "SigAlg"]
    assert dict(parse_qsl(signed))["SigAlg"] == RSA_SHA256
    public = x509.load_der_x509_certificate(base64.b64decode(certificate)).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(base64.b64decode(unquote(signature)), signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert redirect_query("SAMLRequest", message, None, None) == "SAMLRequest=" + message.replace("+", "%2B").replace(
        "/", "%2F"
    ).replace("=", "%3D")


def test_inflate_base64__round_trip_and_bounded() -> None:
    xml = b"<x>" + b"a" * 5000 + b"</x>"
    assert inflate_base64(deflate_base64(xml), 10_000) == xml
    with pytest.raises(ValueError):
        inflate_base64(deflate_base64(xml), 1000)


def test_sp_metadata__entity_endpoints_and_certificates() -> None:
    _, signing = new_key_and_certificate("us-east-1_Pool1", NOW)
    _, encryption = new_key_and_certificate("Corp", NOW)
    document = sp_metadata("us-east-1_Pool1", "https://auth.example/", signing, encryption, requests_signed=True)
    root = etree.fromstring(document.encode())
    assert root.get("entityID") == "urn:amazon:cognito:sp:us-east-1_Pool1"
    descriptor = root.find(MD + "SPSSODescriptor")
    assert descriptor is not None and descriptor.get("AuthnRequestsSigned") == "true"
    keys = {k.get("use"): "".join(k.itertext()).strip() for k in descriptor.findall(MD + "KeyDescriptor")}
    assert keys == {"signing": signing, "encryption": encryption}
    acs = descriptor.find(MD + "AssertionConsumerService")
    slo = descriptor.find(MD + "SingleLogoutService")
    assert acs is not None and acs.get("Location") == "https://auth.example/saml2/idpresponse"
    assert slo is not None and slo.get("Location") == "https://auth.example/saml2/logout"
    assert acs.get("Binding") == slo.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
