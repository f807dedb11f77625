"""Self-signed X.509 certificates for keys the server holds (RFC 5280): the certificate a SAML identity
provider encrypts assertions to (ActiveEncryptionCertificate), published without PEM armour."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from userpool.crypto.keys import generate_private_pem

# Cognito's SAML certificates are valid for ten years ("SAML signing and encryption", Cognito developer guide).
VALIDITY_DAYS = 3650


def self_signed_certificate(private_pem: str, common_name: str, now: float, days: int = VALIDITY_DAYS) -> str:
    """A certificate of ``private_pem``'s public key, signed by that key with SHA-256: base64 DER."""
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.fromtimestamp(now, UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - timedelta(minutes=5))
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def new_key_and_certificate(common_name: str, now: float) -> tuple[str, str]:
    """A new RSA-2048 private key (PKCS#8 PEM, to be sealed) and its self-signed certificate (base64 DER)."""
    private_pem = generate_private_pem()
    return private_pem, self_signed_certificate(private_pem, common_name, now)
