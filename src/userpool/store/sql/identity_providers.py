"""A pool's identity providers; their secrets are sealed at rest, bound to the provider's row."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.identity_providers import SECRET_KEYS, EncryptionKey, IdentityProvider, SamlMetadata
from userpool.model.records import Page
from userpool.store.base import NotFound
from userpool.store.sql.rows import conflicts_as, count, keyset_page
from userpool.store.sql.tables import identity_provider_identifiers as identifiers
from userpool.store.sql.tables import identity_providers as providers

_p = providers.c
_i = identifiers.c
# An IdentityProvider's row, or an IdpIdentifier taken by another provider.
_CONFLICTS = {"identity_provider_identifiers": "identifier"}


def _saml(document: dict[str, Any] | None) -> SamlMetadata | None:
    if document is None:
        return None
    return SamlMetadata(
        document["entity_id"],
        document["sso_redirect_url"],
        document.get("slo_redirect_url"),
        tuple(document["signing_certificates"]),
        document.get("fetched_at"),
        document.get("fetch_tried_at"),
    )


def _saml_document(saml: SamlMetadata | None) -> dict[str, Any] | None:
    if saml is None:
        return None
    return {
        "entity_id": saml.entity_id,
        "sso_redirect_url": saml.sso_redirect_url,
        "slo_redirect_url": saml.slo_redirect_url,
        "signing_certificates": list(saml.signing_certificates),
        "fetched_at": saml.fetched_at,
        "fetch_tried_at": saml.fetch_tried_at,
    }


class SqlIdentityProviderRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    @staticmethod
    def _context(pool_id: str, name: str, what: str) -> str:
        # Bound to the row: a sealed value copied onto another provider does not open.
        return f"identity-provider:{what}:{pool_id}:{name}"

    def _provider(self, row: Any) -> IdentityProvider:
        details = dict(row.details)
        if row.secrets_sealed:
            sealed = self._sealer.unseal(row.secrets_sealed, self._context(row.pool_id, row.name, "secrets"))
            details.update(json.loads(sealed))
        key = None
        if row.encryption_key_sealed:
            pem = self._sealer.unseal(row.encryption_key_sealed, self._context(row.pool_id, row.name, "encryption"))
            key = EncryptionKey(row.encryption_certificate, pem)
        return IdentityProvider(
            pool_id=row.pool_id,
            name=row.name,
            provider_type=row.provider_type,
            details=dict(sorted(details.items())),
            attribute_mapping=dict(row.attribute_mapping),
            idp_identifiers=tuple(row.idp_identifiers),
            acr_mapping=dict(row.acr_mapping),
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            discovered=dict(row.discovered),
            saml=_saml(row.saml),
            encryption_key=key,
        )

    def _values(self, provider: IdentityProvider) -> dict[str, Any]:
        secrets = {k: v for k, v in provider.details.items() if k in SECRET_KEYS}
        key = provider.encryption_key
        return {
            "details": {k: v for k, v in provider.details.items() if k not in SECRET_KEYS},
            "secrets_sealed": (
                self._sealer.seal(json.dumps(secrets), self._context(provider.pool_id, provider.name, "secrets"))
                if secrets
                else None
            ),
            "attribute_mapping": provider.attribute_mapping,
            "idp_identifiers": list(provider.idp_identifiers),
            "acr_mapping": provider.acr_mapping,
            "discovered": provider.discovered,
            "saml": _saml_document(provider.saml),
            "encryption_certificate": key.certificate if key else None,
            "encryption_key_sealed": (
                self._sealer.seal(key.private_key_pem, self._context(provider.pool_id, provider.name, "encryption"))
                if key
                else None
            ),
            "version": provider.version,
            "updated_at": provider.updated_at,
        }

    def _add_identifiers(self, provider: IdentityProvider) -> None:
        if provider.idp_identifiers:
            rows = [
                {"pool_id": provider.pool_id, "identifier": i, "provider_name": provider.name}
                for i in provider.idp_identifiers
            ]
            with conflicts_as(_CONFLICTS, "identifier"):
                self._conn.execute(identifiers.insert(), rows)

    def add(self, provider: IdentityProvider) -> None:
        with conflicts_as(_CONFLICTS, "name"):
            self._conn.execute(
                providers.insert().values(
                    pool_id=provider.pool_id,
                    name=provider.name,
                    provider_type=provider.provider_type,
                    created_at=provider.created_at,
                    **self._values(provider),
                )
            )
        self._add_identifiers(provider)

    def get(self, pool_id: str, name: str) -> IdentityProvider | None:
        row = self._conn.execute(sa.select(providers).where(_p.pool_id == pool_id, _p.name == name)).first()
        return self._provider(row) if row else None

    def find_by_identifier(self, pool_id: str, identifier: str) -> IdentityProvider | None:
        row = self._conn.execute(
            sa.select(providers)
            .join(identifiers, (_i.pool_id == _p.pool_id) & (_i.provider_name == _p.name))
            .where(_i.pool_id == pool_id, _i.identifier == identifier)
        ).first()
        return self._provider(row) if row else None

    def update(self, provider: IdentityProvider, expected_version: int) -> bool:
        stmt = (
            providers.update()
            .where(_p.pool_id == provider.pool_id, _p.name == provider.name, _p.version == expected_version)
            .values(**self._values(provider))
        )
        if self._conn.execute(stmt).rowcount == 0:
            return False
        self._conn.execute(
            identifiers.delete().where(_i.pool_id == provider.pool_id, _i.provider_name == provider.name)
        )
        self._add_identifiers(provider)
        return True

    def delete(self, pool_id: str, name: str) -> None:
        # Its IdpIdentifiers go with it (ON DELETE CASCADE).
        if self._conn.execute(providers.delete().where(_p.pool_id == pool_id, _p.name == name)).rowcount == 0:
            raise NotFound(name)

    def list(self, pool_id: str, limit: int, after: str | None) -> Page[IdentityProvider]:
        stmt = sa.select(providers).where(_p.pool_id == pool_id)
        if after is not None:
            stmt = stmt.where(_p.name > after)
        rows = self._conn.execute(stmt.order_by(_p.name).limit(limit + 1)).all()
        return keyset_page(rows, limit, self._provider, lambda r: str(r.name))

    def count(self, pool_id: str) -> int:
        return count(self._conn, providers, _p.pool_id == pool_id)
