"""XML Signature verification (W3C XML Signature Syntax and Processing 1.1) and XML Encryption decryption
(W3C XML Encryption Syntax and Processing 1.1) of SAML messages, with xmlsec (libxmlsec1), and the safe
parsing of the documents they arrive in.

Canonicalisation, digests and signature values are xmlsec's; this module only decides what it is asked
to check. A signature is verified with a key given here (a certificate from the identity provider's
metadata), never with one the document carries in its KeyInfo: with ``SignatureContext.key`` set,
xmlsec does not look keys up. Each signature must have exactly one Reference, to the ID of the element it
sits in (the enveloped form of SAML core §5.4.1/§5.4.2), with no transforms other than enveloped-signature
and canonicalisation, and no SHA-1 (RFC 6194): anything else is refused before xmlsec is called.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
_DS = "{" + DS + "}"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

SHA1_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
    }
)
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SIGNATURE_METHODS = frozenset(
    {
        RSA_SHA256,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    }
)
DIGEST_METHODS = frozenset(
    {
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    }
)
CANONICALISATIONS = frozenset(
    {
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
        "http://www.w3.org/2006/12/xml-c14n11",
        "http://www.w3.org/2006/12/xml-c14n11#WithComments",
    }
)
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_REFERENCE_TRANSFORMS = (
    xmlsec.constants.TransformEnveloped,
    xmlsec.constants.TransformExclC14N,
    xmlsec.constants.TransformExclC14NWithComments,
    xmlsec.constants.TransformInclC14N,
    xmlsec.constants.TransformInclC14NWithComments,
    xmlsec.constants.TransformInclC14N11,
    xmlsec.constants.TransformInclC14N11WithComments,
    xmlsec.constants.TransformSha256,
    xmlsec.constants.TransformSha384,
    xmlsec.constants.TransformSha512,
)


class XmlSecurityError(Exception):
    """A document, signature or encrypted element that is refused; ``reason`` says which rule refused it:
    ``malformed``, ``doctype``, ``duplicate_id``, ``sha1``, ``algorithm``, ``reference``, ``signature``,
    ``decryption``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _parser() -> etree.XMLParser:
    # No entity expansion, no DTD loaded or validated, nothing fetched, libxml2's size limits kept.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_document(data: bytes) -> etree._Element:
    """The root element of ``data``; any document with a DOCTYPE (and so any entity declaration) is refused
    outright, whether or not it would be expanded."""
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlSecurityError("malformed", str(exc)) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlSecurityError("doctype")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise XmlSecurityError("doctype")
    return root


def register_ids(root: etree._Element) -> None:
    """Mark the ``ID`` attributes of the document as XML IDs for xmlsec's same-document references; a value
    used twice is refused (a second element under a signed ID is the classic signature-wrapping move)."""
    seen: set[str] = set()
    for element in root.iter(etree.Element):
        if element.get(_XML_ID) is not None:
            # libxml2 makes every xml:id an ID of its own; SAML has no use for them.
            raise XmlSecurityError("duplicate_id", "xml:id")
        value = element.get("ID")
        if value is None:
            continue
        if value in seen:
            raise XmlSecurityError("duplicate_id", value)
        seen.add(value)
    xmlsec.tree.add_ids(root, ["ID"])


def _algorithm(parent: etree._Element, tag: str) -> str:
    found = parent.findall(_DS + tag)
    if len(found) != 1:
        raise XmlSecurityError("algorithm", f"{len(found)} {tag} elements")
    return str(found[0].get("Algorithm") or "")


def _check_algorithms(signature: etree._Element) -> etree._Element:
    """The one Reference of ``signature``, once its algorithms are ones we accept."""
    signed_info = signature.findall(_DS + "SignedInfo")
    if len(signed_info) != 1:
        raise XmlSecurityError("algorithm", "SignedInfo")
    info = signed_info[0]
    method = _algorithm(info, "SignatureMethod")
    canonicalisation = _algorithm(info, "CanonicalizationMethod")
    references = info.findall(_DS + "Reference")
    if len(references) != 1:
        raise XmlSecurityError("reference", f"{len(references)} references")
    reference = references[0]
    digest = _algorithm(reference, "DigestMethod")
    if method in SHA1_ALGORITHMS or digest in SHA1_ALGORITHMS:
        raise XmlSecurityError("sha1")
    if method not in SIGNATURE_METHODS or digest not in DIGEST_METHODS or canonicalisation not in CANONICALISATIONS:
        raise XmlSecurityError("algorithm", f"{method} {digest} {canonicalisation}")
    for transforms in reference.findall(_DS + "Transforms"):
        for transform in transforms:
            if not isinstance(transform.tag, str):
                continue
            algorithm = transform.get("Algorithm")
            if transform.tag != _DS + "Transform" or (algorithm != ENVELOPED and algorithm not in CANONICALISATIONS):
                raise XmlSecurityError("algorithm", f"transform {algorithm}")
    return reference


def certificate_public_key_pem(certificate_b64: str) -> bytes:
    """The public key of a base64 DER certificate, as PEM (what xmlsec is given to verify with)."""
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(certificate_b64, validate=True))
    except (ValueError, binascii.Error):
        raise XmlSecurityError("signature", "not a certificate") from None
    return certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify_enveloped_signature(signature: etree._Element, certificates: Sequence[str]) -> etree._Element:
    """Verify the ds:Signature ``signature`` with one of ``certificates`` (base64 DER); it must sign the
    element it sits in, which is returned. The document's IDs must have been registered (``register_ids``)."""
    signed = signature.getparent()
    reference = _check_algorithms(signature)
    own_id = signed.get("ID") if signed is not None else None
    if signed is None or not own_id or reference.get("URI") != "#" + own_id:
        raise XmlSecurityError("reference", str(reference.get("URI")))
    for certificate in certificates:
        context = xmlsec.SignatureContext()
        for transform in _REFERENCE_TRANSFORMS:
            context.enable_reference_transform(transform)
        context.key = xmlsec.Key.from_memory(certificate_public_key_pem(certificate), xmlsec.constants.KeyDataFormatPem)
        try:
            context.verify(signature)
        except xmlsec.Error:
            continue
        return signed
    raise XmlSecurityError("signature")


def decrypt_encrypted_data(encrypted_data: etree._Element, private_key_pem: str) -> etree._Element:
    """Decrypt an xenc:EncryptedData element whose key is wrapped (xenc:EncryptedKey, RSA-OAEP or RSA
    PKCS#1 v1.5 key transport) to ``private_key_pem``; the decrypted element takes its place and is
    returned."""
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_memory(private_key_pem.encode("ascii"), xmlsec.constants.KeyDataFormatPem))
    context = xmlsec.EncryptionContext(manager)
    try:
        decrypted = context.decrypt(encrypted_data)
    except (xmlsec.Error, etree.XMLSyntaxError) as exc:
        raise XmlSecurityError("decryption", str(exc)) from None
    if not isinstance(decrypted, etree._Element):
        raise XmlSecurityError("decryption", "the encrypted content is not an element")
    return decrypted
