"""HTTPS for ``userpool serve``: the operator's certificate and key, or a local one (``--tls self-signed``).

The local set-up is a small certificate authority of its own plus a server certificate it signs, both kept in
the data directory and reused while valid: trusting the authority once (system store, browser, or
``NODE_EXTRA_CA_CERTS`` / ``AWS_CA_BUNDLE``) makes every later certificate trusted too. Amplify builds
``https://{domain}/...`` URLs, so local development needs a certificate.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SELF_SIGNED = "self-signed"
_DAYS = 825  # the longest validity Apple's platforms accept for a server certificate
_RENEW_BEFORE = datetime.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class TlsFiles:
    cert: Path
    key: Path
    authority: Path | None = None


def _write(path: Path, data: bytes, private: bool) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _still_good(path: Path, now: datetime.datetime) -> bool:
    if not path.exists():
        return False
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return cert.not_valid_after_utc - _RENEW_BEFORE > now


def _authority(folder: Path, now: datetime.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = folder / "ca.pem", folder / "ca-key.pem"
    if _still_good(cert_path, now) and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return x509.load_pem_x509_certificate(cert_path.read_bytes()), key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "userpool local CA")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _pem_key(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return cert, key


def _names(hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(["localhost", "*.localhost", "127.0.0.1", "::1", *hosts]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def self_signed(data_dir: Path, hosts: list[str]) -> TlsFiles:
    """The local authority and a server certificate for localhost, its subdomains (pool domains such as
    ``myapp.localhost``), the loopback addresses and ``hosts``; made on first use, renewed near expiry or
    when a host is missing."""
    folder = data_dir / "tls"
    now = datetime.datetime.now(datetime.UTC)
    authority, authority_key = _authority(folder, now)
    cert_path, key_path = folder / "server.pem", folder / "server-key.pem"
    wanted = _names(hosts)
    if _still_good(cert_path, now) and key_path.exists():
        current = x509.load_pem_x509_certificate(cert_path.read_bytes())
        present = current.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        if all(name in present for name in wanted) and current.issuer == authority.subject:
            return TlsFiles(cert_path, key_path, folder / "ca.pem")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(authority.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_DAYS))
        .add_extension(x509.SubjectAlternativeName(wanted), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    _write(key_path, _pem_key(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return TlsFiles(cert_path, key_path, folder / "ca.pem")


def trust_instructions(authority: Path) -> list[str]:
    """How to make browsers, Node and AWS SDKs trust the local authority."""
    return [
        f"  TLS: a local certificate authority signed the server certificate: {authority}",
        "  trust it once, for example:",
        f"    Debian/Ubuntu: sudo cp {authority} /usr/local/share/ca-certificates/userpool.crt"
        " && sudo update-ca-certificates",
        f"    macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain"
        f" {authority}",
        f"    Node/Amplify:  NODE_EXTRA_CA_CERTS={authority}",
        f"    boto3/AWS CLI: AWS_CA_BUNDLE={authority}",
        "    Chromium/Firefox keep their own store: import it under Settings > Certificates > Authorities.",
    ]
