"""WebAuthn ceremonies checked with py_webauthn (duo-labs): a registration's attestation and a sign-in's assertion
(W3C Web Authentication Level 3, §7.1 'Registering a New Credential' and §7.2 'Verifying an Authentication
Assertion').

The library checks the client data (type, challenge, origin), the RP ID hash, the UP and UV flags, the
attestation statement, the signature and the signature counter. This module reads what the caller must know
before it can ask (the challenge a credential answers, the origin it was made on), and names why a ceremony
was refused, so that services can answer with Cognito's exceptions.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers.exceptions import WebAuthnException

# ES256 and RS256 (COSE algorithm identifiers), what the options offer in pubKeyCredParams and registration accepts.
COSE_ALGORITHMS = (-7, -257)


class Refusal(Enum):
    """Why a ceremony was refused."""

    MALFORMED = "malformed"
    CHALLENGE = "challenge"
    ORIGIN = "origin"
    RP_ID = "rp_id"
    USER_VERIFICATION = "user_verification"
    SIGN_COUNT = "sign_count"
    SIGNATURE = "signature"
    UNSUPPORTED = "unsupported"


class CeremonyRefused(Exception):
    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ClientData:
    """What clientDataJSON says: the ceremony type, the challenge answered and the page's origin."""

    type: str
    challenge: bytes
    origin: str


@dataclass(frozen=True, slots=True)
class RegisteredKey:
    """A verified registration: the credential's id and COSE public key, counter and what the client said of it."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    user_verified: bool
    transports: tuple[str, ...]
    authenticator_attachment: str | None


def base64url_decode(text: str) -> bytes:
    """RFC 4648 §5 without padding, as WebAuthn's JSON encodings use it."""
    if not isinstance(text, str) or not text.isascii():
        raise CeremonyRefused(Refusal.MALFORMED, "not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CeremonyRefused(Refusal.MALFORMED, "not base64url") from exc


def base64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def client_data(credential: Mapping[str, Any]) -> ClientData:
    """The client data of a RegistrationResponseJSON or AuthenticationResponseJSON."""
    response = credential.get("response")
    if not isinstance(response, Mapping):
        raise CeremonyRefused(Refusal.MALFORMED, "no response")
    try:
        parsed = json.loads(base64url_decode(response.get("clientDataJSON", "")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CeremonyRefused(Refusal.MALFORMED, "clientDataJSON") from exc
    if not isinstance(parsed, dict) or not all(isinstance(parsed.get(k), str) for k in ("type", "challenge", "origin")):
        raise CeremonyRefused(Refusal.MALFORMED, "clientDataJSON members")
    return ClientData(parsed["type"], base64url_decode(parsed["challenge"]), parsed["origin"])


def _reason(message: str) -> Refusal:
    """The refusal a py_webauthn exception message names."""
    text = message.lower()
    for needle, reason in (
        ("rp id hash", Refusal.RP_ID),
        ("user verification", Refusal.USER_VERIFICATION),
        ("sign count", Refusal.SIGN_COUNT),
        ("signature", Refusal.SIGNATURE),
        ("challenge", Refusal.CHALLENGE),
        ("origin", Refusal.ORIGIN),
        ("attestation", Refusal.UNSUPPORTED),
        ("algorithm", Refusal.UNSUPPORTED),
        ("unsupported", Refusal.UNSUPPORTED),
    ):
        if needle in text:
            return reason
    return Refusal.MALFORMED


def verify_registration(
    credential: Mapping[str, Any], challenge: bytes, rp_id: str, origin: str, require_user_verification: bool
) -> RegisteredKey:
    """§7.1: the attestation of ``credential`` (RegistrationResponseJSON) for ``challenge``, made on ``origin``
    (already found acceptable) for ``rp_id``."""
    try:
        verified = verify_registration_response(
            credential=dict(credential),
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=require_user_verification,
            supported_pub_key_algs=list(COSE_ALGORITHMS),  # type: ignore[arg-type]
        )
    except WebAuthnException as exc:
        raise CeremonyRefused(_reason(str(exc)), str(exc)) from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CeremonyRefused(Refusal.MALFORMED, type(exc).__name__) from exc
    response = credential.get("response") or {}
    transports = response.get("transports") if isinstance(response, Mapping) else None
    attachment = credential.get("authenticatorAttachment")
    return RegisteredKey(
        verified.credential_id,
        verified.credential_public_key,
        verified.sign_count,
        verified.user_verified,
        tuple(t for t in transports if isinstance(t, str))[:8] if isinstance(transports, list) else (),
        attachment if isinstance(attachment, str) else None,
    )


def verify_assertion(
    credential: Mapping[str, Any],
    challenge: bytes,
    rp_id: str,
    origin: str,
    public_key: bytes,
    sign_count: int,
    require_user_verification: bool,
) -> tuple[int, bool]:
    """§7.2: the assertion ``credential`` (AuthenticationResponseJSON) by the stored ``public_key``; its new
    signature counter and whether the user was verified. A counter that does not grow (once either is not
    zero) is refused: the authenticator may have been cloned (§6.1.1)."""
    try:
        verified = verify_authentication_response(
            credential=dict(credential),
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=require_user_verification,
        )
    except WebAuthnException as exc:
        raise CeremonyRefused(_reason(str(exc)), str(exc)) from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CeremonyRefused(Refusal.MALFORMED, type(exc).__name__) from exc
    return verified.new_sign_count, bool(verified.user_verified)
