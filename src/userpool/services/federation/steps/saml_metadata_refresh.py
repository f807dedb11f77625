"""Keeping the metadata of a SAML provider created from a MetadataURL current ('Adding and managing SAML
identity providers in a user pool': Cognito reads the provider's signing certificates from its metadata;
identity providers rotate their keys and publish the new certificate there).

Two occasions re-read the document, both at sign-in time and outside any write transaction:

- ``fresh_saml_provider``: the stored copy is older than ``METADATA_REFRESH_SECONDS`` (checked before an
  AuthnRequest is built and before a Response or LogoutRequest is verified);
- ``refetched_saml_provider``: a Response's signature verified with none of the stored certificates (the
  provider may have rotated its key), and the last fetch was tried more than ``METADATA_RETRY_SECONDS`` ago.

Fetches are spaced by at least ``METADATA_RETRY_SECONDS`` per provider, whatever their outcome and however
many bad responses arrive: a fetch is first claimed by a version-checked write of ``fetch_tried_at``, so of
the instances sharing the database one fetches and the others keep what is stored. A document that cannot
be fetched, parsed or checked (model/saml_metadata.py) leaves the stored metadata as it was and is logged
by provider and reason (no URL, no document). A new document is stored by a version-checked update too: an
UpdateIdentityProvider that wrote the record meanwhile wins.
"""

from __future__ import annotations

import dataclasses
import logging

from userpool.context import Ctx
from userpool.errors import CognitoError
from userpool.model.identity_providers import SAML, IdentityProvider
from userpool.model.saml_metadata import read_metadata
from userpool.services.federation.steps.provider_records import fetched_metadata_document

log = logging.getLogger("userpool.federation")

# How old a copy of MetadataURL's document may get before a sign-in reads it again (AWS refreshes URL
# metadata periodically and does not say how often; six hours is ours, documented in README.md).
METADATA_REFRESH_SECONDS = 6 * 3600
# The least time between two fetches of one provider's metadata, successful or not.
METADATA_RETRY_SECONDS = 300


def _fetches(provider: IdentityProvider) -> bool:
    return provider.provider_type == SAML and provider.saml is not None and "MetadataURL" in provider.details


def _may_try(ctx: Ctx, provider: IdentityProvider) -> bool:
    assert provider.saml is not None
    tried = provider.saml.fetch_tried_at or provider.saml.fetched_at or 0.0
    return ctx.now - tried >= METADATA_RETRY_SECONDS


def fresh_saml_provider(ctx: Ctx, provider: IdentityProvider) -> IdentityProvider:
    """``provider`` with metadata no older than the refresh interval when MetadataURL gives it and it can
    be read now; otherwise ``provider`` as stored."""
    if not _fetches(provider) or not _may_try(ctx, provider):
        return provider
    assert provider.saml is not None
    if ctx.now - (provider.saml.fetched_at or 0.0) < METADATA_REFRESH_SECONDS:
        return provider
    return _refreshed(ctx, provider, "refresh interval")


def refetched_saml_provider(ctx: Ctx, provider: IdentityProvider) -> IdentityProvider | None:
    """After a signature that none of ``provider``'s certificates verify: the provider with its metadata
    read again when that is allowed now and gives other signing certificates; else None."""
    if not _fetches(provider) or not _may_try(ctx, provider):
        return None
    assert provider.saml is not None
    refreshed = _refreshed(ctx, provider, "signature not verified")
    if refreshed.saml is None or refreshed.saml.signing_certificates == provider.saml.signing_certificates:
        return None
    return refreshed


def _stored(ctx: Ctx, provider: IdentityProvider, expected_version: int) -> IdentityProvider | None:
    """Write ``provider`` if the record is still at ``expected_version``; None when another write won."""
    with ctx.store.write() as tx:
        if tx.identity_providers.update(provider, expected_version):
            return provider
    return None


def _current(ctx: Ctx, provider: IdentityProvider) -> IdentityProvider:
    with ctx.store.read() as tx:
        return tx.identity_providers.get(provider.pool_id, provider.name) or provider


def _refreshed(ctx: Ctx, provider: IdentityProvider, why: str) -> IdentityProvider:
    assert provider.saml is not None
    claim = dataclasses.replace(
        provider, saml=dataclasses.replace(provider.saml, fetch_tried_at=ctx.now), version=provider.version + 1
    )
    if _stored(ctx, claim, provider.version) is None:
        return _current(ctx, provider)  # another request is fetching, or the operator changed the record
    try:
        document = fetched_metadata_document(ctx, provider.details["MetadataURL"])
        metadata = read_metadata(document, ctx.now, ctx.settings.federation.allow_http_idp_urls)
    except CognitoError as exc:
        log.warning(
            "SAML metadata of provider %s in pool %s not refreshed (%s): %s; the stored metadata stays",
            provider.name,
            provider.pool_id,
            why,
            exc.message,
        )
        return claim
    refreshed = dataclasses.replace(
        claim,
        saml=dataclasses.replace(metadata, fetched_at=ctx.now, fetch_tried_at=ctx.now),
        version=claim.version + 1,
    )
    return _stored(ctx, refreshed, claim.version) or _current(ctx, provider)
