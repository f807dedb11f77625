"""A software WebAuthn authenticator for the tests, independent of the server's WebAuthn library: it builds
attestations (fmt "none") and assertions itself with ``cryptography`` and ``cbor2``, as W3C Web Authentication
Level 3 §6.1 (authenticator data), §6.5 (attestation object), §5.8.1 (client data) and §6.3.3 (assertion
signature) describe them, and answers in the JSON shapes Amplify sends (RegistrationResponseJSON to
CompleteWebAuthnRegistration, AuthenticationResponseJSON as the WEB_AUTHN challenge's CREDENTIAL)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _authenticator_data(rp_id: str, flags: int, count: int, attested: bytes = b"") -> bytes:
    return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + count.to_bytes(4, "big") + attested


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()


@dataclass
class SoftwareAuthenticator:
    """One passkey: a P-256 key pair, its credential id and signature counter."""

    origin: str = "http://localhost:9229"
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    sign_count: int = 0
    user_handle: str | None = None

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        # COSE_Key (RFC 9053 §7.1.1): kty EC2, alg ES256, crv P-256, x, y.
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def register(
        self, options: dict[str, Any], origin: str | None = None, rp_id: str | None = None, verified: bool = True
    ) -> dict[str, Any]:
        """navigator.credentials.create() for CredentialCreationOptions ``options``, as Amplify serialises it."""
        self.user_handle = options["user"]["id"]
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_key()
        flags = UP | AT | (UV if verified else 0)
        auth_data = _authenticator_data(rp_id or options["rp"]["id"], flags, self.sign_count, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = _client_data("webauthn.create", options["challenge"], origin or self.origin)
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
                "publicKeyAlgorithm": -7,
                "authenticatorData": b64url(auth_data),
            },
        }

    def assertion(
        self,
        options: dict[str, Any],
        origin: str | None = None,
        rp_id: str | None = None,
        verified: bool = True,
        count: int | None = None,
    ) -> str:
        """navigator.credentials.get() for CREDENTIAL_REQUEST_OPTIONS ``options``: the CREDENTIAL JSON string.
        The counter goes up by one unless ``count`` says what to report."""
        if count is None:
            self.sign_count += 1
            count = self.sign_count
        auth_data = _authenticator_data(rp_id or options["rpId"], UP | (UV if verified else 0), count)
        client_data = _client_data("webauthn.get", options["challenge"], origin or self.origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if self.user_handle:
            response["userHandle"] = self.user_handle
        body = {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
            "response": response,
        }
        return json.dumps(body)
