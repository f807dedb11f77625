"""The GeoIP adapter on MaxMind DB files written by mmdb-writer: places of IPv4 and IPv6 addresses, what it
answers for addresses it does not know, a database replaced where it lies, and a file that is no database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from tests.support.geoip import BERLIN, SYDNEY, record, write_city_database
from userpool.geoip.maxmind import GeoIpDatabaseError, MaxMindGeoIp, place_of
from userpool.geoip.port import NoGeoIp
from userpool.model.geo import Place


def test_locate__ipv4_and_ipv6_addresses(tmp_path: Path) -> None:
    geoip = MaxMindGeoIp(str(write_city_database(tmp_path / "city.mmdb")))
    assert geoip.locate("192.0.2.77") == Place("Berlin", "Germany", 52.52, 13.405, 20.0)
    assert geoip.locate(" 198.51.100.1 ") == Place("Sydney", "Australia", -33.8688, 151.2093, 20.0)
    assert geoip.locate("2001:db8:1:ffff::1") == Place("Berlin", "Germany", 52.52, 13.405, 20.0)


def test_locate__unknown_and_malformed_addresses(tmp_path: Path) -> None:
    geoip = MaxMindGeoIp(str(write_city_database(tmp_path / "city.mmdb")))
    assert geoip.locate("10.1.2.3") is None
    assert geoip.locate("2001:db8:9::1") is None
    assert geoip.locate("testclient") is None
    assert geoip.locate("") is None
    assert NoGeoIp().locate("192.0.2.1") is None


def test_locate__country_only_and_partial_records(tmp_path: Path) -> None:
    extra = {
        "100.64.0.0/24": {"country": {"iso_code": "FR", "names": {"en": "France"}}},
        "100.64.1.0/24": {"registered_country": {"iso_code": "NL"}},
        "100.64.2.0/24": {"location": {"latitude": 10, "longitude": 20}},
        "100.64.3.0/24": {"autonomous_system_number": 64500},
        "100.64.4.0/24": {"city": {"names": {"en": "Lyon"}}, "location": {"latitude": 45.76}},
    }
    geoip = MaxMindGeoIp(str(write_city_database(tmp_path / "city.mmdb", {}, extra)))
    assert geoip.locate("100.64.0.9") == Place(country="France")
    assert geoip.locate("100.64.1.9") == Place(country="NL")
    assert geoip.locate("100.64.2.9") == Place(latitude=10.0, longitude=20.0)
    assert geoip.locate("100.64.3.9") is None
    # A latitude without a longitude is no position.
    located = geoip.locate("100.64.4.9")
    assert located == Place(city="Lyon") and not located.located


def test_place_of__records_of_another_shape() -> None:
    assert place_of(None) is None
    assert place_of("Berlin") is None
    assert place_of({"city": "Berlin", "location": [1, 2]}) is None
    assert place_of({"city": {"names": {"de": "Berlin"}}, "country": {"names": {"en": "Germany"}}}) == Place(
        country="Germany"
    )


def test_maxmind_geoip__a_replaced_database_is_used_after_the_recheck(tmp_path: Path) -> None:
    path = tmp_path / "city.mmdb"
    write_city_database(path, {"192.0.2.0/24": BERLIN})
    ticks = [0.0]
    geoip = MaxMindGeoIp(str(path), recheck_seconds=60, monotonic=lambda: ticks[0])
    assert geoip.locate("192.0.2.1") is not None and geoip.locate("192.0.2.1").city == "Berlin"  # type: ignore[union-attr]
    # geoipupdate's way: a new file renamed over the old one.
    write_city_database(tmp_path / "new.mmdb", {"192.0.2.0/24": SYDNEY})
    os.replace(tmp_path / "new.mmdb", path)
    ticks[0] = 59.0
    assert geoip.locate("192.0.2.1").city == "Berlin"  # type: ignore[union-attr]
    ticks[0] = 61.0
    assert geoip.locate("192.0.2.1").city == "Sydney"  # type: ignore[union-attr]


def test_maxmind_geoip__a_broken_replacement_keeps_the_database_in_use(tmp_path: Path) -> None:
    path = tmp_path / "city.mmdb"
    write_city_database(path, {"192.0.2.0/24": BERLIN})
    ticks = [0.0]
    geoip = MaxMindGeoIp(str(path), recheck_seconds=1, monotonic=lambda: ticks[0])
    (tmp_path / "half.mmdb").write_bytes(b"not a database")
    os.replace(tmp_path / "half.mmdb", path)
    ticks[0] = 5.0
    assert geoip.locate("192.0.2.1").city == "Berlin"  # type: ignore[union-attr]
    write_city_database(tmp_path / "new.mmdb", {"192.0.2.0/24": SYDNEY})
    os.replace(tmp_path / "new.mmdb", path)
    ticks[0] = 10.0
    assert geoip.locate("192.0.2.1").city == "Sydney"  # type: ignore[union-attr]


def test_maxmind_geoip__a_missing_or_broken_file_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(GeoIpDatabaseError, match="cannot be read as a MaxMind DB file"):
        MaxMindGeoIp(str(tmp_path / "absent.mmdb"))
    (tmp_path / "text.mmdb").write_text("hello")
    with pytest.raises(GeoIpDatabaseError, match=r"text\.mmdb"):
        MaxMindGeoIp(str(tmp_path / "text.mmdb"))


def test_locate__an_ipv6_address_in_an_ipv4_database(tmp_path: Path) -> None:
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-City", languages=["en"])
    writer.insert_network(IPSet(["192.0.2.0/24"]), record(BERLIN))
    writer.to_db_file(str(tmp_path / "v4.mmdb"))
    geoip = MaxMindGeoIp(str(tmp_path / "v4.mmdb"))
    assert geoip.locate("192.0.2.5") == Place("Berlin", "Germany", 52.52, 13.405, 20.0)
    assert geoip.locate("2001:db8:1::1") is None
