"""Adaptive authentication's signals and rules (model/risk_signals.py, model/geo.py): networks of addresses,
device identities, distances and impossible travel, and the levels the rules give."""

from __future__ import annotations

import pytest

from userpool.model.auth_events import RiskLevel
from userpool.model.geo import Place, context_members, distance_km
from userpool.model.risk_signals import (
    AdaptiveSignals,
    SignInHistory,
    adaptive_level,
    adaptive_signals,
    device_identity,
    impossible_travel,
    network_of,
)

BERLIN = Place("Berlin", "Germany", 52.52, 13.405, 20)
POTSDAM = Place("Potsdam", "Germany", 52.3906, 13.0645, 20)
SYDNEY = Place("Sydney", "Australia", -33.8688, 151.2093, 20)
HOUR = 3600.0


def test_network_of__ipv4_24_and_ipv6_48() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of(" 203.0.113.1 ") == "203.0.113.0/24"
    assert network_of("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    # The IPv4 address behind a dual-stack socket is its own network.
    assert network_of("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert network_of("testclient") is None
    assert network_of("") is None
    assert network_of(None) is None


def test_device_identity__key_first_then_user_agent() -> None:
    by_key = device_identity("us-east-1_abc", "Mozilla/5.0")
    assert by_key == device_identity("us-east-1_abc", None)
    assert by_key != device_identity(None, "Mozilla/5.0")
    assert device_identity(None, " Mozilla/5.0 ") == device_identity(None, "Mozilla/5.0")
    assert device_identity(None, "Mozilla/5.0") != device_identity(None, "curl/8.0")
    assert device_identity(None, "  ") is None
    assert device_identity("", None) is None
    assert len(by_key or "") == 64


def test_distance_km__great_circle() -> None:
    assert distance_km(BERLIN, SYDNEY) == pytest.approx(16_090, rel=0.01)
    assert distance_km(BERLIN, POTSDAM) == pytest.approx(27, abs=2)
    assert distance_km(BERLIN, BERLIN) == 0
    assert distance_km(BERLIN, Place(country="Germany")) is None


def test_context_members__city_and_country_it_has() -> None:
    assert context_members(BERLIN) == {"City": "Berlin", "Country": "Germany"}
    assert context_members(Place(country="France")) == {"Country": "France"}
    assert context_members(None) == {}


def test_impossible_travel__faster_than_an_airliner() -> None:
    # Berlin to Sydney: about 16,000 km; 10 minutes, or 15 hours, is too fast; a day is not.
    assert impossible_travel(BERLIN, 0, SYDNEY, 600)
    assert impossible_travel(BERLIN, 0, SYDNEY, 15 * HOUR)
    assert not impossible_travel(BERLIN, 0, SYDNEY, 24 * HOUR)
    # A clock that went back counts as no time at all.
    assert impossible_travel(BERLIN, 600, SYDNEY, 0)


def test_impossible_travel__near_places_and_unknown_places_never() -> None:
    assert not impossible_travel(BERLIN, 0, POTSDAM, 1)
    assert not impossible_travel(BERLIN, 0, BERLIN, 0)
    assert not impossible_travel(None, 0, SYDNEY, 1)
    assert not impossible_travel(BERLIN, 0, None, 1)
    assert not impossible_travel(BERLIN, 0, Place(country="Australia"), 1)
    # 150 km apart, but the database vouches for each only within 50 km: 50 km unexplained, no travel.
    vague = Place("A", "X", 0.0, 0.0, 50)
    far = Place("B", "X", 0.0, 1.349, 50)
    assert distance_km(vague, far) == pytest.approx(150, abs=1)
    assert not impossible_travel(vague, 0, far, 1)
    assert impossible_travel(Place("A", "X", 0.0, 0.0, 0), 0, Place("B", "X", 0.0, 1.349, 0), 1)


def test_adaptive_signals__nothing_is_new_without_a_successful_sign_in_to_compare() -> None:
    fresh = SignInHistory(user_failures=4)
    found = adaptive_signals(fresh, device="d", network="n", remembered_device=False, travel=False)
    assert found == AdaptiveSignals(user_failures=4)
    # Known networks but no known devices (earlier sign-ins named none): only the network can be new.
    networks_only = SignInHistory(networks=True)
    found = adaptive_signals(networks_only, device="d", network="n", remembered_device=False, travel=False)
    assert found == AdaptiveSignals(new_network=True)
    devices_only = SignInHistory(devices=True)
    found = adaptive_signals(devices_only, device="d", network="n", remembered_device=False, travel=False)
    assert found == AdaptiveSignals(new_device=True)


def test_adaptive_signals__new_device_and_network() -> None:
    history = SignInHistory(networks=True, devices=True, ip_failures=2)
    found = adaptive_signals(history, device="d", network="n", remembered_device=False, travel=True)
    assert found == AdaptiveSignals(new_device=True, new_network=True, ip_failures=2, impossible_travel=True)
    seen = SignInHistory(networks=True, network_seen=True, devices=True, device_seen=True)
    assert adaptive_signals(seen, device="d", network="n", remembered_device=False, travel=False) == AdaptiveSignals()
    # A remembered device is known even before it signed in with its key; an unknown device or address is
    # no evidence of anything.
    known_network = SignInHistory(networks=True, network_seen=True, devices=True)
    remembered = adaptive_signals(known_network, device="d", network="n", remembered_device=True, travel=False)
    assert remembered == AdaptiveSignals()
    both = SignInHistory(networks=True, devices=True)
    unknown = adaptive_signals(both, device=None, network=None, remembered_device=False, travel=False)
    assert unknown == AdaptiveSignals()


@pytest.mark.parametrize(
    ("signals", "level"),
    [
        (AdaptiveSignals(), None),
        (AdaptiveSignals(user_failures=2, ip_failures=4), None),
        (AdaptiveSignals(new_device=True), RiskLevel.Low),
        (AdaptiveSignals(new_network=True), RiskLevel.Low),
        (AdaptiveSignals(user_failures=3), RiskLevel.Low),
        (AdaptiveSignals(ip_failures=5), RiskLevel.Low),
        (AdaptiveSignals(new_device=True, user_failures=5), RiskLevel.Low),
        (AdaptiveSignals(new_device=True, new_network=True), RiskLevel.Medium),
        (AdaptiveSignals(new_device=True, new_network=True, user_failures=2), RiskLevel.Medium),
        (AdaptiveSignals(new_device=True, new_network=True, user_failures=3), RiskLevel.High),
        (AdaptiveSignals(new_device=True, new_network=True, ip_failures=5), RiskLevel.High),
        (AdaptiveSignals(impossible_travel=True), RiskLevel.High),
    ],
)
def test_adaptive_level__rules(signals: AdaptiveSignals, level: RiskLevel | None) -> None:
    assert adaptive_level(signals) == level
