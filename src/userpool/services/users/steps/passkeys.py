"""Passkey ceremonies the API and the hosted pages share: registering a passkey for a signed-in user
(StartWebAuthnRegistration, CompleteWebAuthnRegistration) and checking one at sign-in (USER_AUTH's WEB_AUTHN
challenge). Cognito developer guide: 'Passkey sign-in'; W3C Web Authentication Level 3, §7.

A registration challenge is kept as a challenge Session row under the SHA-256 of the challenge itself,
bound to pool, user and app client, single use, five minutes; CompleteWebAuthnRegistration finds it from the
challenge the client data answers. A sign-in challenge lives in the WEB_AUTHN challenge's Session state.
The relying party and the origins it accepts are model/passkeys.py's rules.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.crypto.passkey_ceremonies import (
    COSE_ALGORITHMS,
    CeremonyRefused,
    Refusal,
    base64url_decode,
    base64url_encode,
    client_data,
    verify_assertion,
    verify_registration,
)
from userpool.errors import (
    CognitoError,
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
    WebAuthnChallengeNotFoundException,
    WebAuthnClientMismatchException,
    WebAuthnConfigurationMissingException,
    WebAuthnCredentialNotSupportedException,
    WebAuthnNotEnabledException,
    WebAuthnOriginNotAllowedException,
    WebAuthnRelyingPartyMismatchException,
)
from userpool.model.first_factors import allowed_factors
from userpool.model.passkeys import (
    MAX_PASSKEYS_PER_USER,
    REGISTRATION_SECONDS,
    REQUIRED,
    Passkey,
    RelyingParty,
    origin_allowed,
    relying_party,
)
from userpool.model.records import Pool, User
from userpool.model.token_records import ChallengeSession
from userpool.model.user_mfa import passkey_mfa
from userpool.model.vocabulary import ChallengeName
from userpool.services.directory.domains import pool_domain_host
from userpool.store.base import Conflict, Tx

# The challenge-Session name of a pending registration (never a ChallengeName a client can answer).
REGISTRATION = "WEB_AUTHN_REGISTRATION"
CHALLENGE_BYTES = 32
NOT_CONFIGURED = "The user pool has no relying party ID for passkeys: set WebAuthnConfiguration or a domain."
NOT_ENABLED = "Passkeys are not enabled for the user pool: add WEB_AUTHN to AllowedFirstAuthFactors."
CHALLENGE_NOT_FOUND = "The passkey registration challenge was not found or has expired."
CLIENT_MISMATCH = "The access token is for another app client than the one that started the registration."
ORIGIN_NOT_ALLOWED = "The passkey registration origin is not allowed for the user pool's relying party ID."
RP_MISMATCH = "The passkey credential is for another relying party ID than the user pool's."
NOT_SUPPORTED = "The passkey credential is not supported: {detail}."
TOO_MANY = "The user has the maximum number of passkeys registered."
ALREADY_REGISTERED = "The passkey credential is already registered."
BAD_CREDENTIAL = "The passkey credential is not a valid RegistrationResponseJSON."
SIGN_IN_REFUSED = "Incorrect passkey credential."


def pool_relying_party(ctx: Ctx, tx: Tx, pool: Pool) -> RelyingParty:
    """The pool's relying party (WebAuthnConfigurationMissingException without one)."""
    found = relying_party(pool, pool_domain_host(ctx, tx, pool.id))
    if found is None:
        raise WebAuthnConfigurationMissingException(NOT_CONFIGURED)
    return found


def _check_enabled(pool: Pool) -> None:
    if ChallengeName.WEB_AUTHN not in allowed_factors(pool):
        raise WebAuthnNotEnabledException(NOT_ENABLED)


def user_handle(user: User) -> str:
    """The WebAuthn user handle of ``user``: the 16 bytes of its sub, base64url (no personal data, §14.6.1)."""
    try:
        return base64url_encode(uuid.UUID(user.sub).bytes)
    except ValueError:
        return base64url_encode(user.sub.encode())


def _descriptor(passkey: Passkey) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "public-key", "id": base64url_encode(passkey.credential_id)}
    if passkey.transports:
        body["transports"] = list(passkey.transports)
    return body


