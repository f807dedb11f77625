"""What the admin console shows of a SAML provider beyond DescribeIdentityProvider: the signing certificates of
the metadata now in use, and, for a MetadataURL, when it was last read ('SAML signing and encryption',
Cognito developer guide: an assertion is valid when it verifies with any certificate of the metadata)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography import x509

from userpool.context import Ctx
from userpool.model.identity_providers import SAML
from userpool.services.federation.steps.saml_metadata_refresh import METADATA_REFRESH_SECONDS


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    """One certificate the provider's signatures are verified with: base64 DER, its subject, its last day
    of validity and its SHA-256 fingerprint (hex, as tools print it)."""

    certificate: str
    subject: str
    not_after: float
    sha256: str


@dataclass(frozen=True, slots=True)
class SamlProviderState:
    certificates: tuple[SigningCertificate, ...]
    fetched_at: float | None  # MetadataURL: when the document in use was read; None for a MetadataFile
    refresh_seconds: int


def _described(text: str) -> SigningCertificate:
    der = base64.b64decode(text)
    fingerprint = hashlib.sha256(der).hexdigest().upper()
    sha256 = ":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2))
    try:
        parsed = x509.load_der_x509_certificate(der)
    except ValueError:  # checked when the metadata was accepted; shown as it is if that ever changes
        return SigningCertificate(text, "", 0.0, sha256)
    return SigningCertificate(text, parsed.subject.rfc4514_string(), parsed.not_valid_after_utc.timestamp(), sha256)


def saml_provider_state(ctx: Ctx, pool_id: str, name: str) -> SamlProviderState | None:
    """The signing certificates and metadata age of the pool's SAML provider ``name``; None if there is none."""
    with ctx.store.read() as tx:
        provider = tx.identity_providers.get(pool_id, name)
    if provider is None or provider.provider_type != SAML or provider.saml is None:
        return None
    try:
        certificates = tuple(_described(c) for c in provider.saml.signing_certificates)
    except (binascii.Error, ValueError):
        certificates = ()
    return SamlProviderState(certificates, provider.saml.fetched_at, METADATA_REFRESH_SECONDS)
