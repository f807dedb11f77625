"""A user's tracked devices; the SRP verifier is sealed, bound to the device row."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.devices import Device
from userpool.model.records import Page
from userpool.store.sql.rows import conflicts_as, keyset_page
from userpool.store.sql.tables import devices

_d = devices.c


class SqlDeviceRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    def _context(self, device: Device) -> str:
        # Bound to pool, user and key: a verifier copied onto another device row does not open.
        return f"device-srp:{device.pool_id}:{device.sub}:{device.device_key}"

    def _values(self, device: Device) -> dict[str, Any]:
        sealed = self._sealer.seal(device.srp_verifier, self._context(device)) if device.srp_verifier else None
        return {
            "group_key": device.group_key,
            "name": device.name,
            "srp_salt": device.srp_salt,
            "srp_verifier_sealed": sealed,
            "remembered": device.remembered,
            "last_ip": device.last_ip,
            "updated_at": device.updated_at,
            "confirmed_at": device.confirmed_at,
            "authenticated_at": device.authenticated_at,
        }

    def _device(self, row: Any) -> Device:
        device = Device(
            device_key=row.device_key,
            pool_id=row.pool_id,
            sub=row.sub,
            group_key=row.group_key,
            created_at=row.created_at,
            updated_at=row.updated_at,
            name=row.name,
            srp_salt=row.srp_salt,
            remembered=row.remembered,
            last_ip=row.last_ip,
            confirmed_at=row.confirmed_at,
            authenticated_at=row.authenticated_at,
        )
        if row.srp_verifier_sealed is None:
            return device
        verifier = self._sealer.unseal(row.srp_verifier_sealed, self._context(device))
        return Device(**{**_fields(device), "srp_verifier": verifier})

    def add(self, device: Device) -> None:
        with conflicts_as({}, "device_key"):
            self._conn.execute(
                devices.insert().values(
                    device_key=device.device_key,
                    pool_id=device.pool_id,
                    sub=device.sub,
                    created_at=device.created_at,
                    **self._values(device),
                )
            )

    def get(self, pool_id: str, sub: str, device_key: str, for_update: bool = False) -> Device | None:
        query = sa.select(devices).where(_d.pool_id == pool_id, _d.sub == sub, _d.device_key == device_key)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return self._device(row) if row else None

    def update(self, device: Device) -> None:
        self._conn.execute(
            devices.update()
            .where(_d.pool_id == device.pool_id, _d.sub == device.sub, _d.device_key == device.device_key)
            .values(**self._values(device))
        )

    def delete(self, pool_id: str, sub: str, device_key: str) -> bool:
        deleted = self._conn.execute(
            devices.delete().where(_d.pool_id == pool_id, _d.sub == sub, _d.device_key == device_key)
        ).rowcount
        return bool(deleted == 1)

    def list_confirmed(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page[Device]:
        """The user's confirmed devices, in device-key order."""
        where = [_d.pool_id == pool_id, _d.sub == sub, _d.confirmed_at.is_not(None)]
        if after is not None:
            where.append(_d.device_key > after)
        rows = self._conn.execute(sa.select(devices).where(*where).order_by(_d.device_key).limit(limit + 1)).all()
        return keyset_page(rows, limit, self._device, lambda r: str(r.device_key))


def _fields(device: Device) -> dict[str, Any]:
    return {name: getattr(device, name) for name in Device.__dataclass_fields__}
