"""The SAML HTTP-Redirect binding's encoding and query signature (OASIS saml-bindings-2.0-os §3.4.4.1).

A message travels as ``SAMLRequest`` (or ``SAMLResponse``): raw DEFLATE (RFC 1951) of the XML, base64. A
signed message adds ``SigAlg`` and ``Signature``: the signature over the octets
``SAMLRequest=<v>&RelayState=<v>&SigAlg=<v>`` with each value URL-encoded as it is sent (RelayState left
out when there is none), RSA PKCS#1 v1.5 with SHA-256.
"""

from __future__ import annotations

import base64
import zlib
from urllib.parse import quote

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def deflate_base64(xml: bytes) -> str:
    """The value of a Redirect-binding ``SAMLRequest``/``SAMLResponse`` parameter (before URL-encoding)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(xml) + compressor.flush()).decode("ascii")


def inflate_base64(value: str, max_bytes: int) -> bytes:
    """The XML of a Redirect-binding parameter; ValueError when it is not that, or inflates past
    ``max_bytes``."""
    raw = base64.b64decode(value, validate=True)
    inflater = zlib.decompressobj(-15)
    xml = inflater.decompress(raw, max_bytes + 1)
    if len(xml) > max_bytes or inflater.unconsumed_tail:
        raise ValueError("the message is too long")
    return xml


def _encode(value: str) -> str:
    return quote(value, safe="")


def redirect_query(parameter: str, message: str, relay_state: str | None, private_key_pem: str | None) -> str:
    """The query string of a Redirect-binding message (``parameter`` is ``SAMLRequest`` or
    ``SAMLResponse``, ``message`` its deflated base64 value), signed with RSA-SHA256 when a key is given."""
    parts = [f"{parameter}={_encode(message)}"]
    if relay_state is not None:
        parts.append(f"RelayState={_encode(relay_state)}")
    if private_key_pem is None:
        return "&".join(parts)
    parts.append(f"SigAlg={_encode(RSA_SHA256)}")
    signed = "&".join(parts).encode("ascii")
    key = serialization.load_pem_private_key(private_key_pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return f"{signed.decode('ascii')}&Signature={_encode(base64.b64encode(signature).decode('ascii'))}"