def _all_passkeys(tx: Tx, user: User) -> list[Passkey]:
    return tx.webauthn_credentials.of_user(user.pool_id, user.sub, MAX_PASSKEYS_PER_USER, None).items


def start_registration(ctx: Ctx, pool: Pool, client_id: str, user: User) -> dict[str, Any]:
    """StartWebAuthnRegistration for ``user`` signed in through ``client_id``: the PublicKeyCredentialCreationOptions
    (JSON form, §5.4) to pass to ``navigator.credentials.create()``; the challenge is kept server-side."""
    _check_enabled(pool)
    challenge = base64url_encode(secrets.token_bytes(CHALLENGE_BYTES))
    with ctx.store.write() as tx:
        rp = pool_relying_party(ctx, tx, pool)
        existing = _all_passkeys(tx, user)
        if len(existing) >= MAX_PASSKEYS_PER_USER:
            raise LimitExceededException(TOO_MANY)
        tx.auth_challenges.add(
            ChallengeSession(
                digest(f"{REGISTRATION}:{challenge}"),
                pool.id,
                client_id,
                user.sub,
                REGISTRATION,
                ctx.now,
                ctx.now + REGISTRATION_SECONDS,
                {"rp_id": rp.id},
            )
        )
    return {
        "challenge": challenge,
        "rp": {"id": rp.id, "name": rp.id},
        "user": {"id": user_handle(user), "name": user.username, "displayName": user.username},
        "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in COSE_ALGORITHMS],
        "timeout": REGISTRATION_SECONDS * 1000,
        "excludeCredentials": [_descriptor(p) for p in existing],
        "authenticatorSelection": {
            "requireResidentKey": True,
            "residentKey": "required",
            "userVerification": rp.user_verification,
        },
    }


def _registration_refusal(refused: CeremonyRefused) -> CognitoError:
    """CompleteWebAuthnRegistration's exception for a refused attestation."""
    if refused.reason is Refusal.ORIGIN:
        return WebAuthnOriginNotAllowedException(ORIGIN_NOT_ALLOWED)
    if refused.reason is Refusal.RP_ID:
        return WebAuthnRelyingPartyMismatchException(RP_MISMATCH)
    if refused.reason is Refusal.CHALLENGE:
        return WebAuthnChallengeNotFoundException(CHALLENGE_NOT_FOUND)
    if refused.reason is Refusal.USER_VERIFICATION:
        return WebAuthnCredentialNotSupportedException(NOT_SUPPORTED.format(detail="user verification is required"))
    if refused.reason is Refusal.UNSUPPORTED:
        return WebAuthnCredentialNotSupportedException(NOT_SUPPORTED.format(detail="its attestation or algorithm"))
    return InvalidParameterException(BAD_CREDENTIAL)


def _pending_registration(ctx: Ctx, tx: Tx, pool: Pool, client_id: str, user: User, key: str) -> ChallengeSession:
    found = tx.auth_challenges.get(key)
    if found is None or found.challenge != REGISTRATION or found.pool_id != pool.id or found.sub != user.sub:
        raise WebAuthnChallengeNotFoundException(CHALLENGE_NOT_FOUND)
    if found.expires_at <= ctx.now:
        raise WebAuthnChallengeNotFoundException(CHALLENGE_NOT_FOUND)
    if found.client_id != client_id:
        raise WebAuthnClientMismatchException(CLIENT_MISMATCH)
    return found


