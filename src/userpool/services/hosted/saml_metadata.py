"""The pool's SAML service-provider metadata for an operator to give an identity provider (OASIS
saml-metadata-2.0-os §2.4.4 SPSSODescriptor): entity ID ``urn:amazon:cognito:sp:<pool id>``, the ACS and SLO
URLs on the host asked, the pool's signing certificate (GetSigningCertificate's) and, for a provider with
EncryptedResponses, its encryption certificate. Amazon Cognito documents the values, not a metadata URL: this
server's ``GET /saml2/metadata`` is a convenience of its own.
"""

from __future__ import annotations

from userpool.context import Ctx
from userpool.model.identity_providers import SAML
from userpool.services.federation.steps.saml_exchanges import pool_metadata


def metadata_document(ctx: Ctx, pool_id: str, provider_name: str | None, base: str) -> str | None:
    """The metadata of ``pool_id`` (for its SAML provider ``provider_name`` when one is named) on ``base``;
    None when the pool or the named SAML provider does not exist."""
    with ctx.store.read() as tx:
        pool = tx.pools.get(pool_id)
        provider = tx.identity_providers.get(pool_id, provider_name) if provider_name else None
    if pool is None or (provider_name and (provider is None or provider.provider_type != SAML)):
        return None
    return pool_metadata(ctx, pool_id, base, provider)
