"""Adaptive authentication's signals and the rules that combine them into a risk level (Cognito developer
guide: 'Adaptive authentication'). Cognito does not publish its own model; these rules are ours, deterministic,
and documented in README.md ("Threat protection"):

- a **new device**: the sign-in's device (its remembered device's DEVICE_KEY, else its user agent) is neither a
  remembered device of the user nor the device of one of the user's successful sign-ins;
- a **new network**: the network of its IP address (the /24 of an IPv4 address, the /48 of an IPv6 one) is not
  the network of one of the user's successful sign-ins;
- **repeated failures**: at least ``USER_FAILURES`` failed sign-ins of the user, or ``IP_FAILURES`` failed
  sign-ins from its IP address (of any user of the pool), in the last ``FAILURE_WINDOW_SECONDS``;
- **impossible travel**: from the place of the user's last successful sign-in to this one's (an operator's
  GeoIP database) is farther than ``MIN_TRAVEL_KM`` and farther than ``MAX_SPEED_KMH`` covers in the time
  between them, after taking off both places' accuracy radii.

A user without a successful sign-in from a known network (device) in its history has no usual network
(device) to differ from: its first sign-in, or its first with an address or a device, is not new in that way
(failures and travel still count).

    High    impossible travel; or a new device and a new network after repeated failures
    Medium  a new device and a new network
    Low     a new device, a new network, or repeated failures
    none    nothing of these (recorded as RiskDecision NoRisk, shown as RiskLevel Low)
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from userpool.model.auth_events import RiskLevel
from userpool.model.geo import Place, distance_km

# How much of an address names its network: an IPv4 /24, an IPv6 /48 (a site's usual allocation, RFC 6177).
NETWORK_PREFIX = {4: 24, 6: 48}
# Failed sign-ins counted over the last quarter of an hour; the counts are capped at the largest threshold, so
# the queries behind them read at most that many rows.
FAILURE_WINDOW_SECONDS = 900.0
USER_FAILURES = 3
IP_FAILURES = 5
FAILURE_COUNT_CAP = max(USER_FAILURES, IP_FAILURES)
# Faster than an airliner (about 900 km/h) is impossible travel; nearer than MIN_TRAVEL_KM never is, since a
# GeoIP database places one provider's addresses in neighbouring cities.
MAX_SPEED_KMH = 1000.0
MIN_TRAVEL_KM = 100.0


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        found = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped  # ::ffff:203.0.113.7 is the IPv4 address behind a dual-stack socket
    return found


def network_of(address: str | None) -> str | None:
    """The network of ``address`` in CIDR notation ("203.0.113.0/24", "2001:db8:1::/48"); None when it is no
    IP address."""
    found = _address(address)
    if found is None:
        return None
    return str(ipaddress.ip_network((found, NETWORK_PREFIX[found.version]), strict=False))


def device_identity(device_key: str | None, user_agent: str | None) -> str | None:
    """What names a sign-in's device in the history: the SHA-256 (hex) of its remembered device's key, else of
    its user agent (a user agent may be long; the digest is indexed); None when neither is known."""
    if device_key:
        return hashlib.sha256(b"device-key:" + device_key.encode()).hexdigest()
    if user_agent and user_agent.strip():
        return hashlib.sha256(b"user-agent:" + user_agent.strip().encode()).hexdigest()
    return None


@dataclass(frozen=True, slots=True)
class SignInHistory:
    """What the user's auth events say of a sign-in (store: AuthEventRepo.familiarity): whether the user has a
    successful sign-in from a known network at all (``networks``) and from this one (``network_seen``), the
    same of devices, and the failed sign-ins of the user and from this IP address in the window (each capped
    at ``FAILURE_COUNT_CAP``)."""

    networks: bool = False
    network_seen: bool = False
    devices: bool = False
    device_seen: bool = False
    user_failures: int = 0
    ip_failures: int = 0


@dataclass(frozen=True, slots=True)
class AdaptiveSignals:
    """The evidence about one sign-in attempt; each member's default means "no evidence"."""

    new_device: bool = False
    new_network: bool = False
    user_failures: int = 0
    ip_failures: int = 0
    impossible_travel: bool = False

    @property
    def repeated_failures(self) -> bool:
        return self.user_failures >= USER_FAILURES or self.ip_failures >= IP_FAILURES


NO_EVIDENCE = AdaptiveSignals()


def impossible_travel(before: Place | None, before_at: float, here: Place | None, now: float) -> bool:
    """Whether going from ``before`` (the last successful sign-in's place, at ``before_at``) to ``here`` by
    ``now`` is impossible travel; False when either place is unknown."""
    if before is None or here is None:
        return False
    distance = distance_km(before, here)
    if distance is None:
        return False
    # Each place may be anywhere within its accuracy radius: only the distance they cannot explain counts.
    unexplained = distance - before.accuracy_km - here.accuracy_km
    if unexplained <= MIN_TRAVEL_KM:
        return False
    hours = max(0.0, now - before_at) / 3600.0
    return unexplained > MAX_SPEED_KMH * hours


def adaptive_signals(
    history: SignInHistory,
    *,
    device: str | None,
    network: str | None,
    remembered_device: bool,
    travel: bool,
) -> AdaptiveSignals:
    """The evidence of a sign-in from ``device`` (``device_identity``) and ``network`` (``network_of``), given
    the user's ``history``, whether the device is one the user remembered, and whether the travel from its
    last successful sign-in is impossible. Without a successful sign-in from a known network (device) in the
    history, no network (device) is new."""
    new_device = history.devices and device is not None and not (history.device_seen or remembered_device)
    new_network = history.networks and network is not None and not history.network_seen
    return AdaptiveSignals(
        new_device=new_device,
        new_network=new_network,
        user_failures=history.user_failures,
        ip_failures=history.ip_failures,
        impossible_travel=travel,
    )


def adaptive_level(signals: AdaptiveSignals) -> RiskLevel | None:
    """The level the module docstring's rules give ``signals``; None for no risk."""
    unfamiliar = signals.new_device and signals.new_network
    if signals.impossible_travel or (unfamiliar and signals.repeated_failures):
        return RiskLevel.High
    if unfamiliar:
        return RiskLevel.Medium
    if signals.new_device or signals.new_network or signals.repeated_failures:
        return RiskLevel.Low
    return None
