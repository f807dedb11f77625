"""A user's registered passkeys as the admin console shows them, and their removal by an operator (Cognito
has no admin operation for them; the user page of the AWS console lists them as ListWebAuthnCredentials
describes each, and DeleteWebAuthnCredential removes one)."""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.crypto.passkey_ceremonies import CeremonyRefused, base64url_decode, base64url_encode
from userpool.model.passkeys import MAX_PASSKEYS_PER_USER, credential_description


def passkeys_of_user(ctx: Ctx, pool_id: str, sub: str) -> list[dict[str, Any]]:
    """Every passkey of the user with ``sub`` (at most 20), as WebAuthnCredentialDescription."""
    with ctx.store.read() as tx:
        found = tx.webauthn_credentials.of_user(pool_id, sub, MAX_PASSKEYS_PER_USER, None).items
    return [credential_description(p, base64url_encode(p.credential_id)) for p in found]


def remove_user_passkey(ctx: Ctx, pool_id: str, sub: str, credential_id: str) -> bool:
    """Remove one passkey of the user with ``sub``; False when it has none with that id."""
    try:
        raw = base64url_decode(credential_id)
    except CeremonyRefused:
        return False
    with ctx.store.write() as tx:
        return bool(raw) and tx.webauthn_credentials.delete(pool_id, sub, raw)
