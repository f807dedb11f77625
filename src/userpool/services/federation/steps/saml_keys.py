"""A pool's SAML signing key and certificate (Cognito developer guide: 'SAML signing and encryption';
GetSigningCertificate API reference): RSA-2048, self-signed, valid ten years, made on first use.

Two first uses at once both make a key (outside any transaction: RSA generation is slow), but only one
generation 1 can be stored; the loser reads the winner's.
"""

from __future__ import annotations

from userpool.context import Ctx
from userpool.crypto.certificates import new_key_and_certificate
from userpool.errors import ResourceNotFoundException
from userpool.model.saml_service_provider import SamlSigningKey
from userpool.services.lookup.records import pool_or_404
from userpool.store.base import Conflict


def saml_signing_key(ctx: Ctx, pool_id: str) -> SamlSigningKey:
    """The pool's newest SAML signing key, made now if the pool has none; ResourceNotFoundException for a
    pool that does not exist."""
    with ctx.store.read() as tx:
        key = tx.saml_signing_keys.newest(pool_id)
        if key is None:
            pool_or_404(tx, pool_id)
    if key is not None:
        return key
    private_pem, certificate = new_key_and_certificate(pool_id, ctx.now)
    try:
        with ctx.store.write() as tx:
            pool_or_404(tx, pool_id)
            tx.saml_signing_keys.add(SamlSigningKey(pool_id, 1, certificate, private_pem, ctx.now))
    except Conflict:
        pass
    with ctx.store.read() as tx:
        key = tx.saml_signing_keys.newest(pool_id)
    if key is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return key
