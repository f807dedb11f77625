"""The port through which services place an IP address (``ctx.deps.geoip``): a lookup in memory, never a
network call, so a sign-in may ask it on its way."""

from __future__ import annotations

from typing import Protocol

from userpool.model.geo import Place


class GeoIp(Protocol):
    """Places of IP addresses."""

    def locate(self, address: str) -> Place | None:
        """Where ``address`` is; None when it is no IP address, or the database does not know it."""
        ...


class NoGeoIp:
    """The server without a GeoIP database: no address has a place."""

    def locate(self, address: str) -> Place | None:
        return None
