"""GetSigningCertificate through boto3: the pool's SAML signing certificate, made on first use and the
same on every call after, without PEM armour; each pool its own."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.errors import fails


def test_get_signing_certificate__self_signed_rsa_2048_for_ten_years(idp: Any, pool_id: str) -> None:
    certificate = idp.get_signing_certificate(UserPoolId=pool_id)["Certificate"]
    assert "BEGIN" not in certificate and "\n" not in certificate
    parsed = x509.load_der_x509_certificate(base64.b64decode(certificate, validate=True))
    public = parsed.public_key()
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    assert parsed.issuer == parsed.subject
    assert parsed.not_valid_after_utc - parsed.not_valid_before_utc >= timedelta(days=3650)
    assert idp.get_signing_certificate(UserPoolId=pool_id)["Certificate"] == certificate


def test_get_signing_certificate__each_pool_its_own(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    assert (
        idp.get_signing_certificate(UserPoolId=pool_id)["Certificate"]
        != idp.get_signing_certificate(UserPoolId=other)["Certificate"]
    )


def test_get_signing_certificate__unknown_pool(idp: Any) -> None:
    code, message = fails(idp.get_signing_certificate, UserPoolId="us-east-1_Nope12345")
    assert (code, message) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")