def complete_registration(ctx: Ctx, pool: Pool, client_id: str, user: User, credential: Mapping[str, Any]) -> Passkey:
    """CompleteWebAuthnRegistration for ``user``: the RegistrationResponseJSON answering a challenge of
    start_registration is verified (§7.1) and its credential stored; the challenge is used up."""
    _check_enabled(pool)
    try:
        presented = client_data(credential)
    except CeremonyRefused as refused:
        raise InvalidParameterException(BAD_CREDENTIAL) from refused
    key = digest(f"{REGISTRATION}:{base64url_encode(presented.challenge)}")
    with ctx.store.read() as tx:
        rp = pool_relying_party(ctx, tx, pool)
        _pending_registration(ctx, tx, pool, client_id, user, key)
    if not origin_allowed(rp.id, presented.origin):
        raise WebAuthnOriginNotAllowedException(ORIGIN_NOT_ALLOWED)
    try:
        key_data = verify_registration(
            credential, presented.challenge, rp.id, presented.origin, rp.requires_verification
        )
    except CeremonyRefused as refused:
        raise _registration_refusal(refused) from refused
    passkey = Passkey(
        pool_id=pool.id,
        sub=user.sub,
        credential_id=key_data.credential_id,
        public_key=key_data.public_key,
        sign_count=key_data.sign_count,
        relying_party_id=rp.id,
        friendly_name=_friendly_name(key_data.authenticator_attachment),
        transports=key_data.transports,
        created_at=ctx.now,
        authenticator_attachment=key_data.authenticator_attachment,
    )
    with ctx.store.write() as tx:
        _pending_registration(ctx, tx, pool, client_id, user, key)
        if not tx.auth_challenges.consume(key):
            raise WebAuthnChallengeNotFoundException(CHALLENGE_NOT_FOUND)
        if tx.webauthn_credentials.count(pool.id, user.sub) >= MAX_PASSKEYS_PER_USER:
            raise LimitExceededException(TOO_MANY)
        try:
            tx.webauthn_credentials.add(passkey)
        except Conflict:
            raise InvalidParameterException(ALREADY_REGISTERED) from None
    return passkey


def _friendly_name(attachment: str | None) -> str:
    # Cognito names passkeys itself (WebAuthnCredentialDescription.FriendlyCredentialName).
    return {"platform": "Platform passkey", "cross-platform": "Security key"}.get(attachment or "", "Passkey")


def request_options(
    ctx: Ctx, tx: Tx, pool: Pool, user: User | None, timeout_seconds: float
) -> tuple[dict[str, Any], str]:
    """The PublicKeyCredentialRequestOptions (JSON form, §5.5) of a WEB_AUTHN sign-in challenge for ``user``
    (its passkeys allowed; none for a name no user has) and the challenge, base64url; ``timeout_seconds`` is
    how long the challenge's Session lives."""
    rp = pool_relying_party(ctx, tx, pool)
    challenge = base64url_encode(secrets.token_bytes(CHALLENGE_BYTES))
    passkeys = _all_passkeys(tx, user) if user is not None else []
    passkey_mfa_user = user is not None and passkey_mfa(user)
    options = {
        "challenge": challenge,
        "rpId": rp.id,
        "allowCredentials": [_descriptor(p) for p in passkeys],
        "userVerification": REQUIRED if passkey_mfa_user else rp.user_verification,
        "timeout": int(timeout_seconds * 1000),
    }
    return options, challenge


def check_assertion(ctx: Ctx, tx: Tx, pool: Pool, user: User, credential_json: str, challenge: str) -> Passkey:
    """The CREDENTIAL answer of a WEB_AUTHN challenge (AuthenticationResponseJSON, as Amplify sends it),
    verified (§7.2) in the caller's write transaction against ``user``'s passkey it names and the
    ``challenge`` of this Session; its signature counter is advanced. NotAuthorized for anything else."""
    try:
        credential = json.loads(credential_json)
        credential_id = base64url_decode(credential.get("rawId") or credential.get("id") or "")
        presented = client_data(credential)
    except (ValueError, AttributeError, CeremonyRefused):
        raise NotAuthorizedException(SIGN_IN_REFUSED) from None
    stored = tx.webauthn_credentials.get(pool.id, credential_id)
    if stored is None or stored.sub != user.sub:
        raise NotAuthorizedException(SIGN_IN_REFUSED)
    rp = pool_relying_party(ctx, tx, pool)
    if not origin_allowed(rp.id, presented.origin):
        raise NotAuthorizedException(SIGN_IN_REFUSED)
    try:
        count, _verified = verify_assertion(
            credential,
            base64url_decode(challenge),
            rp.id,
            presented.origin,
            stored.public_key,
            stored.sign_count,
            rp.requires_verification or passkey_mfa(user),
        )
    except CeremonyRefused:
        raise NotAuthorizedException(SIGN_IN_REFUSED) from None
    if not tx.webauthn_credentials.record_use(stored, count, ctx.now):
        raise NotAuthorizedException(SIGN_IN_REFUSED)
    return stored
