"""Test GeoIP databases: MaxMind DB files written by mmdb-writer in GeoLite2 City's record layout, placing the
documentation address ranges (RFC 5737, RFC 3849) in real cities."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet


@dataclass(frozen=True)
class City:
    name: str
    country: str
    iso_code: str
    latitude: float
    longitude: float
    accuracy_km: int = 20


BERLIN = City("Berlin", "Germany", "DE", 52.5200, 13.4050)
POTSDAM = City("Potsdam", "Germany", "DE", 52.3906, 13.0645)
SYDNEY = City("Sydney", "Australia", "AU", -33.8688, 151.2093)
NEW_YORK = City("New York", "United States", "US", 40.7128, -74.0060)

# Which documentation range lies where.
PLACES: dict[str, City] = {
    "192.0.2.0/24": BERLIN,
    "198.51.100.0/24": SYDNEY,
    "203.0.113.0/25": NEW_YORK,
    "203.0.113.128/25": POTSDAM,
    "2001:db8:1::/48": BERLIN,
    "2001:db8:2::/48": SYDNEY,
}


def record(city: City) -> dict[str, object]:
    """A GeoLite2 City record for ``city``."""
    return {
        "city": {"geoname_id": 1, "names": {"en": city.name}},
        "country": {"geoname_id": 2, "iso_code": city.iso_code, "names": {"en": city.country}},
        "location": {
            "accuracy_radius": city.accuracy_km,
            "latitude": city.latitude,
            "longitude": city.longitude,
            "time_zone": "UTC",
        },
    }


def write_city_database(
    path: Path, places: dict[str, City] | None = None, extra: dict[str, object] | None = None
) -> Path:
    """A GeoLite2-City-like database at ``path`` with ``places`` (PLACES by default) and ``extra`` records as
    they are (CIDR to record), IPv4 inside IPv6 as MaxMind's own databases hold it."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City", languages=["en"])
    for cidr, city in (PLACES if places is None else places).items():
        writer.insert_network(IPSet([cidr]), record(city))
    for cidr, content in (extra or {}).items():
        writer.insert_network(IPSet([cidr]), content)  # type: ignore[arg-type]
    writer.to_db_file(str(path))
    return path
