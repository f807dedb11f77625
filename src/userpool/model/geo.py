"""Places of IP addresses, as an operator's GeoIP database gives them (geoip/port.py), and the distance between
two of them: what adaptive authentication's impossible-travel signal and the City and Country members of an
auth event's EventContextData are made from."""

from __future__ import annotations

import math
from dataclasses import dataclass

# The mean radius of the Earth (IUGG), for great-circle distances.
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    """Where an address is: its ``city`` and ``country`` names (empty when the database has none), and its
    coordinates in degrees with the database's ``accuracy_km`` (the radius it vouches for; 0 when it gives none).
    ``latitude`` / ``longitude`` are None for an address the database places in a country only."""

    city: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy_km: float = 0.0

    @property
    def located(self) -> bool:
        """Whether the place has coordinates."""
        return self.latitude is not None and self.longitude is not None


def distance_km(a: Place, b: Place) -> float | None:
    """The great-circle distance between two located places (haversine formula); None when either has no
    coordinates."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    d_lat = lat2 - lat1
    d_lon = math.radians(b.longitude - a.longitude)
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def context_members(place: Place | None) -> dict[str, str]:
    """EventContextData's City and Country for ``place`` (the members it has names for)."""
    if place is None:
        return {}
    members = {"City": place.city, "Country": place.country}
    return {name: value for name, value in members.items() if value}
