"""The GeoIP adapter: an operator's MaxMind DB file (GeoLite2 or GeoIP2 City, or a database of their record
layout: ``city.names``, ``country.names`` / ``iso_code``, ``location.latitude``, ``longitude`` and
``accuracy_radius``), memory-mapped and read in process.

The file is opened when the server starts, so that a missing or broken database stops it there. A database is
replaced where it lies (geoipupdate writes a new file and renames it over the old one): the file is looked at
again at most every ``recheck_seconds``, and a changed one is opened and used from then on. A reader being
replaced is never closed here: a lookup on another thread may still hold it, and it closes when the last
reference goes.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import maxminddb

from userpool.model.geo import Place

log = logging.getLogger("userpool.geoip")
# The language of the names put in EventContextData (MaxMind's databases all have English names).
LANGUAGE = "en"
RECHECK_SECONDS = 60.0


class GeoIpDatabaseError(Exception):
    """The configured GeoIP database cannot be read."""


def _open(path: str) -> Any:
    try:
        return maxminddb.open_database(path)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as err:
        raise GeoIpDatabaseError(f"geoip_database {path!r} cannot be read as a MaxMind DB file: {err}") from err


def _identity(path: str) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def _name(record: Mapping[str, Any], member: str) -> str:
    part = record.get(member)
    if not isinstance(part, Mapping):
        return ""
    names = part.get("names")
    if isinstance(names, Mapping) and isinstance(names.get(LANGUAGE), str):
        return str(names[LANGUAGE])
    return ""


def _number(location: Mapping[str, Any], member: str) -> float | None:
    value = location.get(member)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def place_of(record: Any) -> Place | None:
    """The place a database record describes; None when it names neither a place nor coordinates."""
    if not isinstance(record, Mapping):
        return None
    country = _name(record, "country") or _name(record, "registered_country")
    if not country:
        for member in ("country", "registered_country"):
            part = record.get(member)
            if isinstance(part, Mapping) and isinstance(part.get("iso_code"), str):
                country = str(part["iso_code"])
                break
    location = record.get("location")
    location = location if isinstance(location, Mapping) else {}
    latitude, longitude = _number(location, "latitude"), _number(location, "longitude")
    if latitude is None or longitude is None:
        latitude = longitude = None
    accuracy = _number(location, "accuracy_radius") or 0.0
    place = Place(_name(record, "city"), country, latitude, longitude, accuracy)
    if not (place.city or place.country or place.located):
        return None
    return place


class MaxMindGeoIp:
    """The GeoIP port on a MaxMind DB file."""

    def __init__(
        self,
        path: str,
        recheck_seconds: float = RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = path
        self._recheck = recheck_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._identity = _identity(path)
        self._reader = _open(path)
        self._checked = monotonic()

    def _current(self) -> Any:
        now = self._monotonic()
        if now - self._checked < self._recheck:
            return self._reader
        with self._lock:
            if now - self._checked < self._recheck:
                return self._reader
            self._checked = now
            identity = _identity(self._path)
            if identity is not None and identity != self._identity:
                try:
                    self._reader = _open(self._path)
                    self._identity = identity
                    log.info("GeoIP database reopened after it changed")
                except GeoIpDatabaseError as err:
                    # Half-written, or not a database: keep the one in use, and look again next time.
                    log.warning("GeoIP database changed but cannot be read; the previous one stays in use: %s", err)
            return self._reader

    def locate(self, address: str) -> Place | None:
        try:
            found = ipaddress.ip_address(address.strip())
        except ValueError:
            return None
        try:
            record = self._current().get(found)
        except (ValueError, maxminddb.InvalidDatabaseError):
            # An IPv6 address in an IPv4-only database, or a damaged record: nothing known.
            return None
        return place_of(record)
