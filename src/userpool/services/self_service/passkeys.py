"""A user's own passkeys, authorized by its access token: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
ListWebAuthnCredentials and DeleteWebAuthnCredential (Cognito developer guide: 'Passkey sign-in'; API reference
of each operation). The ceremonies themselves are services/users/steps/passkeys.py, which the hosted pages
call too.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.crypto.passkey_ceremonies import CeremonyRefused, base64url_decode, base64url_encode
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.model.passkeys import LIST_LIMIT, credential_description
from userpool.model.sign_in import status_refusal
from userpool.services.tokens.steps.tokens import AccessContext, authenticate_access_token
from userpool.services.users.steps.passkeys import complete_registration, start_registration

NO_SUCH_PASSKEY = "The passkey credential was not found."


def _signed_in(ctx: Ctx, token: str) -> AccessContext:
    """The access token's user, which must be allowed to sign in (PasswordResetRequiredException ...)."""
    with ctx.store.read() as tx:
        access = authenticate_access_token(ctx, tx, token)
    refusal = status_refusal(access.user, hides_users=False)
    if refusal is not None:
        raise refusal
    return access


def start_web_authn_registration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Creation options for a new passkey of the signed-in user: StartWebAuthnRegistration."""
    access = _signed_in(ctx, req["AccessToken"])
    options = start_registration(ctx, access.pool, access.client.id, access.user)
    return {"CredentialCreationOptions": options}


def complete_web_authn_registration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Verify and store the signed-in user's new passkey: CompleteWebAuthnRegistration."""
    access = _signed_in(ctx, req["AccessToken"])
    credential = req["Credential"]
    if not isinstance(credential, dict):
        raise InvalidParameterException("Credential must be a RegistrationResponseJSON object.")
    complete_registration(ctx, access.pool, access.client.id, access.user, credential)
    return {}


def list_web_authn_credentials(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """A page of the signed-in user's passkeys, MaxResults at most 20: ListWebAuthnCredentials."""
    access = _signed_in(ctx, req["AccessToken"])
    user = access.user
    scope = f"ListWebAuthnCredentials:{user.pool_id}:{user.sub}"
    cursor = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
    after = base64url_decode(cursor) if cursor is not None else None
    with ctx.store.read() as tx:
        page = tx.webauthn_credentials.of_user(user.pool_id, user.sub, req.get("MaxResults") or LIST_LIMIT, after)
    answer: dict[str, Any] = {
        "Credentials": [credential_description(p, base64url_encode(p.credential_id)) for p in page.items]
    }
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token is not None:
        answer["NextToken"] = token
    return answer


def delete_web_authn_credential(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Remove one of the signed-in user's passkeys: DeleteWebAuthnCredential."""
    access = _signed_in(ctx, req["AccessToken"])
    try:
        credential_id = base64url_decode(req["CredentialId"])
    except CeremonyRefused:
        raise ResourceNotFoundException(NO_SUCH_PASSKEY) from None
    with ctx.store.write() as tx:
        if not credential_id or not tx.webauthn_credentials.delete(access.pool.id, access.user.sub, credential_id):
            raise ResourceNotFoundException(NO_SUCH_PASSKEY)
    return {}
